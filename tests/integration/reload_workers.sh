#!/usr/bin/env bash
# reload_workers: HUP applies a changed `workers` by starting a new
# generation and retiring the old one: 4 -> 6 -> 2 workers, every old pid
# gone each time, echo served after each step.  A broken config on HUP is
# refused with its file, line and key; the same workers keep serving; a
# fixed config is then accepted.  A changed timeouts.read applies to the
# new generation.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

pf_write_conf "$PF_TMP/echo.conf" workers=4 timeouts.read=30
pf_start

# reload_to N GENERATION: set workers = N, HUP, and check that generation
# GENERATION replaced every worker of the one before and serves.
reload_to() {
	local before=$PF_WORKERS
	pf_set_conf workers "$1"
	kill -HUP "$PF_PID"
	pf_wait_workers "$1" 10 "$before" ||
		pf_fail "after HUP with workers = $1: workers '$PF_WORKERS' (were '$before')"
	pf_wait_log "$(pf_re_reloaded "$2" "$1")" 5 ||
		pf_fail "no 'reloaded: generation $2, $1 workers' notice"
	pf_note "generation $2: $PF_WORKERS"
	pf_echo -n 4K -c "$1" -k $(($1 * 4))
}

reload_to 6 2
reload_to 2 3
gen3=$PF_WORKERS

# A typo on the last line: refused, nothing changes.
cp "$PF_CONF" "$PF_TMP/good.conf"
printf 'wrokers = 3\n' >>"$PF_CONF"
line=$(wc -l <"$PF_CONF")
kill -HUP "$PF_PID"
pf_wait_log "$(pf_re_reload_failed "$PF_CONF" "$line" wrokers)" 5 ||
	pf_fail "no 'reload failed: $PF_CONF:$line: wrokers: ...' error"
sleep 1
now=$(pf_workers "$PF_PID")
[ "$now" = "$gen3" ] || pf_fail "a refused reload changed the workers: '$now', were '$gen3'"
pf_alive "$PF_PID" || pf_fail "the master died on a broken config"
pf_echo -n 4K -c 2 -k 8

# Fixed: accepted as the next generation.
cp "$PF_TMP/good.conf" "$PF_CONF"
reload_to 3 4

# A changed timeout takes effect: timeouts.read 30 -> 1 s.
sed -i 's/^\tread = 30$/\tread = 1/' "$PF_CONF"
grep -q '^	read = 1$' "$PF_CONF" || pf_fail "could not set timeouts.read in $PF_CONF"
reload_to 3 5
out=$("$PFTOOL" silent -p "$PF_PORT" -s 10) ||
	pf_fail "a silent client was not dropped within 10 s after read = 1: $out"
secs=${out%% *}
pf_note "silent client after the reload to read = 1: $out"
pf_between "$secs" 0.9 3 || pf_fail "a silent client was dropped after $secs s, want about 1 s"

pf_check_log_format
pf_stop_ok
