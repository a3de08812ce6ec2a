#!/usr/bin/env bash
# reload_midstream: a client streaming while HUP arrives is served to the
# end by its (old-generation) worker, which then retires; no byte is lost
# and the connection is not reset.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

pf_write_conf "$PF_TMP/echo.conf" workers=2
pf_start
gen1=$PF_WORKERS

# 60000 bytes in 30 chunks, 60 ms apart: about 1.8 s.
pf_stream_client 60000 60 "the reload"
pf_set_conf workers 3
kill -HUP "$PF_PID"
pf_wait_log "$(pf_re_reloaded 2 3)" 5 || pf_fail "no 'reloaded: generation 2' notice"
pf_alive "$PF_CLIENT" ||
	pf_fail "the client ended before generation 2 was ready: $(cat "$PF_CLIENT_OUT")"
pf_stream_result 15 "the reload"

pf_wait_workers 3 10 "$gen1" || pf_fail "generation 1 did not leave: workers '$PF_WORKERS'"
# The worker that served the stream (its access record names the client)
# is the one that retired after it.
local_addr=$(sed -n 's/.* local=\([^ ]*\).*/\1/p' "$PF_CLIENT_OUT")
served_by=$(grep -E "$(pf_re_access "$local_addr" 60000 60000 eof)" "$PF_LOG" |
	sed -E 's/^.* preforkd\[([0-9]+)\]: .*$/\1/')
[ -n "$served_by" ] || pf_fail "no access record for the streaming client $local_addr"
pf_wait_log "info: worker $served_by of generation 1 retired after [1-9][0-9]* connections?\$" 5 ||
	pf_fail "the worker $served_by that served the stream did not retire after it"
pf_stop_ok
