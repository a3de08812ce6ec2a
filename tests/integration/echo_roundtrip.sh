#!/usr/bin/env bash
# echo_roundtrip: the echo service returns every byte, in order, and closes
# after the client's EOF.  Payloads of 1 B, 64 KiB and 16 MiB (the client
# reads while it sends); a byte-by-byte client (each byte read back before
# the next is sent); a client that sends everything and shuts down its side
# before reading anything; a client that never shuts down (the echo must
# come back before any EOF); and nc -N with a file compared by cmp.  The
# 64 KiB connection leaves the access record "CLIENT echo 65536 65536 MS eof",
# and every line of the log has the form "TIME preforkd[PID]: LEVEL: text".
set -eu
PF_TIMEOUT=90
. "$(dirname "$0")/lib.sh"

pf_write_conf "$PF_TMP/echo.conf" workers=2
pf_start

pf_echo -n 1
pf_echo -n 64K
client=${PF_ECHO_OUT##*local=}
pf_wait_log "$(pf_re_access "$client" 65536 65536 eof)" 5 ||
	pf_fail "no access record \"$client echo 65536 65536 MS eof\""
pf_echo -n 16M --timeout 60
pf_echo -n 2000 --byte-by-byte
pf_echo -n 32K --send-first
pf_echo -n 100000 --no-shutdown

if nc -h 2>&1 | grep -Eq -- '^[[:space:]]+-N[[:space:]]'; then
	head -c 200000 /dev/urandom >"$PF_TMP/in"
	timeout 20 nc -N 127.0.0.1 "$PF_PORT" <"$PF_TMP/in" >"$PF_TMP/out" ||
		pf_fail "nc -N 127.0.0.1 $PF_PORT failed"
	cmp "$PF_TMP/in" "$PF_TMP/out" ||
		pf_fail "nc: what came back differs from what was sent"
	pf_note "nc -N: 200000 bytes back, identical"
else
	pf_note "no nc with -N here: that part skipped"
fi

pf_stop_ok
pf_check_log_format
