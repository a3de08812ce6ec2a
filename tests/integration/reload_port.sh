#!/usr/bin/env bash
# reload_port: HUP with a changed `port` serves on the new port once the
# new generation is ready and closes the old one (connections to it are
# refused).  Changing it back reopens the first port.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

pf_write_conf "$PF_TMP/echo.conf" workers=2
pf_start
old_port=$PF_PORT
gen1=$PF_WORKERS

new_port=$(pf_free_port)
pf_set_conf port "$new_port"
kill -HUP "$PF_PID"
pf_wait_log "$(pf_re_reloaded 2 2).*on 127\\.0\\.0\\.1:$new_port\$" 10 ||
	pf_fail "no 'reloaded: generation 2 ... on 127.0.0.1:$new_port' notice"
pf_wait_workers 2 10 "$gen1" || pf_fail "workers after the port change: '$PF_WORKERS'"
PF_PORT=$new_port
pf_echo -n 16K -c 2 -k 8

out=$("$PFTOOL" echo -p "$old_port" -n 1K --timeout 5 2>&1) &&
	pf_fail "the old port $old_port still answers after the reload: $out"
case $out in
*"refused=1 "*) pf_note "old port $old_port: $out" ;;
*) pf_fail "the old port $old_port did not refuse the connection: $out" ;;
esac

# And back: the first port opens again.
pf_set_conf port "$old_port"
kill -HUP "$PF_PID"
pf_wait_log "$(pf_re_reloaded 3 2).*on 127\\.0\\.0\\.1:$old_port\$" 10 ||
	pf_fail "no 'reloaded: generation 3 ... on 127.0.0.1:$old_port' notice"
PF_PORT=$old_port
pf_echo -n 16K -c 2 -k 8

pf_stop_ok
