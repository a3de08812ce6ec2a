#!/usr/bin/env bash
# occupancy_slowloris: clients that hold connections without finishing a
# request, or idle after one, do not starve the pool.  With workers = 2:
# 200 slowloris connections (a request head that never ends, a header
# byte every 0.5-1 s, reconnecting when closed) from 127.0.0.1, the
# address of the legitimate client too; meanwhile a client making one
# request after another on new connections gets at least 99 % of them
# answered within 2 s each, the status page shows that the parker took
# the slow connections, and nothing is logged above info.  The same with 100
# keep-alive connections that sent one request and then stay idle
# (timeouts.keepalive = 30).  With parker.connections = 20 the parker is
# full: it sheds the oldest, says so at notice ("parker full"), and the
# legitimate client is still answered.
set -eu
PF_TIMEOUT=120
. "$(dirname "$0")/lib.sh"

www=$PF_TMP/www
mkdir -p "$www"
head -c 4096 /dev/zero | tr '\0' 'x' >"$www/index.html"

# served WHAT: pf_load's legitimate client got >= 99 % answered.
served() {
	local pct
	pct=$(pf_load_get success_pct)
	[ "$(pf_load_get total)" -gt 0 ] || pf_fail "$1: the legitimate client made no request"
	pf_between "$pct" 99 100 ||
		pf_fail "$1: the legitimate client got $pct % answered, want >= 99 % ($PF_LOAD_OUT)"
}

pf_write_http_conf "$PF_TMP/http.conf" "$www" workers=2 \
	timeouts.keepalive=30
pf_start

pf_load --attack slowloris -c 200 --interval-ms 500 --ramp 3 --duration 5 \
	--legit seq --legit-timeout 2
served slowloris
[ "$(pf_load_get open)" -ge 150 ] ||
	pf_fail "slowloris: only $(pf_load_get open) of 200 slow connections were open at the end"
pf_get status /server-status
taken=$(sed -En 's/^parker [0-9]+ generation=1 state=[a-z]+ held=[0-9]+ reading=[0-9]+ sending=[0-9]+ taken=([0-9]+) .*/\1/p' "$PF_TMP/status.body")
[ -n "$taken" ] && [ "$taken" -ge 150 ] ||
	pf_fail "the status page does not show the parker taking the slow connections:
$(cat "$PF_TMP/status.body")"

pf_load --attack idle -c 100 --ramp 3 --duration 5 --legit seq \
	--legit-timeout 2
served "idle keep-alive"
pf_no_warnings "behind slow and idle clients"
pf_stop_ok

# A parker that is full sheds the oldest.
pf_write_http_conf "$PF_TMP/small.conf" "$www" workers=2 \
	parker.connections=20
pf_start
pf_load --attack slowloris -c 100 --interval-ms 500 --ramp 3 --duration 4 \
	--legit seq --legit-timeout 2
served "a full parker"
pf_wait_log "notice: parker full \\(20 connections held\\): shed [0-9]+ idle, [0-9]+ reading a request and [0-9]+ waiting to read a response, oldest first" 12 ||
	pf_fail "no notice that the full parker shed connections"
pf_get status2 /server-status
head -n 1 "$PF_TMP/status2.body" | grep -Eq '; [1-9][0-9]* shed' ||
	pf_fail "the status line does not count what was shed: $(head -n 1 "$PF_TMP/status2.body")"
[ "$(pf_log_count 'notice: parker full')" -le 3 ] ||
	pf_fail "more than one 'parker full' line per 10 s: $(pf_log_count 'notice: parker full')"
pf_check_log_format
pf_stop_ok
