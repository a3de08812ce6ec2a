#!/usr/bin/env bash
# http_timeouts: with timeouts.read = 2 and timeouts.keepalive = 1.  A
# client that sends part of a request head and then nothing gets 408 with
# "Connection: close" after about 2 s, and the connection ends; so does a
# client that trickles a header byte every 0.2 s (the head must be whole
# within 2 s of its first byte, however steadily it comes), and one whose
# second request on a kept connection stops half-way.  A client that
# connects and sends nothing is closed after about 2 s without a byte.
# After an answered request, an idle kept-alive connection is closed
# after about 1 s, without a byte more.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

www=$PF_TMP/www
mkdir -p "$www"
printf '<p>home</p>\n' >"$www/index.html"

pf_write_http_conf "$PF_TMP/http.conf" "$www" workers=2 \
	timeouts.read=2 timeouts.keepalive=1
pf_start

# Slack for a slow machine or valgrind.
hi=4.5

pf_raw part 'GET / HTTP/1.1\r\nHost: x\r\n' --hold 10
[ "$(pf_statuses "$PF_TMP/part.out")" = 408 ] ||
	pf_fail "a partial head: responses '$(pf_statuses "$PF_TMP/part.out")', want one 408"
[ "$(pf_header "$PF_TMP/part.out" Connection)" = close ] || pf_fail "408 without Connection: close"
[ "$PF_RAW_HOW" = eof ] || [ "$PF_RAW_HOW" = reset ] ||
	pf_fail "a partial head: the connection is $PF_RAW_HOW after $PF_RAW_SECS s"
pf_between "$PF_RAW_SECS" 1.5 "$hi" || pf_fail "a partial head: closed after $PF_RAW_SECS s, want about 2"
pf_note "partial head: 408 and closed after $PF_RAW_SECS s"

# A head trickling in: bash's /dev/tcp, a background writer.
exec 3<>"/dev/tcp/127.0.0.1/$PF_PORT" || pf_fail "cannot connect to 127.0.0.1:$PF_PORT"
t0=$(pf_now_ms)
# shellcheck disable=SC2016
pf_bg bash -c 'trap "exit 0" PIPE
	printf "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " >&3 || exit 0
	for i in $(seq 1 50); do sleep 0.2; printf a >&3 || exit 0; done' 2>/dev/null
line=
read -r -t 10 line <&3 || pf_fail "a trickling head: no answer within 10 s"
secs=$(awk -v ms=$(($(pf_now_ms) - t0)) 'BEGIN { printf "%.3f", ms / 1000 }')
exec 3<&-
case $line in
"HTTP/1.1 408 "*) ;;
*) pf_fail "a trickling head: got '$line', want 408" ;;
esac
pf_between "$secs" 1.5 "$hi" || pf_fail "a trickling head: 408 after $secs s, want about 2"
pf_note "trickling head: 408 after $secs s"

# The second request on a kept connection stops half-way: 408 after 2 s
# (the read timeout, not keepalive's 1 s, once it has begun).
pf_raw part2 'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n' --hold 10
[ "$(pf_statuses "$PF_TMP/part2.out")" = "200 408" ] ||
	pf_fail "a second partial head: responses '$(pf_statuses "$PF_TMP/part2.out")', want 200 408"
[ "$PF_RAW_HOW" = eof ] || [ "$PF_RAW_HOW" = reset ] ||
	pf_fail "a second partial head: the connection is $PF_RAW_HOW after $PF_RAW_SECS s"
pf_between "$PF_RAW_SECS" 1.5 "$hi" || pf_fail "a second partial head: closed after $PF_RAW_SECS s, want about 2"
pf_note "second partial head: 200, 408 and closed after $PF_RAW_SECS s"

out=$("$PFTOOL" silent -p "$PF_PORT" -s 10 2>"$PF_TMP/silent.err") ||
	pf_fail "a silent client was not closed within 10 s: $out"
! grep -q 'sent' "$PF_TMP/silent.err" ||
	pf_fail "a silent client was sent bytes: $(cat "$PF_TMP/silent.err")"
secs=${out%% *}
pf_between "$secs" 1.5 "$hi" || pf_fail "a silent client was closed after $secs s, want about 2"
pf_note "silent client: $out"

pf_raw idle 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' --hold 10
[ "$(pf_statuses "$PF_TMP/idle.out")" = 200 ] ||
	pf_fail "idle keep-alive: responses '$(pf_statuses "$PF_TMP/idle.out")', want one 200"
[ "$(tail -c 12 "$PF_TMP/idle.out")" = '<p>home</p>' ] ||
	pf_fail "idle keep-alive: bytes after the response: $(tail -c 200 "$PF_TMP/idle.out")"
[ "$PF_RAW_HOW" = eof ] || pf_fail "idle keep-alive: the connection is $PF_RAW_HOW after $PF_RAW_SECS s"
pf_between "$PF_RAW_SECS" 0.7 3.5 || pf_fail "idle keep-alive: closed after $PF_RAW_SECS s, want about 1"
pf_note "idle keep-alive: closed after $PF_RAW_SECS s"

pf_check_log_format
pf_stop_ok
