#!/usr/bin/env bash
# socket_activation: started by `systemd-socket-activate -l 127.0.0.1:B`
# (as systemd starts it from preforkd.socket), preforkd serves on B, the
# socket it was passed, though its file says port A: A never listens, the
# log says once that port and bind are ignored and names the socket, and a
# reload (even one that changes port) keeps serving on B.  A passed
# descriptor that is not a listening TCP socket is refused with exit 1.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

activate=$(command -v systemd-socket-activate || :)
[ -n "$activate" ] || pf_skip "systemd-socket-activate is not installed (Debian: systemd)"

pf_write_conf "$PF_TMP/echo.conf" workers=3
a=$PF_PORT
b=$(pf_free_port)
[ "$a" != "$b" ] || pf_fail "pftool port gave the same port twice"

# systemd-socket-activate listens on B and execs preforkd (same pid) when
# the first connection comes (wait-port's): that one is served too.
PF_WRAPPER="$activate -l 127.0.0.1:$b --fdname=web $PF_WRAPPER"
pf_launch
PF_PORT=$b
"$PFTOOL" wait-port -p "$b" --timeout 10 || pf_fail "nothing listens on $b"
pf_wait_log "info: 127\.0\.0\.1:[0-9]+ echo 0 0 [0-9]+ eof\$" 10 ||
	pf_fail "the connection that started preforkd was not served"
pf_wait_workers 3 10 || pf_fail "not 3 workers under socket activation: '$PF_WORKERS'"
pf_echo -n 64K -c 3 -k 12
if "$PFTOOL" wait-port -p "$a" --timeout 0.5 2>/dev/null; then
	pf_fail "preforkd also listens on the file's port $a"
fi
re="notice: socket activation: serving the 1 socket the service manager passed \\(127\\.0\\.0\\.1:$b \\(web\\)\\); port and bind \\(from $(pf_re_quote "$PF_CONF") or -p\\) are ignored"
[ "$(pf_log_count "$re")" -eq 1 ] || pf_fail "no socket activation notice: $(head -n 5 "$PF_LOG")"
pf_wait_log "notice: ready: 3 workers serving echo on 127\\.0\\.0\\.1:$b \\(web\\)\$" 5 ||
	pf_fail "the ready notice does not name the passed socket"

# A reload, with another port and worker count in the file: B still serves.
c=$(pf_free_port)
pf_set_conf port "$c"
pf_set_conf workers 2
before=$PF_WORKERS
kill -HUP "$PF_PID"
pf_wait_workers 2 10 "$before" || pf_fail "the reload did not replace the workers: '$PF_WORKERS'"
pf_wait_log "$(pf_re_reloaded 2 2)" 5 || pf_fail "no 'reloaded' notice"
pf_echo -n 64K -c 2 -k 8
for p in "$a" "$c"; do
	if "$PFTOOL" wait-port -p "$p" --timeout 0.5 2>/dev/null; then
		pf_fail "after the reload preforkd listens on the file's port $p"
	fi
done
[ "$(pf_log_count 'socket activation:')" -eq 1 ] || pf_fail "the socket activation notice was repeated"
pf_stop_ok
# systemd-socket-activate's own three lines come first.
grep -Ev '^(Listening on |Communication attempt on |Execing )' "$PF_LOG" >"$PF_TMP/own.log" || :
pf_check_log_format "$PF_TMP/own.log"

# fd 3 is /dev/null, not a socket: refused, exit 1, nothing served.
PF_WRAPPER=${PF_WRAPPER#"$activate -l 127.0.0.1:$b --fdname=web "}
out=$PF_TMP/bad.out
st=0
timeout -k 2 10 bash -c 'exec 3</dev/null; export LISTEN_FDS=1 LISTEN_PID=$$ LISTEN_FDNAMES=web; exec "$@"' \
	bash $PF_WRAPPER "$PREFORKD" -f "$PF_CONF" </dev/null >"$out" 2>&1 || st=$?
[ "$st" = 1 ] || pf_fail "a passed /dev/null: exit status $st, want 1: $(cat "$out")"
grep -q 'err: socket 3 ("web") from the service manager is not a listening TCP socket' "$out" ||
	pf_fail "a passed /dev/null: no clear error: $(cat "$out")"
pf_note "refused: $(grep 'err:' "$out")"
