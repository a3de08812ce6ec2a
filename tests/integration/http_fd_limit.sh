#!/usr/bin/env bash
# http_fd_limit: a worker's open-file cache never takes the descriptors
# accept() needs.  With a soft limit of 48 open files and one worker, 80
# different files asked for one after another are all served (the cache
# keeps files open only while 16 descriptors stay free), the worker still
# accepts afterwards, and nothing is logged above info: no accept stuck
# on "Too many open files".
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

[ "${PF_VALGRIND:-0}" != 1 ] ||
	pf_skip "valgrind keeps descriptors of its own: the plain make check runs it"
www=$PF_TMP/www
mkdir -p "$www"
for i in $(seq 1 80); do printf 'file %s\n' "$i" >"$www/f$i.txt"; done
printf 'home\n' >"$www/index.html"

pf_write_http_conf "$PF_TMP/http.conf" "$www" workers=1
ulimit -Sn 48
pf_start
for i in $(seq 1 80); do
	pf_expect "f$i" "/f$i.txt" 200
	[ "$(cat "$PF_TMP/f$i.body")" = "file $i" ] || pf_fail "/f$i.txt: wrong body"
done
w=${PF_WORKERS%% *}
open=$(ls "/proc/$w/fd" | wc -l)
pf_note "80 files served by one worker with 48 descriptors; it holds $open open"
[ "$open" -le 40 ] || pf_fail "the worker holds $open descriptors of 48: the cache did not yield"
for i in 1 2 3; do pf_expect "again$i" / 200; done
pf_no_warnings "with a soft limit of 48 open files"
pf_stop_ok
