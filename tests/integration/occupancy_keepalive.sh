#!/usr/bin/env bash
# occupancy_keepalive: more keep-alive clients than workers are served
# without waiting for an idle connection to time out.  With workers = 2
# and timeouts.keepalive = 20: `ab -k -c 20 -n 2000` has no failed
# request and its longest request takes well under the keep-alive
# timeout (under 10 s: it never waited for one to expire), and three
# browser-like clients with six keep-alive connections each, loading a
# page on all six at once every 0.3 s and idle in between, have every
# page load answered within 10 s.
set -eu
PF_TIMEOUT=120
. "$(dirname "$0")/lib.sh"

command -v ab >/dev/null || pf_skip "no ab (apache2-utils)"
www=$PF_TMP/www
mkdir -p "$www"
head -c 4096 /dev/zero | tr '\0' 'x' >"$www/index.html"

pf_write_http_conf "$PF_TMP/http.conf" "$www" workers=2 \
	timeouts.keepalive=20 access_log=false
pf_start

ab -k -c 20 -n 2000 -s 60 "http://127.0.0.1:$PF_PORT/index.html" \
	>"$PF_TMP/ab.out" 2>&1 || pf_fail "ab failed: $(tail -n 5 "$PF_TMP/ab.out")"
failed=$(sed -n 's/^Failed requests: *//p' "$PF_TMP/ab.out")
done_=$(sed -n 's/^Complete requests: *//p' "$PF_TMP/ab.out")
longest=$(sed -n 's/^ *100% *\([0-9]*\) (longest request)$/\1/p' "$PF_TMP/ab.out")
pf_note "ab -k -c 20 -n 2000: $done_ complete, $failed failed, longest $longest ms"
[ "$done_" = 2000 ] && [ "$failed" = 0 ] ||
	pf_fail "ab -k: $done_ complete, $failed failed: $(grep -E 'requests|Time taken' "$PF_TMP/ab.out")"
[ -n "$longest" ] && [ "$longest" -lt 10000 ] ||
	pf_fail "ab -k: the longest request took '$longest' ms: it waited for a keep-alive timeout"

pf_load --attack none --legit browser --clients 3 --per-client 6 \
	--think-ms 300 --ramp 0 --duration 5 --legit-timeout 10
[ "$(pf_load_get failed)" = 0 ] && [ "$(pf_load_get ok)" -gt 0 ] ||
	pf_fail "browsers: $(pf_load_get failed) page loads failed, $(pf_load_get ok) ok ($PF_LOAD_OUT)"
pf_stop_ok
