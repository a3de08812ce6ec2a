#!/usr/bin/env bash
# http_status: the status page, the access log, and a reload of the root.
# /server-status is a text page: the status line ("3 workers: ..."), then
# one line per worker, "PID generation=1 state=... served=N busy_ms=N
# client=...", the pids being exactly the master's live workers, the one
# serving the request busy with this client's address, and one line for
# the parker, "parker PID generation=1 state=... held=N reading=N sending=N taken=N
# returned=N shed=N", its pid the master's parker; "?json" gives
# {"workers":[...],"parkers":[...]} with each worker's and parker's
# "pid" (this request's worker busy with this client), and "served" and
# "crashes".
# Every request leaves one info line 'CLIENT "METHOD TARGET HTTP/1.x"
# STATUS BYTES MS', malformed ones too.  HUP with another http.root
# serves the new root from generation 2, whose workers the page lists.
# With log_level = warning, 200 malformed requests add no line to the
# log; with status_path = "" the path is a plain 404.  A loopback client
# whose Host is another name (DNS rebinding) gets 404 from the page.
set -eu
PF_TIMEOUT=90
. "$(dirname "$0")/lib.sh"

site1=$PF_TMP/site1
site2=$PF_TMP/site2
mkdir -p "$site1" "$site2"
printf 'one\n' >"$site1/id.txt"
printf 'two\n' >"$site2/id.txt"
printf '<p>index of site one</p>\n' >"$site1/index.html"
cp "$site1/index.html" "$site2/index.html"

pf_write_http_conf "$PF_TMP/http.conf" "$site1" workers=3
pf_start

# check_status NAME GENERATION: the text page lists exactly the workers of
# the master, of that generation, this request's worker busy with us.
check_status() {
	local name=$1 gen=$2 b port pids
	pf_expect "$name" /server-status 200
	port=$PF_LOCAL_PORT
	b=$PF_TMP/$name.body
	[ "$(pf_header "$PF_TMP/$name.head" Content-Type)" = "text/plain; charset=utf-8" ] ||
		pf_fail "status page: Content-Type '$(pf_header "$PF_TMP/$name.head" Content-Type)'"
	head -n 1 "$b" | grep -Eq "^$PF_NWORKERS workers: " ||
		pf_fail "status page: first line '$(head -n 1 "$b")', want '$PF_NWORKERS workers: ...'"
	[ "$(tail -n +2 "$b" | grep -Ev "^parker " | grep -Evc "^[0-9]+ generation=$gen state=[a-z]+ served=[0-9]+ busy_ms=[0-9]+ client=[^ ]+( |\$)")" = 0 ] ||
		pf_fail "status page: lines not 'PID generation=$gen state=... served=N busy_ms=N client=...':
$(cat "$b")"
	pids=$(tail -n +2 "$b" | grep -Ev '^parker ' | cut -d ' ' -f 1 | sort -n | tr '\n' ' ' | sed 's/ $//')
	PF_WORKERS=$(pf_workers "$PF_PID")
	[ "$pids" = "$PF_WORKERS" ] ||
		pf_fail "status page: pids '$pids', the master's workers '$PF_WORKERS':
$(cat "$b")"
	[ "$(grep -c '^parker ' "$b")" = 1 ] &&
		grep -Eq "^parker $(pf_parkers "$PF_PID") generation=$gen state=[a-z]+ held=[0-9]+ reading=[0-9]+ sending=[0-9]+ taken=[0-9]+ returned=[0-9]+ shed=[0-9]+\$" "$b" ||
		pf_fail "status page: not one line 'parker $(pf_parkers "$PF_PID") generation=$gen state=... held=N reading=N sending=N taken=N returned=N shed=N':
$(cat "$b")"
	grep -Eq "^[0-9]+ generation=$gen state=busy .* client=127\.0\.0\.1:$port\$" "$b" ||
		pf_fail "status page: no worker busy serving this request (client 127.0.0.1:$port):
$(cat "$b")"
}

# The master publishes the page's data at most every 100 ms: let the
# start (and below, the reload) settle first.
sleep 0.3
check_status st1 1
pf_note "status page: $(head -n 1 "$PF_TMP/st1.body")"

pf_expect json '/server-status?json' 200
b=$PF_TMP/json.body
[ "$(head -c 13 "$b")" = '{"workers":[{' ] || pf_fail "?json: starts '$(head -c 40 "$b")'"
pids=$(sed 's/"parkers":.*//' "$b" | grep -o '"pid":[0-9]*' | cut -d : -f 2 | sort -n | tr '\n' ' ' | sed 's/ $//')
[ "$pids" = "$(pf_workers "$PF_PID")" ] ||
	pf_fail "?json: pids '$pids', the master's workers '$(pf_workers "$PF_PID")'"
parker=$(sed -n 's/.*"parkers":\[{"pid":\([0-9]*\),.*/\1/p' "$b")
[ -n "$parker" ] && [ "$parker" = "$(pf_parkers "$PF_PID")" ] ||
	pf_fail "?json: parker '$parker', the master's '$(pf_parkers "$PF_PID")': $(cat "$b")"
grep -q '"served":' "$b" && grep -q '"crashes":' "$b" ||
	pf_fail "?json: no \"served\" or \"crashes\": $(cat "$b")"
grep -o '{"pid":[^}]*}' "$b" | grep "\"client\":\"127\.0\.0\.1:$PF_LOCAL_PORT\"" |
	grep -q '"state":"busy"' ||
	pf_fail "?json: no worker busy serving this request (client 127.0.0.1:$PF_LOCAL_PORT): $(cat "$b")"
pf_note "?json: workers $pids"

# A loopback client naming another host (DNS rebinding, or a local proxy
# passing its client's Host on) gets 404; localhost and [::1] names serve.
pf_expect rebind /server-status 404 -H 'Host: evil.example'
pf_expect rebindj '/server-status?json' 404 -H "Host: evil.example:$PF_PORT"
pf_expect lhost /server-status 200 -H "Host: localhost:$PF_PORT"
pf_expect v6host /server-status 200 -H "Host: [::1]:$PF_PORT"
pf_note "the page wants a loopback Host: evil.example 404, localhost and [::1] 200"

# The access log.  rx CLIENT_ERE METHOD TARGET VERSION STATUS BYTES_ERE:
# the ERE of its line.
rx() {
	printf '%s' "^[0-9-]{10} [0-9:.]{12} preforkd\\[[0-9]+\\]: info: $1 \"$2 $(pf_re_quote "$3") $(pf_re_quote "$4")\" $5 $6 [0-9]+\$"
}
size=$(stat -c %s "$site1/index.html")
pf_expect alog /index.html 200
pf_wait_log "$(rx "127\\.0\\.0\\.1:$PF_LOCAL_PORT" GET /index.html HTTP/1.1 200 "$size")" 5 ||
	pf_fail "no access line '127.0.0.1:$PF_LOCAL_PORT \"GET /index.html HTTP/1.1\" 200 $size MS'"
pf_expect alogh '/index.html?a=b' 200 -I
pf_wait_log "$(rx "127\\.0\\.0\\.1:$PF_LOCAL_PORT" HEAD '/index.html?a=b' HTTP/1.1 200 0)" 5 ||
	pf_fail "no access line '127.0.0.1:$PF_LOCAL_PORT \"HEAD /index.html?a=b HTTP/1.1\" 200 0 MS'"
pf_expect alog404 /nope 404 -0
pf_wait_log "$(rx "127\\.0\\.0\\.1:$PF_LOCAL_PORT" GET /nope HTTP/1.0 404 '[0-9]+')" 5 ||
	pf_fail "no access line '127.0.0.1:$PF_LOCAL_PORT \"GET /nope HTTP/1.0\" 404 N MS'"
pf_raw bad1 'GET /bad%zz HTTP/1.1\r\nHost: x\r\n\r\n'
[ "$PF_CODE" = 400 ] || pf_fail "GET /bad%zz: status '$PF_CODE', want 400"
pf_wait_log "$(rx '127\.0\.0\.1:[0-9]+' GET /bad%zz HTTP/1.1 400 '[0-9]+')" 5 ||
	pf_fail "no access line for GET /bad%zz at info"
re400='info: 127\.0\.0\.1:[0-9]+ ".*" 400 [0-9]+ [0-9]+$'
before=$(pf_log_count "$re400")
pf_raw bad2 'GE(T /x HTTP/1.1\r\n\r\n'
[ "$PF_CODE" = 400 ] || pf_fail "GE(T: status '$PF_CODE', want 400"
end=$(($(pf_now_ms) + 5000))
until [ "$(pf_log_count "$re400")" -gt "$before" ]; do
	[ "$(pf_now_ms)" -lt "$end" ] ||
		pf_fail "no access line at info for a malformed request line"
	sleep 0.05
done
pf_no_warnings "for malformed requests"
pf_note "access log: one info line per request, malformed ones too"

# Reload: another root.
before=$PF_WORKERS
sed -i "s|^\troot = .*|\troot = \"$site2\"|" "$PF_CONF"
grep -q "root = \"$site2\"" "$PF_CONF" || pf_fail "could not set http.root in $PF_CONF"
kill -HUP "$PF_PID"
pf_wait_workers 3 15 "$before" || pf_fail "after HUP: workers '$PF_WORKERS' (were '$before')"
pf_wait_log "$(pf_re_reloaded 2 3)" 5 || pf_fail "no 'reloaded: generation 2, 3 workers' notice"
for i in 1 2 3 4 5 6; do
	pf_expect "id$i" /id.txt 200
	cmp "$site2/id.txt" "$PF_TMP/id$i.body" || pf_fail "after the reload /id.txt is '$(cat "$PF_TMP/id$i.body")', want two"
done
sleep 0.3
check_status st2 2
pf_note "reload: the new root served, the page lists generation 2"
pf_check_log_format
pf_stop_ok

# log_level = warning and no status page: a flood of bad requests is quiet.
pf_write_http_conf "$PF_TMP/quiet.conf" "$site1" workers=2 log_level=warning \
	'http.status_path=""'
pf_start
pf_expect nostatus /server-status 404
pf_expect nostatusj '/server-status?json' 404
lines=$(wc -l <"$PF_LOG")
bad=('GE(T / HTTP/1.1\r\n\r\n' 'GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n'
	'GET / HTTP/2.0\r\nHost: x\r\n\r\n' 'GET / HTTP/1.1\r\n\r\n'
	'GET / HTTP/1.1\r\nHost: x\r\nX: 1\r\n folded\r\n\r\n'
	'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'
	'GET /../x HTTP/1.1\r\nHost: x\r\n\r\n' '\x00\x01\x02\r\n\r\n')
codes=
for i in $(seq 0 199); do
	pf_raw flood "${bad[i % ${#bad[@]}]}"
	[ "$PF_RAW_RC" = 0 ] || pf_fail "bad request $i: no close from the server: $(cat "$PF_TMP/flood.err")"
	case " $codes " in *" $PF_CODE "*) ;; *) codes="$codes $PF_CODE" ;; esac
done
pf_expect afterflood /id.txt 200
sleep 0.5
now=$(wc -l <"$PF_LOG")
[ "$now" = "$lines" ] || pf_fail "200 bad requests at log_level = warning added $((now - lines)) lines:
$(tail -n +$((lines + 1)) "$PF_LOG" | head -n 5)"
[ "$(pf_workers "$PF_PID")" = "$PF_WORKERS" ] ||
	pf_fail "workers changed in the flood: '$(pf_workers "$PF_PID")', were '$PF_WORKERS'"
pf_note "flood of 200 bad requests (statuses$codes): no log line; status_path \"\": 404"
pf_check_log_format
pf_stop_ok
