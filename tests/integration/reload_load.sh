#!/usr/bin/env bash
# reload_load: reloads and crashes under load.
#   1. 50 clients for 10 s (verified 1 KiB echo exchanges, a new connection
#      as soon as one ends) while the master gets a HUP every 0.5 s, the
#      worker count alternating 4 / 5: no connection fails or is reset.
#   2. The same load while a random worker is SIGKILLed every second: no
#      more failed connections than kills (a worker serves one connection
#      at a time), and the pool is whole again afterwards.
# Figures (connections, failures by kind, reloads, kills) are printed.
set -eu
PF_TIMEOUT=120
. "$(dirname "$0")/lib.sh"

LOAD_S=${PF_LOAD_SECONDS:-10}

pf_write_conf "$PF_TMP/echo.conf" workers=4 access_log=false
pf_start

# load OUTFILE: the bounded load generator, in the background.
load() {
	pf_bg "$PFTOOL" echo -p "$PF_PORT" -n 1K -c 50 --duration "$LOAD_S" \
		--timeout $((LOAD_S + 30)) --io-timeout 10 >"$1" 2>"$1.err"
	LOAD_PID=$PF_BG_PID
}

# load_done OUTFILE WHAT: wait for the load generator; LOAD_OUT is its
# result line, and at least one connection must have completed.
load_done() {
	pf_wait_exit "$LOAD_PID" 60 || pf_fail "the load generator did not end"
	LOAD_OUT=$(cat "$1")
	pf_note "$2: $LOAD_OUT"
	pf_alive "$PF_PID" || pf_fail "the master died during $2"
	[ "$(field ok "$LOAD_OUT")" -gt 0 ] || pf_fail "no connection completed: $LOAD_OUT"
}

# field NAME LINE: the value of NAME=... in a pftool result line.
field() {
	local v=${2#*"$1"=}
	printf '%s\n' "${v%% *}"
}

# Phase 1: HUP every 0.5 s.
load "$PF_TMP/hup.out"
hups=0 n=4
while pf_alive "$LOAD_PID"; do
	sleep 0.5
	pf_alive "$LOAD_PID" || break
	n=$((9 - n))		# 4, 5, 4, ...
	pf_set_conf workers "$n"
	kill -HUP "$PF_PID"
	hups=$((hups + 1))
done
load_done "$PF_TMP/hup.out" "HUP every 0.5 s ($hups reloads)"
out=$LOAD_OUT
[ "$(field failed "$out")" = 0 ] && [ "$(field reset "$out")" = 0 ] ||
	pf_fail "connections failed across $hups reloads: $out
$(head -n 10 "$PF_TMP/hup.out.err")"
served=$(pf_log_count "notice: reloaded: generation")
pf_note "generations that came to serve: $served of $hups reloads"
[ "$served" -ge 1 ] || pf_fail "no reload completed under load"

# Let the last reload settle: the pool is whole, the old ones gone.
pf_wait_log "$(pf_re_reloaded $((hups + 1)) "$n")" 10 ||
	pf_fail "the last reload (generation $((hups + 1))) did not complete"
pf_wait_workers "$n" 15 || pf_fail "after the reloads: workers '$PF_WORKERS', want $n"

# Phase 2: SIGKILL a random worker every second.
load "$PF_TMP/kill.out"
kills=0
while pf_alive "$LOAD_PID"; do
	sleep 1
	pf_alive "$LOAD_PID" || break
	pf_record_workers "$PF_PID"
	# shellcheck disable=SC2086
	set -- $(pf_workers "$PF_PID")
	[ $# -gt 0 ] || continue
	victim=$(eval "printf '%s' \"\${$((RANDOM % $# + 1))}\"")
	kill -KILL "$victim" 2>/dev/null && kills=$((kills + 1))
done
load_done "$PF_TMP/kill.out" "SIGKILL every 1 s ($kills kills)"
out=$LOAD_OUT
[ "$(field failed "$out")" -le "$kills" ] ||
	pf_fail "more failed connections than kills ($kills): $out
$(head -n 10 "$PF_TMP/kill.out.err")"
pf_wait_workers "$n" 15 || pf_fail "after the kills: workers '$PF_WORKERS', want $n"
pf_echo -n 4K -c 4 -k 16

pf_stop_ok
