#!/usr/bin/env bash
# http_ranges: byte ranges and conditional requests on a 1000-byte file.
# "bytes=0-4", "bytes=-5", "bytes=5-" and "bytes=990-2000" are 206 with
# the right Content-Range, Content-Length and bytes (cmp against the file);
# "bytes=1000-" is 416 with "Content-Range: bytes */1000" and keeps the
# connection; several ranges or an invalid one give the whole file (200).
# If-None-Match with the file's ETag, or "*", is 304 with no body and no
# Content-Length; another etag is 200.  If-Modified-Since with the
# Last-Modified value is 304, an older date 200; If-None-Match wins over
# If-Modified-Since either way.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

www=$PF_TMP/www
mkdir -p "$www"
f=$www/data.bin
head -c 1000 /dev/urandom >"$f"
touch -d '2021-03-04 05:06:07 UTC' "$f"

pf_write_http_conf "$PF_TMP/http.conf" "$www" workers=2
pf_start

# part NAME RANGE STATUS CONTENT_RANGE SKIP COUNT: GET with Range: RANGE
# is STATUS with that Content-Range and the COUNT bytes of the file from
# SKIP.
part() {
	local name=$1 range=$2 status=$3 want=$4 skip=$5 count=$6 v
	pf_expect "$name" /data.bin "$status" -H "Range: $range"
	v=$(pf_header "$PF_TMP/$name.head" Content-Range)
	[ "$v" = "$want" ] || pf_fail "Range: $range: Content-Range '$v', want '$want'"
	v=$(pf_header "$PF_TMP/$name.head" Content-Length)
	[ "$v" = "$count" ] || pf_fail "Range: $range: Content-Length '$v', want $count"
	tail -c +$((skip + 1)) "$f" | head -c "$count" >"$PF_TMP/$name.want"
	cmp "$PF_TMP/$name.want" "$PF_TMP/$name.body" ||
		pf_fail "Range: $range: not bytes $skip.. ($count) of the file"
}

# whole NAME RANGE: GET with Range: RANGE is the whole file, 200.
whole() {
	pf_expect "$1" /data.bin 200 -H "Range: $2"
	! pf_has_header "$PF_TMP/$1.head" Content-Range ||
		pf_fail "Range: $2: 200 with a Content-Range"
	cmp "$f" "$PF_TMP/$1.body" || pf_fail "Range: $2: not the whole file"
}

part first5 bytes=0-4 206 'bytes 0-4/1000' 0 5
part last5 bytes=-5 206 'bytes 995-999/1000' 995 5
part from5 bytes=5- 206 'bytes 5-999/1000' 5 995
part one bytes=500-500 206 'bytes 500-500/1000' 500 1
part clamp bytes=990-2000 206 'bytes 990-999/1000' 990 10
whole multi bytes=0-1,3-4
whole backwards bytes=5-3
whole junk bytes=abc
whole units items=0-4
pf_note "ranges: 206 for one, 200 for several or invalid"

pf_expect past /data.bin 416 -H 'Range: bytes=1000-'
v=$(pf_header "$PF_TMP/past.head" Content-Range)
[ "$v" = 'bytes */1000' ] || pf_fail "Range: bytes=1000-: Content-Range '$v', want 'bytes */1000'"
# 416 is not a refusal: the connection stays for the next request.
out=$(curl -sS --max-time "$PF_HTTP_TIME" -o /dev/null -o "$PF_TMP/after416" \
	-w '%{http_code} %{num_connects}\n' -H 'Range: bytes=2000-' \
	"http://127.0.0.1:$PF_PORT/data.bin" "http://127.0.0.1:$PF_PORT/data.bin") ||
	pf_fail "curl twice with a bad range: $out"
[ "$(printf '%s' "$out" | tr '\n' ' ')" = "416 1 416 0" ] ||
	pf_fail "two 416s on one connection: got '$out' (want 416 1, 416 0)"
pf_note "bytes=1000-: 416 with bytes */1000, connection kept"

# Conditionals.
pf_expect plain /data.bin 200
etag=$(pf_header "$PF_TMP/plain.head" ETag)
lm=$(pf_header "$PF_TMP/plain.head" Last-Modified)
[ -n "$etag" ] && [ -n "$lm" ] || pf_fail "no ETag or Last-Modified"

# not_modified NAME FIELD...: 304, and no body on the wire (the raw bytes
# end at the blank line), no Content-Length.
not_modified() {
	local name=$1 req='GET /data.bin HTTP/1.1\r\nHost: x\r\n' fld
	shift
	for fld; do req="$req$fld\\r\\n"; done
	pf_raw "$name" "${req}Connection: close\\r\\n\\r\\n" --hold 5
	[ "$PF_CODE" = 304 ] || pf_fail "$*: status '$PF_CODE', want 304
$(head -c 600 "$PF_TMP/$name.out")"
	[ "$(tail -c 4 "$PF_TMP/$name.out" | od -An -c | tr -d ' ')" = '\r\n\r\n' ] ||
		pf_fail "$*: 304 with a body"
	! pf_has_header "$PF_TMP/$name.out" Content-Length ||
		pf_fail "$*: 304 with a Content-Length"
}
# modified NAME FIELD...: 200 and the whole file.
modified() {
	local name=$1 args=() fld
	shift
	for fld; do args+=(-H "$fld"); done
	pf_expect "$name" /data.bin 200 "${args[@]}"
	cmp "$f" "$PF_TMP/$name.body" || pf_fail "$*: not the whole file"
}

not_modified inm "If-None-Match: $etag"
not_modified inmstar 'If-None-Match: *'
not_modified inmlist "If-None-Match: \"nope\", $etag"
modified inmother 'If-None-Match: "not-the-etag"'
not_modified ims "If-Modified-Since: $lm"
modified imsold 'If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT'
modified inmwins 'If-None-Match: "not-the-etag"' "If-Modified-Since: $lm"
not_modified inmwins2 "If-None-Match: $etag" 'If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT'
pf_note "conditionals: 304 without a body for a match, 200 otherwise"

pf_check_log_format
pf_stop_ok
