#!/usr/bin/env bash
# http_errors: requests the http service refuses, sent as raw bytes.
# POST, PUT, DELETE and BREW are 405 with "Allow: GET, HEAD"; "GE(T" is
# 400; HTTP/2.0 is 505; HTTP/1.1 without Host is 400 (HTTP/1.0 without
# Host is served); Transfer-Encoding: chunked is 501; with
# max_header_size = 1024 a longer request line is 414 and longer header
# fields 431; obs-fold and a duplicate Content-Length are 400.  Every
# refusal carries "Connection: close" and the server closes the
# connection itself (the client never shuts down its side), even when
# the request asked for keep-alive.  Bare LF line ends are accepted.  A
# 404 is not a refusal: that connection stays open.  Afterwards the same
# workers serve, and nothing was logged above info.
set -eu
PF_TIMEOUT=90
. "$(dirname "$0")/lib.sh"

www=$PF_TMP/www
mkdir -p "$www"
printf '<p>home</p>\n' >"$www/index.html"

pf_write_http_conf "$PF_TMP/http.conf" "$www" workers=2 \
	http.max_header_size=1024 timeouts.keepalive=10
pf_start

H='Host: x\r\n'
for m in POST PUT DELETE BREW; do
	pf_refused "m$m" 405 "$m /index.html HTTP/1.1\\r\\n${H}Content-Length: 0\\r\\n\\r\\n"
	v=$(pf_header "$PF_TMP/m$m.out" Allow)
	[ "$v" = 'GET, HEAD' ] || pf_fail "$m: Allow '$v', want 'GET, HEAD'"
done
pf_refused mbody 405 "POST /index.html HTTP/1.1\\r\\n${H}Content-Length: 5\\r\\n\\r\\nhello"
pf_refused badmethod 400 "GE(T / HTTP/1.1\\r\\n$H\\r\\n"
pf_note "methods: 405 with Allow: GET, HEAD; a bad token 400"

pf_refused v2 505 "GET / HTTP/2.0\\r\\n$H\\r\\n"
pf_refused nohost 400 'GET / HTTP/1.1\r\n\r\n'
pf_refused nohostka 400 'GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n'
pf_raw v10 'GET / HTTP/1.0\r\n\r\n' --hold 5
[ "$PF_CODE" = 200 ] || pf_fail "HTTP/1.0 without Host: status '$PF_CODE', want 200"
cmp <(printf '<p>home</p>\n') <(tail -c 12 "$PF_TMP/v10.out") ||
	pf_fail "HTTP/1.0 without Host: not index.html"
pf_refused chunkedget 501 "GET / HTTP/1.1\\r\\n${H}Transfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n"
pf_note "versions: 2.0 505, 1.1 without Host 400, 1.0 without 200; chunked 501"

long=$(printf 'a%.0s' $(seq 1 1100))
pf_refused longline 414 "GET /$long HTTP/1.1\\r\\n$H\\r\\n"
pf_refused longline2 414 "GET /$long$long$long$long HTTP/1.1\\r\\n$H\\r\\n"
fields=
for i in $(seq 1 30); do fields="${fields}X-Field-$i: $(printf 'v%.0s' $(seq 1 40))\\r\\n"; done
pf_refused longfields 431 "GET / HTTP/1.1\\r\\n$H$fields\\r\\n"
pf_refused longfield 431 "GET / HTTP/1.1\\r\\n${H}X-Big: $long\\r\\n\\r\\n"
# Within the limit: served.
pf_raw fits "GET /?$(printf 'q%.0s' $(seq 1 900)) HTTP/1.1\\r\\n${H}Connection: close\\r\\n\\r\\n" --hold 5
[ "$PF_CODE" = 200 ] || pf_fail "a 940-byte head: status '$PF_CODE', want 200"
pf_note "limits: 414 and 431 past 1024 bytes"

pf_refused fold 400 "GET / HTTP/1.1\\r\\n${H}X-A: 1\\r\\n  folded\\r\\n\\r\\n"
pf_refused foldtab 400 "GET / HTTP/1.1\\r\\n${H}X-A: 1\\r\\n\\tfolded\\r\\n\\r\\n"
pf_refused dupcl 400 "GET / HTTP/1.1\\r\\n${H}Content-Length: 0\\r\\nContent-Length: 0\\r\\n\\r\\n"
pf_refused dupcl2 400 "GET / HTTP/1.1\\r\\n${H}Content-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\nabcd"
pf_refused garbage 400 '\x01\x02\x03 junk\r\n\r\n'
pf_raw lf 'GET / HTTP/1.1\nHost: x\nConnection: close\n\n' --hold 5
[ "$PF_CODE" = 200 ] || pf_fail "bare LF line ends: status '$PF_CODE', want 200"
[ "$PF_RAW_HOW" = eof ] || pf_fail "bare LF with Connection: close: not closed ($PF_RAW_HOW)"
pf_note "obs-fold and duplicate Content-Length 400; bare LF accepted"

# A 404 keeps the connection (keepalive is 10 s here).
pf_raw nf "GET /missing HTTP/1.1\\r\\n$H\\r\\n" --hold 1.5
[ "$PF_CODE" = 404 ] || pf_fail "GET /missing: status '$PF_CODE', want 404"
[ "$PF_RAW_HOW" = open ] || pf_fail "after a 404 the server closed the connection ($PF_RAW_HOW)"
! pf_has_header "$PF_TMP/nf.out" Connection || pf_fail "404 with a Connection field"

[ "$(pf_workers "$PF_PID")" = "$PF_WORKERS" ] ||
	pf_fail "workers changed: '$(pf_workers "$PF_PID")', were '$PF_WORKERS'"
pf_expect after / 200
pf_no_warnings "in the log"
pf_check_log_format
pf_stop_ok
