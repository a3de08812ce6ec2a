#!/usr/bin/env bash
# occupancy_slowread: a client that reads a response too slowly cannot keep
# the only worker while others wait, and keeps it while nobody does.
# With workers = 1 and a 32 MiB file (more than the socket buffers hold):
# a client that asks for it and reads nothing for 3 s, no one else
# waiting, then reads it all, gets every byte (timeouts.min_rate applies
# under pressure only).  The same client with another one asking for a
# small file meanwhile: the small file is answered within a few seconds,
# the slow client's response is cut short, and an info line says why.
# A pfload run of 3 slow readers (reading 32 bytes every 0.5 s on a 2 KiB
# receive buffer, reconnecting when cut) leaves a client making requests
# at least 90 % of them answered within 5 s.
set -eu
PF_TIMEOUT=120
. "$(dirname "$0")/lib.sh"

www=$PF_TMP/www
mkdir -p "$www"
big=$((32 * 1024 * 1024))
head -c "$big" /dev/zero >"$www/big"
printf 'small\n' >"$www/small"

pf_write_http_conf "$PF_TMP/http.conf" "$www" workers=1
pf_start

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

slow_client
sleep 3
got=$(drain)
[ "$got" -gt "$big" ] ||
	pf_fail "a slow reader alone got $got bytes, want the whole file ($big and its head)"
pf_note "alone: a reader that paused 3 s got all $got bytes"

slow_client
sleep 0.5
t0=$(pf_now_ms)
pf_expect small /small 200
took=$(($(pf_now_ms) - t0))
pf_note "a request behind the slow reader answered after $took ms"
got=$(drain)
[ "$got" -lt "$big" ] ||
	pf_fail "the slow reader still got the whole file ($got bytes) while another client waited"
pf_wait_log "info: 127\\.0\\.0\\.1:[0-9]+: response cut after [0-9]+ bytes: the client read it more slowly than timeouts.min_rate \\(1024 bytes/s\\) while other connections waited" 5 ||
	pf_fail "no info line saying the slow reader's response was cut"

pf_load --attack slowread -c 3 --attack-path /big --read-bytes 32 \
	--interval-ms 500 --ramp 2 --duration 6 --legit seq --path /small \
	--legit-timeout 5
pct=$(pf_load_get success_pct)
pf_between "$pct" 90 100 ||
	pf_fail "behind slow readers the client got $pct % answered, want >= 90 % ($PF_LOAD_OUT)"
pf_stop_ok
