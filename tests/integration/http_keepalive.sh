#!/usr/bin/env bash
# http_keepalive: connection reuse.  HTTP/1.1 keeps the connection (curl
# fetching two URLs connects once; a raw connection stays open), and so
# does HTTP/1.0 with "Connection: keep-alive" (answered with
# "Connection: keep-alive"); "Connection: close" and plain HTTP/1.0 get
# "Connection: close" and the server closes at once.  20 pipelined
# requests in one write, for 20 different files or HEAD and GET of one
# file in turn, are answered in order, each with its own body or none.
# With keepalive_requests = 3 the third response says "Connection: close"
# and the server closes after it (curl then reconnects for a fourth).
# TERM while a kept-alive connection is idle: the client's next request,
# sent after the TERM, still gets a full answer with "Connection: close",
# the connection ends, and preforkd exits 0.
set -eu
PF_TIMEOUT=90
. "$(dirname "$0")/lib.sh"

www=$PF_TMP/www
mkdir -p "$www"
for i in $(seq -w 1 20); do printf 'file-%s\n' "$i" >"$www/f$i"; done
printf '<p>home</p>\n' >"$www/index.html"
url=

# pipeline FILE BODIES: FILE holds only whole 200 responses, as many as
# the words of BODIES, in order; each with the body that word names
# (one line), or none for "-".
pipeline() {
	awk -v want="$2" '
	BEGIN { n = split(want, w, " "); i = 0; st = "status" }
	{ sub(/\r$/, "") }
	st == "status" {
		i++
		if ($0 !~ /^HTTP\/1\.1 200 /) { print "response " i ": " $0; bad = 1; exit }
		st = "head"; next
	}
	st == "head" { if ($0 == "") st = w[i] == "-" ? "status" : "body"; next }
	st == "body" {
		if ($0 != w[i]) { print "response " i ": body " $0 ", want " w[i]; bad = 1; exit }
		st = "status"; next
	}
	END {
		if (!bad && (i != n || st != "status")) { print i " responses, want " n; bad = 1 }
		exit bad
	}' "$1"
}

# keepalive_requests = 3.
pf_write_http_conf "$PF_TMP/ka3.conf" "$www" workers=2 \
	http.keepalive_requests=3 timeouts.keepalive=10
pf_start
url=http://127.0.0.1:$PF_PORT
req=
for i in 01 02 03; do req="${req}GET /f$i HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"; done
pf_raw ka3 "$req" --hold 5
why=$(pipeline "$PF_TMP/ka3.out" "file-01 file-02 file-03") ||
	pf_fail "3 pipelined requests: $why"
[ "$(grep -c '^Connection: close' "$PF_TMP/ka3.out")" = 1 ] &&
	[ "$(tr -d '\r' <"$PF_TMP/ka3.out" | grep '^Connection: ' | tail -n 1)" = 'Connection: close' ] ||
	pf_fail "keepalive_requests = 3: 'Connection: close' not on the third response only:
$(tr -d '\r' <"$PF_TMP/ka3.out" | grep -E '^(HTTP|Connection)')"
[ "$PF_RAW_HOW" = eof ] && pf_between "$PF_RAW_SECS" 0 2 ||
	pf_fail "keepalive_requests = 3: after the third response: $PF_RAW_HOW after $PF_RAW_SECS s, want eof at once"
out=$(curl -sS --max-time "$PF_HTTP_TIME" -o /dev/null -o /dev/null -o /dev/null \
	-o /dev/null -w '%{num_connects} ' "$url/f01" "$url/f02" "$url/f03" "$url/f04") ||
	pf_fail "curl with 4 URLs failed: $out"
[ "$out" = "1 0 0 1 " ] || pf_fail "keepalive_requests = 3: curl's connects for 4 URLs '$out', want '1 0 0 1'"
pf_note "keepalive_requests = 3: closed after the third"
pf_stop_ok

# The defaults (100 requests), an idle connection kept 10 s.
pf_write_http_conf "$PF_TMP/http.conf" "$www" workers=2 timeouts.keepalive=10
pf_start
url=http://127.0.0.1:$PF_PORT

out=$(curl -sS --max-time "$PF_HTTP_TIME" -o "$PF_TMP/c1" -o "$PF_TMP/c2" \
	-w '%{num_connects} ' "$url/f01" "$url/f02") || pf_fail "curl with 2 URLs failed: $out"
[ "$out" = "1 0 " ] || pf_fail "HTTP/1.1: curl's connects for 2 URLs '$out', want '1 0'"
cmp "$www/f01" "$PF_TMP/c1" && cmp "$www/f02" "$PF_TMP/c2" || pf_fail "curl with 2 URLs: wrong bodies"

# kept NAME REQUEST CONNECTION: answered 200 with that Connection field
# ("" for none), the connection still open 1.5 s later.
kept() {
	pf_raw "$1" "$2" --hold 1.5
	[ "$PF_CODE" = 200 ] || pf_fail "$1: status '$PF_CODE', want 200"
	[ "$(pf_header "$PF_TMP/$1.out" Connection)" = "$3" ] ||
		pf_fail "$1: Connection '$(pf_header "$PF_TMP/$1.out" Connection)', want '$3'"
	[ "$PF_RAW_HOW" = open ] || pf_fail "$1: the server closed the connection ($PF_RAW_HOW after $PF_RAW_SECS s)"
}
# closed NAME REQUEST: answered 200 with Connection: close, and the server
# closes at once (keepalive is 10 s).
closed() {
	pf_raw "$1" "$2" --hold 5
	[ "$PF_CODE" = 200 ] || pf_fail "$1: status '$PF_CODE', want 200"
	[ "$(pf_header "$PF_TMP/$1.out" Connection)" = close ] ||
		pf_fail "$1: Connection '$(pf_header "$PF_TMP/$1.out" Connection)', want close"
	[ "$PF_RAW_HOW" = eof ] && pf_between "$PF_RAW_SECS" 0 2 ||
		pf_fail "$1: $PF_RAW_HOW after $PF_RAW_SECS s, want eof at once"
}
kept k11 'GET /f01 HTTP/1.1\r\nHost: x\r\n\r\n' ''
kept k10 'GET /f01 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' keep-alive
kept k10b 'GET /f01 HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n' keep-alive
closed c11 'GET /f01 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
closed c10 'GET /f01 HTTP/1.0\r\n\r\n'
closed c10h 'GET /f01 HTTP/1.0\r\nHost: x\r\n\r\n'
pf_note "keep-alive: 1.1 and 1.0 keep-alive kept; close and plain 1.0 closed"

# Pipelining: 20 files in one write.
req=
bodies=
for i in $(seq -w 1 20); do
	c=
	[ "$i" != 20 ] || c='Connection: close\r\n'
	req="${req}GET /f$i HTTP/1.1\\r\\nHost: x\\r\\n$c\\r\\n"
	bodies="$bodies file-$i"
done
pf_raw pipe20 "$req" --hold 5
why=$(pipeline "$PF_TMP/pipe20.out" "$bodies") || pf_fail "20 pipelined GETs: $why"
[ "$PF_RAW_HOW" = eof ] || pf_fail "20 pipelined GETs: not closed after the last ($PF_RAW_HOW)"
# HEAD and GET of one file in turn: a body after every GET only.
req=
bodies=
for i in $(seq 1 20); do
	c=
	[ "$i" != 20 ] || c='Connection: close\r\n'
	if [ $((i % 2)) = 1 ]; then
		req="${req}HEAD /f07 HTTP/1.1\\r\\nHost: x\\r\\n$c\\r\\n"
		bodies="$bodies -"
	else
		req="${req}GET /f07 HTTP/1.1\\r\\nHost: x\\r\\n$c\\r\\n"
		bodies="$bodies file-07"
	fi
done
pf_raw pipemix "$req" --hold 5
why=$(pipeline "$PF_TMP/pipemix.out" "$bodies") || pf_fail "20 pipelined HEAD/GET: $why"
[ "$(grep -c '^HTTP/1.1 200 ' "$PF_TMP/pipemix.out")" = 20 ] || pf_fail "20 pipelined HEAD/GET: not 20 responses"
pf_note "pipelining: 20 answered in order, twice"

# TERM while a kept-alive connection is idle.  bash's /dev/tcp is the
# client: one request, TERM, then another request.
exec 3<>"/dev/tcp/127.0.0.1/$PF_PORT" || pf_fail "cannot connect to 127.0.0.1:$PF_PORT"
printf 'GET /f01 HTTP/1.1\r\nHost: x\r\n\r\n' >&3
pf_response 3 "before TERM"
[ "$PF_RESP_STATUS $PF_RESP_CONN" = "200 " ] && [ "$PF_RESP_BODY" = $'file-01\n' ] ||
	pf_fail "before TERM: '$PF_RESP_STATUS' '$PF_RESP_CONN' '$PF_RESP_BODY'"
pf_record_workers "$PF_PID"
kill -TERM "$PF_PID"
sleep 1
pf_alive "$PF_PID" || pf_fail "preforkd exited while a kept-alive connection was idle"
printf 'GET /f02 HTTP/1.1\r\nHost: x\r\n\r\n' >&3 ||
	pf_fail "after TERM: the request could not be sent"
pf_response 3 "after TERM"
[ "$PF_RESP_STATUS $PF_RESP_CONN" = "200 close" ] && [ "$PF_RESP_BODY" = $'file-02\n' ] ||
	pf_fail "after TERM: status '$PF_RESP_STATUS', Connection '$PF_RESP_CONN', body '$PF_RESP_BODY' (want 200, close, file-02)"
rc=0
read -r -t "$PF_HTTP_TIME" line <&3 || rc=$?
[ "$rc" = 1 ] || pf_fail "after TERM: the connection did not end after the response (read: $rc '${line:-}')"
exec 3<&-
pf_wait_exit "$PF_PID" 15 || pf_fail "preforkd still runs 15 s after TERM"
[ "$PF_STATUS" = 0 ] || pf_fail "preforkd exited with status $PF_STATUS on TERM"
pf_note "TERM with an idle keep-alive: one more request answered, Connection: close, exit 0"
pf_check_log_format
