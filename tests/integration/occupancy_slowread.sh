#!/usr/bin/env bash
# occupancy_slowread: a client that reads a response slowly cannot keep
# the only worker while others wait.
# With workers = 1 and a 32 MiB file (more than the socket buffers hold):
#  - a client that asks for it and reads nothing for 3 s, no one else
#    waiting, then reads it all, gets every byte;
#  - the same client with another one asking for a small file meanwhile:
#    the small file is answered at once, the slow client's response waits
#    in the parker (the status page counts it as sending=1), and once the
#    client reads it still gets every byte, nothing cut;
#  - a pfload run of 20 slow readers (reading 32 bytes every 0.5 s on a
#    2 KiB receive buffer) leaves a client making requests at least 95 %
#    of them answered within 2 s;
#  - the same with a 256 KiB file, whose answer the socket takes whole:
#    with timeouts.keepalive = 1 each connection is closed while its
#    client still reads, and the lingering close (up to timeouts.linger =
#    2 s, its client sending nothing) waits in the parker too, not in the
#    worker: still at least 95 % answered;
#  - with no parker (parker.connections = 0) the response of a slow
#    reader that keeps others waiting is cut instead (timeouts.min_rate),
#    and an info line says why.
set -eu
PF_TIMEOUT=150
. "$(dirname "$0")/lib.sh"

www=$PF_TMP/www
mkdir -p "$www"
big=$((32 * 1024 * 1024))
head -c "$big" /dev/zero >"$www/big"
head -c $((256 * 1024)) /dev/zero >"$www/mid"
printf 'small\n' >"$www/small"

# slow_client: ask for /big on fd 3 and read nothing yet.
slow_client() {
	exec 3<>"/dev/tcp/127.0.0.1/$PF_PORT" || pf_fail "cannot connect"
	printf 'GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3
}

# drain: read fd 3 to its end (bounded); how many bytes came.
drain() {
	timeout 20 cat <&3 | wc -c
	exec 3<&-
}

# slow_readers N MIN_PCT LEGIT_TIMEOUT_S: N slow readers of /big, and a
# client making requests for /small meanwhile: at least MIN_PCT % of them
# answered within LEGIT_TIMEOUT_S.
slow_readers() {
	local pct
	pf_load --attack slowread -c "$1" --attack-path "${path:-/big}" --read-bytes 32 \
		--interval-ms 500 --ramp 2 --duration 6 --legit seq --path /small \
		--legit-timeout "$3"
	pct=$(pf_load_get success_pct)
	pf_between "$pct" "$2" 100 ||
		pf_fail "behind $1 slow readers the client got $pct % answered, want >= $2 % ($PF_LOAD_OUT)"
}

# behind_slow_reader: a slow reader takes the only worker (on fd 3), then
# a request for /small; took: how long it took, in ms.
behind_slow_reader() {
	local t0
	slow_client
	sleep 0.5
	t0=$(pf_now_ms)
	pf_expect small /small 200
	took=$(($(pf_now_ms) - t0))
}

pf_write_http_conf "$PF_TMP/http.conf" "$www" workers=1
pf_start

slow_client
sleep 3
got=$(drain)
[ "$got" -gt "$big" ] ||
	pf_fail "a slow reader alone got $got bytes, want the whole file ($big and its head)"
pf_note "alone: a reader that paused 3 s got all $got bytes"

behind_slow_reader
pf_note "a request behind the slow reader answered after $took ms"
[ "$took" -lt 2000 ] ||
	pf_fail "a request behind a slow reader took $took ms, want it answered while the reader waits in the parker"
# The parker reports and the board is published within moments: look
# for up to 3 s.
end=$(($(pf_now_ms) + 3000))
until pf_get status /server-status &&
	grep -Eq '^parker [0-9]+ generation=1 state=busy held=1 reading=0 sending=1 ' "$PF_TMP/status.body"; do
	[ "$(pf_now_ms)" -lt "$end" ] || break
	sleep 0.2
done
grep -Eq '^parker [0-9]+ generation=1 state=busy held=1 reading=0 sending=1 ' "$PF_TMP/status.body" ||
	pf_fail "the status page does not show the slow reader's response waiting in the parker:
$(cat "$PF_TMP/status.body")"
got=$(drain)
[ "$got" -gt "$big" ] ||
	pf_fail "the slow reader got $got bytes, want the whole file: a parked response must not be cut"
pf_note "parked: the slow reader still got all $got bytes"

slow_readers 20 95 2
pf_no_warnings "behind slow readers"
pf_stop_ok

# Answers the socket takes whole: the slow readers' connections close
# (keep-alive timeout) while their clients still read.
pf_write_http_conf "$PF_TMP/closing.conf" "$www" workers=1 \
	timeouts.keepalive=1 timeouts.linger=2
pf_start
path=/mid slow_readers 20 95 2
pf_note "behind 20 slow readers in their lingering close: $(pf_load_get success_pct) % answered"
pf_no_warnings "behind slow readers in their lingering close"
pf_stop_ok

# No parker: min_rate is what bounds a slow reader.
pf_write_http_conf "$PF_TMP/noparker.conf" "$www" workers=1 \
	parker.connections=0
pf_start

behind_slow_reader
pf_note "without a parker, a request behind the slow reader answered after $took ms"
got=$(drain)
[ "$got" -lt "$big" ] ||
	pf_fail "the slow reader still got the whole file ($got bytes) while another client waited"
pf_wait_log "info: 127\\.0\\.0\\.1:[0-9]+: response cut after [0-9]+ bytes: the client read it more slowly than timeouts.min_rate \\(1024 bytes/s\\) while other connections waited" 5 ||
	pf_fail "no info line saying the slow reader's response was cut"

slow_readers 3 90 5
pf_stop_ok
