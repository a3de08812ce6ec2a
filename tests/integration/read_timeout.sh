#!/usr/bin/env bash
# read_timeout: with timeouts.read = 1, a client that connects and sends
# nothing is dropped after about 1 s (accepted: 0.5 to 5 s), and its access
# record says "CLIENT echo 0 0 MS read-timeout".
set -eu
PF_TIMEOUT=40
. "$(dirname "$0")/lib.sh"

pf_write_conf "$PF_TMP/echo.conf" workers=2 timeouts.read=1
pf_start

out=$("$PFTOOL" silent -p "$PF_PORT" -s 10) ||
	pf_fail "a silent client was not dropped within 10 s: $out"
read -r secs how client <<<"$out"
pf_note "silent client $client: closed ($how) after $secs s"
pf_between "$secs" 0.5 5 || pf_fail "dropped after $secs s, not about 1 s"

pf_wait_log "$(pf_re_access "$client" 0 0 read-timeout)" 5 ||
	pf_fail "no access record \"$client echo 0 0 MS read-timeout\""

pf_stop_ok
