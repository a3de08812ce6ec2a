#!/usr/bin/env bash
# http_files: the http service serves files.  GET returns the exact bytes
# (cmp) of a small text file, a 5 MiB binary, a file with an unknown
# extension and one with none, with Date (now), Server: preforkd/VERSION,
# Content-Length (the size), the Content-Type of the extension, and
# Last-Modified (the file's mtime), a strong quoted ETag and Accept-Ranges:
# bytes; "/" serves index.html.  HEAD gives the same fields and no body at
# all.  A missing file is a 404 with a small HTML body, and the connection
# stays usable.  wget fetches a file identical to the original.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
[ -n "$version" ] || pf_fail "no version in $top_srcdir/configure.ac"

www=$PF_TMP/www
mkdir -p "$www/docs"
printf 'hello, world\n' >"$www/docs/hello.txt"
{
	printf '<!DOCTYPE html>\n<html><head><title>t</title></head><body>\n'
	for i in $(seq 1 200); do printf '<p>line %d</p>\n' "$i"; done
	printf '</body></html>\n'
} >"$www/index.html"
printf 'body { color: red; }\n' >"$www/style.css"
head -c 3000 /dev/urandom >"$www/pixel.png"
head -c 5M /dev/urandom >"$www/big.bin.xyzzy"
head -c 1000 /dev/urandom >"$www/noext"
touch -d '2020-01-02 03:04:05 UTC' "$www/docs/hello.txt"

pf_write_http_conf "$PF_TMP/http.conf" "$www" workers=2
pf_start

# check_file NAME URLPATH FILE TYPE: GET URLPATH returned FILE, with the
# fields every file response carries.
check_file() {
	local name=$1 path=$2 file=$3 type=$4 h size v
	pf_expect "$name" "$path" 200
	h=$PF_TMP/$name.head
	cmp "$file" "$PF_TMP/$name.body" ||
		pf_fail "GET $path: the body differs from $file"
	size=$(stat -c %s "$file")
	v=$(pf_header "$h" Content-Length)
	[ "$v" = "$size" ] || pf_fail "GET $path: Content-Length '$v', want $size"
	v=$(pf_header "$h" Content-Type)
	[ "$v" = "$type" ] || pf_fail "GET $path: Content-Type '$v', want '$type'"
	v=$(pf_header "$h" Server)
	[ "$v" = "preforkd/$version" ] ||
		pf_fail "GET $path: Server '$v', want preforkd/$version"
	v=$(pf_header "$h" Last-Modified)
	[ "$v" = "$(date -u -r "$file" '+%a, %d %b %Y %H:%M:%S GMT')" ] ||
		pf_fail "GET $path: Last-Modified '$v', file mtime $(date -u -r "$file")"
	v=$(pf_header "$h" ETag)
	printf '%s\n' "$v" | grep -Eq '^"[^"]+"$' ||
		pf_fail "GET $path: ETag '$v' is not a strong quoted entity tag"
	v=$(pf_header "$h" Accept-Ranges)
	[ "$v" = bytes ] || pf_fail "GET $path: Accept-Ranges '$v', want bytes"
	v=$(pf_header "$h" Date)
	printf '%s\n' "$v" | grep -Eq '^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$' ||
		pf_fail "GET $path: Date '$v' is not an IMF-fixdate"
	v=$(( $(date -d "$v" +%s) - $(date +%s) ))
	[ "${v#-}" -le 60 ] || pf_fail "GET $path: Date is $v s away from now"
}

check_file hello /docs/hello.txt "$www/docs/hello.txt" "text/plain; charset=utf-8"
etag1=$(pf_header "$PF_TMP/hello.head" ETag)
check_file index /index.html "$www/index.html" "text/html; charset=utf-8"
check_file root / "$www/index.html" "text/html; charset=utf-8"
check_file css /style.css "$www/style.css" "text/css; charset=utf-8"
check_file png /pixel.png "$www/pixel.png" image/png
check_file big /big.bin.xyzzy "$www/big.bin.xyzzy" application/octet-stream
check_file noext /noext "$www/noext" application/octet-stream
pf_note "GET: 7 files, exact bytes and fields"

# A changed file gets another ETag.
printf 'hello, world!\n' >"$www/docs/hello.txt"
touch -d '2020-01-02 03:04:06 UTC' "$www/docs/hello.txt"
check_file hello2 /docs/hello.txt "$www/docs/hello.txt" "text/plain; charset=utf-8"
[ "$(pf_header "$PF_TMP/hello2.head" ETag)" != "$etag1" ] ||
	pf_fail "a changed file kept its ETag $etag1"

# HEAD: the same fields as GET (but Date), and not one byte of body, even
# on a kept-alive connection: the raw bytes end with the blank line.
pf_expect hhead /index.html 200 -I
diff <(tr -d '\r' <"$PF_TMP/index.head" | grep -v '^Date:') \
	<(tr -d '\r' <"$PF_TMP/hhead.head" | grep -v '^Date:') >&2 ||
	pf_fail "HEAD /index.html: the fields differ from GET's"
pf_raw head 'HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\nHEAD /noext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' --hold 5
[ "$PF_RAW_HOW" = eof ] || pf_fail "HEAD with Connection: close: the server did not close ($PF_RAW_HOW)"
[ "$(pf_statuses "$PF_TMP/head.out")" = "200 200" ] ||
	pf_fail "two HEADs: statuses '$(pf_statuses "$PF_TMP/head.out")', want '200 200'"
[ "$(tail -c 4 "$PF_TMP/head.out" | od -An -c | tr -d ' ')" = '\r\n\r\n' ] ||
	pf_fail "HEAD: bytes after the response head"
[ "$(grep -c '^Content-Length: ' "$PF_TMP/head.out")" = 2 ] &&
	grep -q "^Content-Length: $(stat -c %s "$www/index.html")"$'\r'"\$" "$PF_TMP/head.out" ||
	pf_fail "HEAD: no Content-Length of the file: $(cat "$PF_TMP/head.out")"
n=$(wc -c <"$PF_TMP/head.out")
[ "$n" -lt 1000 ] || pf_fail "HEAD: $n bytes came back: bodies were sent"
pf_note "HEAD: same fields, no body"

# 404: a small HTML page, and the connection is not refused for it.
pf_expect missing /no/such/file.html 404
v=$(pf_header "$PF_TMP/missing.head" Content-Type)
[ "$v" = "text/html; charset=utf-8" ] || pf_fail "404: Content-Type '$v'"
n=$(wc -c <"$PF_TMP/missing.body")
[ "$n" -gt 0 ] && [ "$n" -lt 2048 ] && grep -q '<' "$PF_TMP/missing.body" ||
	pf_fail "404: body of $n bytes is not a small HTML page"
[ "$(pf_header "$PF_TMP/missing.head" Content-Length)" = "$n" ] ||
	pf_fail "404: Content-Length is not the body's $n bytes"
out=$(curl -sS --max-time "$PF_HTTP_TIME" -o /dev/null -o "$PF_TMP/after404" \
	-w '%{http_code} %{num_connects}\n' "http://127.0.0.1:$PF_PORT/nope" \
	"http://127.0.0.1:$PF_PORT/docs/hello.txt") || pf_fail "curl after 404: $out"
[ "$(printf '%s' "$out" | tr '\n' ' ')" = "404 1 200 0" ] ||
	pf_fail "404 then 200 on one connection: got '$out' (want 404 1, 200 0)"
cmp "$www/docs/hello.txt" "$PF_TMP/after404" || pf_fail "the GET after a 404 differs"
pf_note "404: small HTML page, connection kept"

if command -v wget >/dev/null; then
	timeout 30 wget -q -T "$PF_HTTP_TIME" -t 1 -O "$PF_TMP/wget.out" \
		"http://127.0.0.1:$PF_PORT/big.bin.xyzzy" || pf_fail "wget failed"
	cmp "$www/big.bin.xyzzy" "$PF_TMP/wget.out" || pf_fail "wget: the file differs"
	pf_note "wget: 5 MiB identical"
else
	pf_note "no wget here: that part skipped"
fi

pf_check_log_format
pf_stop_ok
