#!/usr/bin/env bash
# privileges (as root only): started as root with no `user`, preforkd
# refuses to serve (exit 78, saying why, nothing bound).  With user =
# "nobody" the master and its workers run as nobody (uid, gid and groups,
# all of real, effective and saved), the master keeps CAP_NET_BIND_SERVICE
# and nothing else, the workers keep no capability, workers and parker
# have no_new_privs and are not dumpable, the site (opened before the
# switch) is served, and a reload can still bind a port below 1024.  A
# root directory nobody cannot list stops the start (exit 78, saying
# so), and -t says so too.  user = "root" runs as root on purpose, and says so.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || pf_skip "needs root (preforkd only changes user when started as root)"
id nobody >/dev/null 2>&1 || pf_skip "no user nobody on this system"
nobody_uid=$(id -u nobody)
nobody_gid=$(id -g nobody)
nobody_groups=$(id -G nobody | tr ' ' '\n' | sort -n | tr '\n' ' ')

# The folders on the way to the site and the file must be open to nobody
# for a reload (the master reads the file again as nobody).
chmod 755 "$PF_TMP"
# Under valgrind each process writes its own report there, as nobody too.
[ "${PF_VALGRIND:-0}" != 1 ] || chmod 1777 "$PF_TMP"
mkdir -p "$PF_TMP/www"
printf 'served as nobody\n' >"$PF_TMP/www/index.html"
chmod 644 "$PF_TMP/www/index.html"

# No user, as root: refused before anything is bound.  The port is held
# meanwhile: a daemon that tried to bind first would fail with "cannot
# listen" (exit 1) instead of the refusal.
pf_write_http_conf "$PF_TMP/site.conf" "$PF_TMP/www" user='""'
pf_bg "$PFTOOL" listen -p "$PF_PORT" -s 15 >"$PF_TMP/listen.out" 2>&1
pf_wait_log '^listening ' 5 "$PF_TMP/listen.out" || pf_fail "pftool listen did not start"
pf_run 10 -f "$PF_CONF"
[ "$PF_STATUS" = 78 ] || pf_fail "root with user = \"\": want exit 78; $(pf_run_output)"
grep -Fq 'started as root with no `user`: refusing to serve as root' "$PF_ERR" ||
	pf_fail "root with user = \"\": no clear refusal; $(pf_run_output)"
kill "$PF_BG_PID"
pf_wait_exit "$PF_BG_PID" 5 || pf_fail "pftool listen did not stop"
pf_write_http_conf "$PF_TMP/site.conf" "$PF_TMP/www" user='""'	# a new free port
# -t does not start anything: it does not refuse.
pf_run 10 -t -f "$PF_CONF"
[ "$PF_STATUS" = 0 ] || pf_fail "-t with user = \"\" as root: want 0; $(pf_run_output)"

# status_field PID NAME: the value of NAME: in /proc/PID/status.
status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s ' \t' ' ' | sed 's/ *$//'
}
# check_ids PID WHAT: PID runs as nobody in every id and group.
check_ids() {
	local groups
	[ "$(status_field "$1" Uid)" = "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" ] ||
		pf_fail "$2 $1: Uid is '$(status_field "$1" Uid)', want nobody ($nobody_uid) in all"
	[ "$(status_field "$1" Gid)" = "$nobody_gid $nobody_gid $nobody_gid $nobody_gid" ] ||
		pf_fail "$2 $1: Gid is '$(status_field "$1" Gid)', want $nobody_gid in all"
	groups=$(status_field "$1" Groups | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')
	[ "$groups" = "$nobody_groups" ] ||
		pf_fail "$2 $1: groups '$groups', want nobody's: '$nobody_groups'"
}

pf_write_http_conf "$PF_TMP/site.conf" "$PF_TMP/www" user='"nobody"' workers=2
pf_start
pf_expect root / 200
grep -q 'served as nobody' "$PF_TMP/root.body" || pf_fail "the site's index was not served"
pf_wait_log 'notice: running as user nobody \(uid [0-9]+, gid [0-9]+\), keeping only CAP_NET_BIND_SERVICE' 5 ||
	pf_fail "no notice of the switch to nobody"
check_ids "$PF_PID" master
# CAP_NET_BIND_SERVICE is bit 10: 0x400.
for f in CapEff CapPrm; do
	[ "$(status_field "$PF_PID" $f)" = 0000000000000400 ] ||
		pf_fail "master: $f is $(status_field "$PF_PID" $f), want CAP_NET_BIND_SERVICE only (0400)"
done
[ "$(status_field "$PF_PID" CapAmb)" = 0000000000000000 ] ||
	pf_fail "master: ambient capabilities $(status_field "$PF_PID" CapAmb)"
for w in $PF_WORKERS; do
	check_ids "$w" worker
	for f in CapEff CapPrm CapInh CapAmb; do
		[ "$(status_field "$w" $f)" = 0000000000000000 ] ||
			pf_fail "worker $w: $f is $(status_field "$w" $f), want none"
	done
done
pf_note "master $PF_PID and workers $PF_WORKERS run as nobody; master CapEff $(status_field "$PF_PID" CapEff)"
# Workers and the parker: no_new_privs, and not dumpable (their /proc
# files, mem among them, belong to root: no other process of the user may ptrace them
# or read their memory, and no core file holds a client's bytes).
for w in $PF_WORKERS $(pf_parkers "$PF_PID"); do
	[ "$(status_field "$w" NoNewPrivs)" = 1 ] ||
		pf_fail "$w: NoNewPrivs is '$(status_field "$w" NoNewPrivs)', want 1"
	[ "$(stat -c %u "/proc/$w/mem")" = 0 ] ||
		pf_fail "$w: /proc/$w/mem belongs to uid $(stat -c %u "/proc/$w/mem"): still dumpable"
done
pf_note "workers and parker: NoNewPrivs 1, not dumpable"

# A reload onto a port below 1024 that nothing on loopback uses.
low=
for p in 1023 1022 1021 1020 1019 1018 1017 1016; do
	if ! "$PFTOOL" wait-port -p "$p" --timeout 0.1 2>/dev/null; then
		low=$p
		break
	fi
done
[ -n "$low" ] || pf_skip "ports 1016-1023 on loopback are all taken"
pf_set_conf port "$low"
kill -HUP "$PF_PID"
pf_wait_log "$(pf_re_reloaded 2 2)" 10 ||
	pf_fail "the reload to port $low failed: $(grep 'reload' "$PF_LOG" | tail -n 3)"
PF_PORT=$low
pf_expect low / 200
pf_note "after the reload, served on 127.0.0.1:$low"
pf_stop_ok
pf_check_log_format

# A root that nobody cannot list: checked as nobody, after the switch (as
# root every directory is readable), so the start fails with the reason
# and exit status 78 rather than a pool that answers only 403.
mkdir -p "$PF_TMP/closed"
printf 'x\n' >"$PF_TMP/closed/index.html"
chmod 700 "$PF_TMP/closed"
pf_write_http_conf "$PF_TMP/closed.conf" "$PF_TMP/closed" user='"nobody"'
pf_run 10 -f "$PF_TMP/closed.conf"
[ "$PF_STATUS" = 78 ] || pf_fail "a root nobody cannot list: exit status $PF_STATUS, want 78 ($(cat "$PF_ERR"))"
grep -Eq 'http\.root: ".*/closed": user "nobody" cannot list it \(Permission denied\)' "$PF_ERR" ||
	pf_fail "a root nobody cannot list: no message saying so: $(cat "$PF_ERR")"
pf_note "a root closed to nobody: $(grep -o 'http.root: .*' "$PF_ERR" | head -n 1)"
# and -t, run as root, says the same (it checks as nobody, in a child)
pf_run 10 -t -f "$PF_TMP/closed.conf"
[ "$PF_STATUS" = 78 ] || pf_fail "-t with a root nobody cannot list: exit status $PF_STATUS, want 78 ($(cat "$PF_ERR"))"
grep -Eq 'http\.root: ".*/closed": user "nobody" cannot list it \(Permission denied\)' "$PF_ERR" ||
	pf_fail "-t with a root nobody cannot list: no message saying so: $(cat "$PF_ERR")"

# user = "root": on purpose, said so, and the workers keep root.
pf_write_http_conf "$PF_TMP/root.conf" "$PF_TMP/www" user='"root"'
pf_start
pf_expect asroot / 200
pf_wait_log 'notice: running as root, as user = "root" asks' 5 ||
	pf_fail "no notice that preforkd runs as root on purpose"
[ "$(status_field "$PF_PID" Uid)" = "0 0 0 0" ] || pf_fail "user = root: master not root"
pf_stop_ok
