#!/usr/bin/env bash
# echo_concurrency: 500 echo connections of 4 KiB, 50 in flight at once,
# on 4 workers (so most wait in the listen backlog): every one is echoed
# and verified, and the master still has its 4 workers afterwards.
set -eu
PF_TIMEOUT=90
. "$(dirname "$0")/lib.sh"

pf_write_conf "$PF_TMP/echo.conf" workers=4
pf_start

pf_echo -n 4K -c 50 -k 500 --timeout 60

after=$(pf_workers "$PF_PID")
[ "$(pf_count "$after")" -eq 4 ] ||
	pf_fail "after the run the master has workers '$after', not 4"

pf_stop_ok
