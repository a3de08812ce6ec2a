#!/usr/bin/env bash
# http_framing: the framing of a request (Host, Content-Length,
# Transfer-Encoding) is judged before its method, as RFC 9112 asks, so
# that no request can be smuggled in a body the server and a proxy frame
# differently.  Each request goes on a fresh connection and the client
# half-closes after its bytes, as a conformance suite sends them:
#   Host: bad host                                   400 (section 3.2)
#   HTTP/1.0 POST with Transfer-Encoding: chunked    400 (6.1)
#   Transfer-Encoding: chunked and Content-Length    400 (6.3)
#   Transfer-Encoding: gzip (chunked not final)      400 (6.3)
#   Transfer-Encoding: chunked, gzip                 400 (6.3)
#   Content-Length: xyz                              400 (6.3)
#   Content-Length 5 twice, or "5, 6"                400 (6.3)
# Their neighbours keep their answers: a well-framed POST (a length, or
# chunked) is 405 with Allow; chunked on GET is 501; "gzip, chunked" is
# 501; a Host with a port or an IPv6 literal is served.  Every refusal
# is one response with Connection: close, and the server closes even
# when the client does not: bytes after the head (a smuggled second
# request) are never answered.  Malformed requests log at info only.
set -eu
PF_TIMEOUT=90
. "$(dirname "$0")/lib.sh"

www=$PF_TMP/www
mkdir -p "$www"
printf '<p>home</p>\n' >"$www/index.html"
printf 'secret\n' >"$www/admin"

pf_write_http_conf "$PF_TMP/http.conf" "$www" workers=2 timeouts.keepalive=10
pf_start

H='Host: localhost\r\n'
smuggled='GET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n'

# The seven requests, half-closed after the bytes.
pf_refused badhost 400 'GET / HTTP/1.1\r\nHost: bad host\r\n\r\n' --timeout 5
pf_refused te10 400 "POST / HTTP/1.0\\r\\n${H}Transfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n0\\r\\n\\r\\n" --timeout 5
pf_refused tecl 400 "POST / HTTP/1.1\\r\\n${H}Transfer-Encoding: chunked\\r\\nContent-Length: 5\\r\\n\\r\\nhello" --timeout 5
pf_refused tegzip 400 "POST / HTTP/1.1\\r\\n${H}Transfer-Encoding: gzip\\r\\n\\r\\nhello" --timeout 5
pf_refused techunkedgzip 400 "POST / HTTP/1.1\\r\\n${H}Transfer-Encoding: chunked, gzip\\r\\n\\r\\n5\\r\\nhello\\r\\n0\\r\\n\\r\\n" --timeout 5
pf_refused clxyz 400 "POST / HTTP/1.1\\r\\n${H}Content-Length: xyz\\r\\n\\r\\nhello" --timeout 5
pf_refused cltwice 400 "POST / HTTP/1.1\\r\\n${H}Content-Length: 5\\r\\nContent-Length: 6\\r\\n\\r\\nhello" --timeout 5
pf_refused cllist 400 "POST / HTTP/1.1\\r\\n${H}Content-Length: 5, 6\\r\\n\\r\\nhello" --timeout 5
pf_note "the seven faulty framings: 400, one response, closed"

# The same faults hiding a second request, the client keeping its side
# open: still one answer, and the server closes.
pf_refused smuggle_tecl 400 "POST / HTTP/1.1\\r\\n${H}Content-Length: 44\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n$smuggled"
pf_refused smuggle_te10 400 "GET / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\nConnection: keep-alive\\r\\n\\r\\n0\\r\\n\\r\\n$smuggled"
pf_refused smuggle_gzip 400 "POST / HTTP/1.1\\r\\n${H}Transfer-Encoding: gzip\\r\\n\\r\\n$smuggled"
pf_refused smuggle_chunked 405 "POST / HTTP/1.1\\r\\n${H}Transfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n$smuggled"
pf_refused smuggle_cl 405 "POST / HTTP/1.1\\r\\n${H}Content-Length: 5\\r\\n\\r\\nhello$smuggled"
pf_note "a request behind a faulty or refused body is never answered"

# Neighbours: well-framed requests keep their answers.
for m in POST PUT; do
	pf_refused "ok$m" 405 "$m / HTTP/1.1\\r\\n${H}Content-Length: 5\\r\\n\\r\\nhello" --timeout 5
	v=$(pf_header "$PF_TMP/ok$m.out" Allow)
	[ "$v" = 'GET, HEAD' ] || pf_fail "$m with a length: Allow '$v', want 'GET, HEAD'"
done
pf_refused postchunked 405 "POST / HTTP/1.1\\r\\n${H}Transfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n0\\r\\n\\r\\n" --timeout 5
pf_refused post10 405 'POST / HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello' --timeout 5
pf_refused getchunked 501 "GET / HTTP/1.1\\r\\n${H}Transfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n" --timeout 5
pf_refused gzipchunked 501 "POST / HTTP/1.1\\r\\n${H}Transfer-Encoding: gzip, chunked\\r\\n\\r\\n0\\r\\n\\r\\n" --timeout 5
pf_refused badhost10 400 'GET / HTTP/1.0\r\nHost: a/b\r\n\r\n' --timeout 5
pf_refused badauthority 400 'GET http://bad%zz/ HTTP/1.1\r\nHost: localhost\r\n\r\n' --timeout 5
for host in "localhost:$PF_PORT" 127.0.0.1 '[::1]:8080' www.example.com; do
	pf_raw "host$host" "GET / HTTP/1.1\\r\\nHost: $host\\r\\nConnection: close\\r\\n\\r\\n" --timeout 5
	[ "$PF_CODE" = 200 ] || pf_fail "Host: $host: status '$PF_CODE', want 200"
done
pf_note "a sound POST 405, chunked GET 501, gzip 501; valid Hosts served"

# The pool is the same, and serves.
[ "$(pf_workers "$PF_PID")" = "$PF_WORKERS" ] ||
	pf_fail "workers changed: '$(pf_workers "$PF_PID")', were '$PF_WORKERS'"
pf_expect after / 200
n=$(pf_log_count 'GET /admin')
[ "$n" = 0 ] || pf_fail "a smuggled request was served: $(grep 'GET /admin' "$PF_LOG")"
pf_no_warnings "in the log"
pf_check_log_format
pf_stop_ok
