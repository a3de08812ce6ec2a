#!/usr/bin/env bash
# http_cache: a worker keeps the files it served open (seen in /proc),
# and still serves every change at once.  One worker, so every request meets its cache: a
# file rewritten in place, replaced by rename, removed, or turned into a
# directory is served as it now is, not as it was; a directory's index
# likewise.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

www=$PF_TMP/www
mkdir -p "$www/docs"
printf 'one\n' >"$www/a.txt"
printf '<p>index one</p>\n' >"$www/docs/index.html"
pf_write_http_conf "$PF_TMP/site.conf" "$www" workers=1
pf_start

# body NAME PATH WANT: GET PATH gives 200 and exactly WANT.
body() {
	pf_expect "$1" "$2" 200
	[ "$(cat "$PF_TMP/$1.body")" = "$3" ] ||
		pf_fail "GET $2: '$(cat "$PF_TMP/$1.body")', want '$3'"
}

body a1 /a.txt one
body a2 /a.txt one
ls -l "/proc/$PF_WORKERS/fd" | grep -q -- "-> $www/a.txt\$" ||
	pf_fail "the worker does not keep $www/a.txt open after serving it"
printf 'two, longer\n' >"$www/a.txt"			# same inode
body a3 /a.txt 'two, longer'
printf 'three\n' >"$www/a.new" && mv "$www/a.new" "$www/a.txt"	# another inode
body a4 /a.txt three
rm "$www/a.txt"
pf_expect a5 /a.txt 404
mkdir "$www/a.txt"
pf_expect a6 /a.txt 301

body d1 /docs/ '<p>index one</p>'
printf '<p>index two</p>\n' >"$www/docs/index.html"
body d2 /docs/ '<p>index two</p>'
rm "$www/docs/index.html"
pf_expect d3 /docs/ 403
pf_note "one worker: in-place change, rename, removal and a directory all seen at once"
pf_stop_ok
