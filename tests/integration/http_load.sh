#!/usr/bin/env bash
# http_load: ApacheBench against the http service: `ab -n 2000 -c 20` for
# a 9 KiB index.html, with 4 workers; then with keep-alive (-k, most
# requests riding on kept connections) and 20 workers, one per client: a
# worker serves one connection at a time, so fewer workers would leave
# clients queued behind idle kept-alive connections until their
# keepalive timeout.  Every request complete, none failed, none non-2xx,
# the same bytes each time; no worker crashed or was replaced, nothing
# logged above info, one access line per request.  Skipped without ab
# (Debian: apache2-utils).
set -eu
PF_TIMEOUT=120
. "$(dirname "$0")/lib.sh"

command -v ab >/dev/null || pf_skip "no ab (ApacheBench, package apache2-utils) here"

www=$PF_TMP/www
mkdir -p "$www"
{
	printf '<!DOCTYPE html>\n<html><body>\n'
	for i in $(seq 1 400); do printf '<p>load line %04d</p>\n' "$i"; done
	printf '</body></html>\n'
} >"$www/index.html"
size=$(stat -c %s "$www/index.html")

pf_write_http_conf "$PF_TMP/http.conf" "$www" workers=4
pf_start

# load NAME AB_ARGS...: ab -n 2000 -c 20 ARGS, all complete and good.
load() {
	local name=$1 out=$PF_TMP/$1.ab
	shift
	timeout 90 ab -q -n 2000 -c 20 -s 20 "$@" "http://127.0.0.1:$PF_PORT/index.html" \
		>"$out" 2>&1 || pf_fail "ab $*: failed:
$(tail -n 30 "$out")"
	grep -Eq '^Complete requests: +2000$' "$out" &&
		grep -Eq '^Failed requests: +0$' "$out" &&
		! grep -q '^Non-2xx responses:' "$out" &&
		grep -Eq "^Document Length: +$size bytes\$" "$out" ||
		pf_fail "ab $*: not 2000 good requests:
$(grep -E '^(Complete|Failed|Non-2xx|Document Length|Keep-Alive|   \()' "$out")"
	pf_note "ab -n 2000 -c 20 $*: $(grep -E '^(Requests per second|Keep-Alive requests):' "$out" | tr -s ' ' | tr '\n' ';')"
}

check_run() {
	[ "$(pf_workers "$PF_PID")" = "$PF_WORKERS" ] ||
		pf_fail "workers changed under load: '$(pf_workers "$PF_PID")', were '$PF_WORKERS'"
	# Stopped first: a worker writes its access line after the response,
	# so ab may be done before the last line is.
	pf_stop_ok
	pf_no_warnings "under load"
	n=$(pf_log_count '"GET /index.html HTTP/1.0" 200 '"$size"' ')
	[ "$n" = 2000 ] || pf_fail "$n access lines for GET /index.html, want 2000"
	pf_check_log_format
}

load plain
check_run

pf_write_http_conf "$PF_TMP/ka.conf" "$www" workers=20
pf_start
load keepalive -k
n=$(sed -nE 's/^Keep-Alive requests: +([0-9]+)$/\1/p' "$PF_TMP/keepalive.ab")
[ "${n:-0}" -ge 1500 ] || pf_fail "ab -k: only ${n:-0} of 2000 requests on kept-alive connections"
check_run
