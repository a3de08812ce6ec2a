#!/usr/bin/env bash
# stop_graceful: TERM stops the master gracefully and QUIT stops it fast.
# TERM: a client streaming slowly (about 2 s of chunks) when the master gets
# TERM still gets every byte back and its EOF; the master stays up while
# that connection is served, then exits 0 within timeouts.graceful plus a
# margin, and none of its workers is left.  QUIT (separate run, with a
# client streaming for 5 s): the master exits 0 within 3 s, the client's
# stream is cut, and no worker is left.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

GRACEFUL=10

# --- TERM -------------------------------------------------------------
pf_write_conf "$PF_TMP/term.conf" workers=2 timeouts.graceful=$GRACEFUL
pf_start
workers=$PF_WORKERS

# 100000 bytes in 50 chunks of 2000, 40 ms apart: about 2 s.
pf_stream_client 100000 40 TERM
client=$PF_CLIENT

kill -TERM "$PF_PID"
t0=$(pf_now_ms)
while pf_alive "$client"; do
	pf_alive "$PF_PID" ||
		pf_fail "the master exited while a worker was still serving a client"
	[ $(($(pf_now_ms) - t0)) -lt 20000 ] || pf_fail "the client runs 20 s after TERM"
	sleep 0.05
done
pf_collect "$client"
[ "$PF_STATUS" = 0 ] ||
	pf_fail "the client streaming across TERM failed: $(cat "$PF_CLIENT_OUT")"
pf_note "client across TERM: $(cat "$PF_CLIENT_OUT")"
[ $(($(pf_now_ms) - t0)) -ge 1000 ] ||
	pf_fail "the client finished within 1 s of TERM: was it streaming?"

pf_wait_exit "$PF_PID" $((GRACEFUL + 3)) ||
	pf_fail "the master still runs $((GRACEFUL + 3)) s after TERM"
[ "$PF_STATUS" = 0 ] || pf_fail "the master exited with status $PF_STATUS on TERM"
pf_note "TERM: master exited 0 after $(($(pf_now_ms) - t0)) ms"
# shellcheck disable=SC2086
pf_wait_gone 1 $workers || pf_fail "workers left after the master exited:$PF_LEFT"

# --- QUIT -------------------------------------------------------------
pf_write_conf "$PF_TMP/quit.conf" workers=2 timeouts.graceful=$GRACEFUL
pf_start
workers=$PF_WORKERS
# 200000 bytes in 100 chunks, 50 ms apart: about 5 s.
pf_stream_client 200000 50 QUIT
kill -QUIT "$PF_PID"
t0=$(pf_now_ms)
pf_wait_exit "$PF_PID" 3 || pf_fail "the master still runs 3 s after QUIT"
[ "$PF_STATUS" = 0 ] || pf_fail "the master exited with status $PF_STATUS on QUIT"
pf_note "QUIT: master exited 0 after $(($(pf_now_ms) - t0)) ms"
pf_wait_exit "$PF_CLIENT" 10 || pf_fail "the client still runs 10 s after QUIT"
[ "$PF_STATUS" != 0 ] ||
	pf_fail "the client streaming across QUIT got every byte: QUIT waited for it"
# shellcheck disable=SC2086
pf_wait_gone 1 $workers || pf_fail "workers left after QUIT:$PF_LEFT"
