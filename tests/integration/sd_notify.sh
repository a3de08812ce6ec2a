#!/usr/bin/env bash
# sd_notify: with NOTIFY_SOCKET set (here a socket played by `pftool
# notify`), the master tells its service manager
# - READY=1 once every worker is ready, with a STATUS= counting them idle;
# - WATCHDOG=1 at half of WATCHDOG_USEC;
# - STATUS= when it changes, at most once a second after the last status
#   (READY=1 and STOPPING=1 carry one too);
# - on HUP, RELOADING=1 with MONOTONIC_USEC=, then READY=1 once the new
#   generation serves, and also when the new file is refused;
# - on TERM, STOPPING=1, then EXTEND_TIMEOUT_USEC= about once a second
#   while a busy worker holds the stop up, each asking for no more than the
#   stop can still take.
# Without NOTIFY_SOCKET (every other test) nothing is sent.
set -eu
PF_TIMEOUT=110
. "$(dirname "$0")/lib.sh"

sock=$PF_TMP/notify.sock
msgs=$PF_TMP/notify.out
pf_bg "$PFTOOL" notify --socket "$sock" -s 100 >"$msgs" 2>&1
pf_wait_log '^listening ' 5 "$msgs" || pf_fail "pftool notify did not start: $(cat "$msgs")"

# count ERE: how many messages match.
count() { grep -Ec -- "$1" "$msgs" || :; }
# wait_msg ERE N TIMEOUT_S: until at least N messages match.
wait_msg() {
	local end
	end=$(($(pf_now_ms) + $(pf_ms "$3")))
	until [ "$(count "$1")" -ge "$2" ]; do
		[ "$(pf_now_ms)" -ge "$end" ] && return 1
		sleep 0.05
	done
}
# first_line ERE [AFTER_LINE]: the number of the first message matching,
# after line AFTER_LINE; empty when none.
first_line() {
	awk -v re="$1" -v after="${2:-0}" 'NR > after && $0 ~ re { print NR; exit }' "$msgs"
}

# check_status_gaps: a STATUS= update comes at least 900 ms after the
# last message that set the status (READY=1, STOPPING=1 or STATUS=); sets
# gaps to the gaps seen.
check_status_gaps() {
	gaps=$(awk '/STATUS=/ && $2 != "RELOADING=1" {
		if ($2 ~ /^STATUS=/ && prev != "") print $1 - prev; prev = $1 }' "$msgs")
	for g in $gaps; do
		[ "$g" -ge 900 ] || pf_fail "a STATUS= update $g ms after the last status: $(echo $gaps)"
	done
}

pf_write_conf "$PF_TMP/echo.conf" workers=3 timeouts.graceful=3
export NOTIFY_SOCKET=$sock WATCHDOG_USEC=400000
pf_start
unset NOTIFY_SOCKET WATCHDOG_USEC

# READY=1, and only once all three workers reported ready.
wait_msg 'READY=1' 1 5 || pf_fail "no READY=1 after start: $(cat "$msgs")"
ready=$(grep -m 1 'READY=1' "$msgs")
pf_note "start: $ready"
case $ready in
*"STATUS=3 workers: 0 busy, 3 idle;"*) ;;
*) pf_fail "READY=1 came without every worker idle: $ready" ;;
esac
[ "$(count 'READY=1')" -eq 1 ] || pf_fail "more than one READY=1 at start: $(cat "$msgs")"

# WATCHDOG=1 every 200 ms (half of 400 ms): over 2 s, measured on pftool's
# own stamps (so a late `sleep` does not count), 150-300 ms apart on average.
w0=$(count '^[0-9]+ WATCHDOG=1$')
sleep 2
gap=$(awk -v skip="$w0" '$2 == "WATCHDOG=1" && ++k > skip {
	if (first == "") first = $1; last = $1; n++ }
	END { if (n > 1) print int((last - first) / (n - 1)); else print -1 }' "$msgs")
pf_note "WATCHDOG=1: every $gap ms on average"
[ "$gap" -ge 150 ] && [ "$gap" -le 300 ] ||
	pf_fail "WATCHDOG=1 every $gap ms on average, want about 200 (half of WATCHDOG_USEC)"

# STATUS= follows the served count, at most once a second: 24 echo
# connections, plus the one pf_start made to see the port accept.
for i in 1 2 3 4 5 6; do
	pf_echo -n 1K -c 2 -k 4 --seed "$i"
	sleep 0.3
done
wait_msg '^[0-9]+ STATUS=3 workers: 0 busy, 3 idle; 25 served' 1 5 ||
	pf_fail "STATUS= never said 25 served: $(grep STATUS= "$msgs" | tail -n 5)"
check_status_gaps
pf_note "STATUS= gaps (ms): $(echo $gaps)"
# Sent when it changed: never the same line twice in a row.
same=$(awk '$2 ~ /^STATUS=/ { line = $0; sub(/^[0-9]+ /, "", line)
	if (line == prev) print line; prev = line }' "$msgs")
[ -z "$same" ] || pf_fail "STATUS= sent again unchanged: $same"

# HUP with a good file: RELOADING=1 + MONOTONIC_USEC, then READY=1 once
# the new generation serves (after the "reloaded" notice).
n=$(wc -l <"$msgs")
pf_set_conf workers 2
kill -HUP "$PF_PID"
pf_wait_log "$(pf_re_reloaded 2 2)" 10 || pf_fail "no reload to generation 2"
wait_msg 'READY=1' 2 5 || pf_fail "no READY=1 after the reload: $(tail -n 5 "$msgs")"
r=$(first_line 'RELOADING=1' "$n")
a=$(first_line 'READY=1' "$n")
[ -n "$r" ] && [ "$r" -lt "$a" ] || pf_fail "RELOADING=1 did not come before READY=1: $(tail -n +$((n + 1)) "$msgs")"
mono1=$(sed -n "${r}s/.*MONOTONIC_USEC=\([0-9][0-9]*\).*/\1/p" "$msgs")
[ -n "$mono1" ] || pf_fail "RELOADING=1 without MONOTONIC_USEC: $(sed -n "${r}p" "$msgs")"
# CLOCK_MONOTONIC: the time since boot (a minute of tolerance for the
# namespaces and suspends that can set the two apart), not the wall clock.
up=$(awk '{ printf "%.0f", $1 * 1000000 }' /proc/uptime)
[ $((mono1 > up ? mono1 - up : up - mono1)) -lt 60000000 ] ||
	pf_fail "MONOTONIC_USEC=$mono1 is not CLOCK_MONOTONIC (uptime $up us)"
# The two new workers are ready (none "starting"); the three old ones
# were told to leave that instant, and are still counted.
sed -n "${a}p" "$msgs" | grep -q 'STATUS=5 workers: 0 busy, 5 idle;' ||
	pf_fail "READY=1 came before the new generation was ready: $(sed -n "${a}p" "$msgs")"
pf_note "reload: $(sed -n "${r}p;${a}p" "$msgs" | tr '\n' '/')"

# HUP with a refused file: RELOADING=1, then READY=1 at once.
n=$(wc -l <"$msgs")
cp "$PF_CONF" "$PF_TMP/good.conf"
printf 'wrokers = 3\n' >>"$PF_CONF"
kill -HUP "$PF_PID"
wait_msg 'READY=1' 3 5 || pf_fail "no READY=1 after a refused reload: $(tail -n 5 "$msgs")"
r=$(first_line 'RELOADING=1' "$n")
a=$(first_line 'READY=1' "$n")
[ -n "$r" ] && [ "$r" -lt "$a" ] || pf_fail "refused reload: RELOADING=1 did not come before READY=1"
mono2=$(sed -n "${r}s/.*MONOTONIC_USEC=\([0-9][0-9]*\).*/\1/p" "$msgs")
[ -n "$mono2" ] && [ "$mono2" -gt "$mono1" ] ||
	pf_fail "MONOTONIC_USEC did not move on: $mono1 then $mono2"
[ "$(pf_log_count 'err: reload failed: ')" -eq 1 ] || pf_fail "the refused file was not logged"
cp "$PF_TMP/good.conf" "$PF_CONF"

# TERM with a busy worker: STOPPING=1, then EXTEND_TIMEOUT_USEC= while the
# stop waits (timeouts.graceful = 3 s, then the worker is killed).
pf_hold 20
sleep 1.2	# past the last status's second: STOPPING=1 must start a new one
n=$(wc -l <"$msgs")
kill -TERM "$PF_PID"
pf_wait_exit "$PF_PID" 15 || pf_fail "preforkd did not stop within 15 s"
[ "$PF_STATUS" = 0 ] || pf_fail "preforkd exited with status $PF_STATUS"
s=$(first_line 'STOPPING=1' "$n")
[ -n "$s" ] || pf_fail "no STOPPING=1 on TERM: $(tail -n +$((n + 1)) "$msgs")"
ext=$(tail -n +"$s" "$msgs" | sed -n 's/.*EXTEND_TIMEOUT_USEC=\([0-9][0-9]*\).*/\1/p')
pf_note "after STOPPING=1: EXTEND_TIMEOUT_USEC = $(echo $ext)"
[ "$(printf '%s\n' $ext | grep -c .)" -ge 2 ] ||
	pf_fail "fewer than 2 EXTEND_TIMEOUT_USEC= during a 3 s drain: $(tail -n +"$s" "$msgs")"
# Each asks for what the stop can still take: graceful 3 s + 5 s for the
# SIGKILL + the 1 s chores period, less the time since STOPPING=1 (pftool's
# stamps; 200 ms for the two clocks' rounding), and so less each time.
bad=$(tail -n +"$s" "$msgs" | awk '
	NR == 1 { t0 = $1; next }
	/EXTEND_TIMEOUT_USEC=/ { e = $0; sub(/.*EXTEND_TIMEOUT_USEC=/, "", e); e += 0
		if (e <= 0 || e > 9000000 - ($1 - t0) * 1000 + 200000 ||
		    (prev != "" && e >= prev)) print $1 " ms: " e
		prev = e }')
[ -z "$bad" ] || pf_fail "EXTEND_TIMEOUT_USEC= beyond what the stop can take, or not falling: $bad"
[ "$(tail -n +"$s" "$msgs" | grep -c 'READY=1')" -eq 0 ] || pf_fail "READY=1 after STOPPING=1"
check_status_gaps		# the stop's updates too
pf_check_log_format
