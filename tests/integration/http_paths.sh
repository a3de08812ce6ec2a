#!/usr/bin/env bash
# http_paths: what a request path may reach.  Climbing above the root
# ("/../x", "/%2e%2e/x", "/a/../../x"), "%00" and a bad escape "%zz" are
# refused with 400 and "Connection: close" although the file x above
# the root exists; "%2F" decodes to "/".  A directory asked for without its
# '/' is redirected (301, Location: /dir/, the query kept; 414 when that
# Location would not fit in a response head), the Location made from the
# normalised path ("//evil.example/..%2Fdocs", "/\evil.example" and an
# absolute-form "http://evil.example//docs" never lead to another host);
# "/dir/" serves
# its index.html, or 403 when it has none and autoindex is off.  A symlink
# to a file inside the root is served, one to a file outside (absolute or
# "../outside") is 403, and so is a FIFO, without hanging a worker.  With
# autoindex on, a directory without index.html is listed: every visible
# name, HTML-escaped in the text and percent-encoded in the link, no name
# beginning with '.', and a symlink by its name only (nothing of a target
# outside the root).
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

www=$PF_TMP/www
mkdir -p "$www/docs" "$www/withindex" "$www/list/subdir" "$www/a"
printf 'secret above the root\n' >"$PF_TMP/x"
printf 'outside\n' >"$PF_TMP/outside"
printf 'hello\n' >"$www/docs/hello.txt"
printf '<p>index of withindex</p>\n' >"$www/withindex/index.html"
printf 'tricky\n' >"$www/list/a<b>&c.txt"
printf 'spaced\n' >"$www/list/space name.txt"
printf 'hidden\n' >"$www/list/.hidden"
printf 'plain\n' >"$www/list/plain.txt"
ln -s docs/hello.txt "$www/link-in"
ln -s "$PF_TMP/outside" "$www/link-abs"
ln -s ../outside "$www/link-rel"
mkfifo "$www/fifo"
head -c 12345 /dev/zero >"$PF_TMP/outside-big"
ln -s "$PF_TMP/outside-big" "$www/list/out-link"

pf_write_http_conf "$PF_TMP/http.conf" "$www" workers=2
pf_start

# refused NAME PATH: 400 with Connection: close, and the file above the
# root never served.
refused() {
	pf_expect "$1" "$2" 400
	[ "$(pf_header "$PF_TMP/$1.head" Connection)" = close ] ||
		pf_fail "GET $2: 400 without Connection: close"
	! grep -q secret "$PF_TMP/$1.body" || pf_fail "GET $2 served the file above the root"
}
refused up1 /../x
refused up2 /%2e%2e/x
refused up3 /a/../../x
refused up4 /docs/../../x
refused up5 /%2E%2E/x
refused up6 /docs/%2e%2e/%2e%2e/x
refused nul /docs/hello.txt%00
refused nul2 /docs/hello.txt%00.html
refused esc /docs/hello%zz.txt
refused esc2 /docs/hello.txt%2
pf_note "traversal, %00 and bad escapes: 400"

pf_expect slash /docs%2Fhello.txt 200
cmp "$www/docs/hello.txt" "$PF_TMP/slash.body" || pf_fail "/docs%2Fhello.txt is not docs/hello.txt"
pf_expect enc /docs/%68ello.txt 200
cmp "$www/docs/hello.txt" "$PF_TMP/enc.body" || pf_fail "/docs/%68ello.txt is not docs/hello.txt"

# Directories.
pf_expect redir /docs 301
v=$(pf_header "$PF_TMP/redir.head" Location)
[ "$v" = /docs/ ] || pf_fail "GET /docs: Location '$v', want /docs/"
pf_expect redirq '/docs?x=1' 301
v=$(pf_header "$PF_TMP/redirq.head" Location)
[ "$v" = '/docs/?x=1' ] || pf_fail "GET /docs?x=1: Location '$v', want /docs/?x=1"
# The Location is built from the normalised path, never from the target
# as sent: none leads a browser to another host.
mkdir -p "$www/\\evil.example"
redirect_to() {	# NAME TARGET LOCATION
	pf_raw "$1" "GET $2 HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n" --timeout 5
	[ "$PF_CODE" = 301 ] || pf_fail "GET $2: status '$PF_CODE', want 301"
	v=$(pf_header "$PF_TMP/$1.out" Location)
	[ "$v" = "$3" ] || pf_fail "GET $2: Location '$v', want $3"
}
redirect_to open1 '//evil.example/..%2Fdocs' /docs/
redirect_to open2 '/%2F%2Fevil.example/../docs' /docs/
redirect_to open3 '/%5Cevil.example' /%5Cevil.example/
redirect_to open4 '/\\evil.example' /%5Cevil.example/
redirect_to open5 'http://evil.example//docs' /docs/
redirect_to open6 '//docs?x=//evil' '/docs/?x=//evil'
pf_note "redirects stay on this server: //host, %2F%2Fhost, /\\host, absolute-form"
# A redirect whose Location would not fit in a response head: 414, the
# connection closed, and nothing logged above info (a client's doing).
long=$(printf 'q%.0s' $(seq 3000))
pf_expect longredir "/docs?$long" 414
tr -d '\r' <"$PF_TMP/longredir.head" | grep -qx 'Connection: close' ||
	pf_fail "the 414 for a long redirect does not close the connection"
! grep -Eq 'preforkd\[[0-9]+\]: (err|warning):' "$PF_LOG" ||
	pf_fail "a long redirect was logged above info: $(grep -E ': (err|warning):' "$PF_LOG" | head -n 3)"
pf_expect follow /withindex 200 -L --max-redirs 2
cmp "$www/withindex/index.html" "$PF_TMP/follow.body" ||
	pf_fail "following /withindex did not serve withindex/index.html"
pf_expect idx /withindex/ 200
cmp "$www/withindex/index.html" "$PF_TMP/idx.body" ||
	pf_fail "/withindex/ is not withindex/index.html"
pf_expect noidx /list/ 403
pf_note "directories: 301 with the query kept (414 when too long), index.html, 403 without"

# Symlinks and a FIFO.
pf_expect lin /link-in 200
cmp "$www/docs/hello.txt" "$PF_TMP/lin.body" || pf_fail "/link-in is not docs/hello.txt"
pf_expect labs /link-abs 403
pf_expect lrel /link-rel 403
! grep -q outside "$PF_TMP/labs.body" "$PF_TMP/lrel.body" ||
	pf_fail "a symlink served the file outside the root"
pf_note "symlinks: inside 200, outside 403"

pf_stop_ok

# autoindex = true.
pf_write_http_conf "$PF_TMP/auto.conf" "$www" workers=2 http.autoindex=true
pf_start
pf_expect list /list/ 200
v=$(pf_header "$PF_TMP/list.head" Content-Type)
[ "$v" = "text/html; charset=utf-8" ] || pf_fail "listing: Content-Type '$v'"
b=$PF_TMP/list.body
grep -qF 'a&lt;b&gt;&amp;c.txt' "$b" || pf_fail "listing: no 'a&lt;b&gt;&amp;c.txt':
$(cat "$b")"
! grep -qF 'a<b>' "$b" || pf_fail "listing: the name a<b>&c.txt is not escaped"
grep -qi 'href="\(\./\)\?a%3cb%3e%26c\.txt"' "$b" ||
	pf_fail "listing: no percent-encoded link to a<b>&c.txt"
grep -qi 'href="\(\./\)\?space%20name\.txt"' "$b" ||
	pf_fail "listing: no percent-encoded link to 'space name.txt'"
grep -q 'plain\.txt' "$b" || pf_fail "listing: plain.txt missing"
grep -q 'subdir/' "$b" || pf_fail "listing: subdir/ missing"
! grep -q hidden "$b" || pf_fail "listing: shows .hidden"
# A symlink out of the root: listed by name, nothing of its target shown.
grep -q 'out-link</a></td><td>-</td><td>-</td>' "$b" ||
	pf_fail "listing: the symlink out of the root is not shown by name only"
! grep -q 12345 "$b" || pf_fail "listing: shows the size of a file outside the root"
pf_expect outlink /list/out-link 403
# Every link of the listing works.
pf_expect tricky '/list/a%3Cb%3E%26c.txt' 200
cmp "$www/list/a<b>&c.txt" "$PF_TMP/tricky.body" || pf_fail "the link to a<b>&c.txt serves another file"
pf_expect spaced '/list/space%20name.txt' 200
pf_expect subdir /list/subdir/ 200
pf_expect idx2 /withindex/ 200
cmp "$www/withindex/index.html" "$PF_TMP/idx2.body" ||
	pf_fail "with autoindex, /withindex/ is not its index.html"
pf_note "autoindex: escaped names, encoded links, no dotfiles"

# Last, as a worker stuck on the FIFO would hold up the rest.
for i in 1 2 3 4; do
	pf_expect "fifo$i" /fifo 403
done
# The workers that answered it still serve, and none was replaced.
for i in 1 2 3 4; do
	pf_expect "afterfifo$i" /docs/hello.txt 200
done
[ "$(pf_workers "$PF_PID")" = "$PF_WORKERS" ] ||
	pf_fail "workers changed after the FIFO: '$(pf_workers "$PF_PID")', were '$PF_WORKERS'"
pf_note "FIFO: 403, workers unharmed"

pf_check_log_format
pf_stop_ok
