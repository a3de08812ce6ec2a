#!/usr/bin/env bash
# systemd_sandbox: the installed units under a real systemd.  The build
# tree is installed (its src, conf and systemd directories, with the
# prefix it was configured for) into a staging directory, copied into a
# systemd-nspawn container booted by systemd-sandbox (loopback-only
# network), and there, after systemd-sysusers and systemd-tmpfiles have
# read the installed entries:
# - `systemctl start preforkd` returns with the unit active (Type=notify:
#   only after READY=1), the master running as user preforkd with
#   CAP_NET_BIND_SERVICE alone, its workers with no capability, serving
#   the sample site (a type read from /etc/mime.types) under every
#   sandboxing option of the unit, and `systemd-analyze security` rates
#   the unit OK or better;
# - a changed port and worker count plus `systemctl reload` take effect
#   (same main pid, the new port answers, the old one is closed, the
#   status page shows the new generation's 2 workers only);
# - `systemctl stop` is clean: inactive, exit status 0 (a runtime drop-in
#   adds an ExecStopPost= that logs how each run ended), no process left;
# - with preforkd.socket active (systemd holds port 8080, the file's port
#   is ignored), `systemctl restart preforkd` twice under a bounded curl
#   load loses no request;
# - SIGKILL to the master (`systemctl kill --kill-who=main`) makes systemd
#   start a new one (Restart=on-failure);
# - a typo in the file makes `systemctl start` fail, the unit stays failed
#   with exit status 78 and no restart (RestartPreventExitStatus=), and
#   the journal names the file, the line and the key;
# - `journalctl -u preforkd -o verbose` holds the start, reload and access
#   records, native ones (CODE_FUNC, SYSLOG_IDENTIFIER), the access record
#   with PRIORITY, WORKER_PID (the pid that logged it), REMOTE_ADDR,
#   HTTP_METHOD, HTTP_PATH, HTTP_STATUS, BYTES and DURATION_USEC, start
#   and reload as notices.
#
# Skipped (77), with the reason, when it cannot run: not root; no
# systemd-nspawn or debootstrap on the host; no systemd-sandbox (looked
# for in $SYSTEMD_SANDBOX, ../shared/tools/ beside the source tree, then
# $PATH); a sandbox of the same name already up; the build configured
# without the units; the sandbox cannot boot.
#
# It runs once per CI run, in the plain `make check`: it skips itself
#   - under `make check-valgrind` (PF_VALGRIND=1): the daemon runs under
#     systemd there, not under valgrind, so the run would only repeat;
#   - in a sanitizer build (the binary links libasan or libubsan, whose
#     runtime is not in the container);
#   - in `make distcheck`, recognised by its read-only copy of the sources
#     (distcheck does chmod -R a-w on it; root ignores the mode bits when
#     writing, so the test reads them).
#
# The container is SANDBOX_NAME=preforkd-check (PF_SANDBOX_NAME overrides)
# and is always taken down on exit.  Its root filesystem is cached by
# systemd-sandbox: the first run builds it with debootstrap (about a
# minute, with the packages below), later ones boot in about a second.
set -eu
PF_TIMEOUT=${PF_SANDBOX_TIMEOUT:-480}
. "$(dirname "$0")/lib.sh"

[ "${PF_VALGRIND:-0}" != 1 ] ||
	pf_skip "not under valgrind: the plain make check runs it once"
[ "$(id -u)" = 0 ] || pf_skip "needs root (systemd-nspawn)"
[ -z "$(find "$top_srcdir" -maxdepth 0 ! -perm -u+w)" ] ||
	pf_skip "read-only source tree (make distcheck): the plain make check runs it"
if ldd "$PREFORKD" 2>/dev/null | grep -Eq 'lib(a|ub|t|l)san\.'; then
	pf_skip "a sanitizer build: its runtime is not in the sandbox"
fi
for t in systemd-nspawn debootstrap nsenter unshare; do
	command -v "$t" >/dev/null || pf_skip "no $t (apt-get install systemd-container debootstrap)"
done
SB=${SYSTEMD_SANDBOX:-}
if [ -z "$SB" ]; then
	for SB in "$top_srcdir/../shared/tools/systemd-sandbox" \
		"$(command -v systemd-sandbox || :)" ''; do
		[ -z "$SB" ] || [ ! -x "$SB" ] || break
	done
fi
[ -n "$SB" ] && [ -x "$SB" ] || pf_skip "no systemd-sandbox (set SYSTEMD_SANDBOX)"

export SANDBOX_NAME=${PF_SANDBOX_NAME:-preforkd-check}
# Runtime libraries of preforkd, curl for the clients, media-types for
# /etc/mime.types.  Changing this list builds a new cached root filesystem.
export SANDBOX_PACKAGES="libconfuse2 libcap-ng0 curl media-types"
unset SANDBOX_BIND SANDBOX_BIND_RO SANDBOX_NSPAWN_ARGS SANDBOX_NETWORK
if timeout 30 "$SB" status >/dev/null 2>&1; then
	pf_skip "sandbox '$SANDBOX_NAME' is already up: another run uses it" \
		"(or a crashed one left it: SANDBOX_NAME=$SANDBOX_NAME $SB down)"
fi

# ---------------------------------------------------------------------
# Install the build tree into a staging directory.

STAGE=$PF_TMP/stage
for d in src conf systemd; do
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -C "$top_builddir/$d" install DESTDIR="$STAGE" \
		>>"$PF_TMP/install.log" 2>&1 ||
		pf_fail "make install DESTDIR=$STAGE in $d failed: $(tail -n 20 "$PF_TMP/install.log")"
done
# in_stage NAME-PATTERN: the one installed file whose path matches, as a
# path inside the sandbox; nothing if none.
in_stage() {
	(cd "$STAGE" && find . -path "$1" | sed 's/^\.//' | head -n 1)
}
UNIT=$(in_stage '*/systemd/system/preforkd.service')
SOCKET_UNIT=$(in_stage '*/systemd/system/preforkd.socket')
SYSUSERS=$(in_stage '*/sysusers.d/preforkd.conf')
TMPFILES=$(in_stage '*/tmpfiles.d/preforkd.conf')
[ -n "$UNIT" ] && [ -n "$SOCKET_UNIT" ] ||
	pf_skip "the build installs no units (configured --without-systemdsystemunitdir)"
case ${UNIT%/*} in
/etc/systemd/system | /usr/local/lib/systemd/system | /usr/lib/systemd/system | /lib/systemd/system) ;;
*) pf_skip "the units go to ${UNIT%/*}, where systemd does not look (--with-systemdsystemunitdir)" ;;
esac
[ -n "$SYSUSERS" ] && [ -n "$TMPFILES" ] ||
	pf_skip "the build installs no sysusers.d or tmpfiles.d entry (configured --without-...)"
CONF=$(sed -n 's/^ExecStart=[^ ]*preforkd -f \([^ ]*\)$/\1/p' "$STAGE$UNIT")
SBIN=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$STAGE$UNIT")
[ -n "$CONF" ] && [ -f "$STAGE$CONF" ] && [ -x "$STAGE$SBIN" ] ||
	pf_fail "ExecStart of $UNIT does not name the installed preforkd and its file: $(grep '^ExecStart=' "$STAGE$UNIT")"
pf_note "installed: $SBIN, $CONF, $UNIT, $SOCKET_UNIT, $SYSUSERS, $TMPFILES"

# ---------------------------------------------------------------------
# The sandbox.

# sx TIMEOUT_S CMD...: run CMD inside the sandbox, bounded.
sx() {
	local t=$1
	shift
	timeout -k 5 "$t" "$SB" exec "$@" </dev/null
}
# prop UNIT PROPERTY: one property of a unit, as systemctl show gives it.
prop() {
	sx 15 systemctl show -P "$2" "$1"
}
journal_tail() {
	printf -- '---- journal of preforkd (last 40) ----\n' >&2
	sx 20 journalctl -u preforkd -u preforkd.socket --no-pager -n 40 >&2 || :
}
# sb_fail MESSAGE: fail the test, showing the unit's journal first.
sb_fail() {
	journal_tail
	pf_fail "$@"
}

SB_UP=no
sb_exit() {
	local rc=$?
	set +e
	if [ "$SB_UP" = yes ]; then
		timeout -k 5 60 "$SB" down >>"$PF_TMP/sandbox.log" 2>&1 ||
			pf_note "systemd-sandbox down failed: $(tail -n 5 "$PF_TMP/sandbox.log")"
	fi
	(exit "$rc")
	pf_cleanup
}
trap sb_exit EXIT

SB_UP=yes
t0=$(pf_now_ms)
if ! timeout -k 10 420 "$SB" up >"$PF_TMP/sandbox.log" 2>&1; then
	tail -n 30 "$PF_TMP/sandbox.log" >&2
	pf_skip "systemd-sandbox up failed: the sandbox cannot boot here"
fi
pf_note "$(grep 'is up in' "$PF_TMP/sandbox.log") (this run waited $(($(pf_now_ms) - t0)) ms)"

timeout 120 "$SB" install-tree "$STAGE" >>"$PF_TMP/sandbox.log" 2>&1 ||
	pf_fail "systemd-sandbox install-tree failed: $(tail -n 10 "$PF_TMP/sandbox.log")"
missing=$(sx 15 ldd "$SBIN" | grep 'not found' || :)
[ -z "$missing" ] ||
	pf_fail "libraries of preforkd missing in the sandbox (add them to SANDBOX_PACKAGES): $missing"
sx 30 systemd-sysusers "$SYSUSERS" >>"$PF_TMP/sandbox.log" 2>&1 ||
	pf_fail "systemd-sysusers $SYSUSERS failed"
sx 30 systemd-tmpfiles --create "$TMPFILES" >>"$PF_TMP/sandbox.log" 2>&1 ||
	pf_fail "systemd-tmpfiles --create $TMPFILES failed"
user=$(sx 10 getent passwd preforkd) || pf_fail "sysusers made no user preforkd"
group=$(sx 10 getent group preforkd) || pf_fail "sysusers made no group preforkd"
pf_note "user: $user; group: $group"
case $user in
*:/usr/sbin/nologin | *:/sbin/nologin | *:/bin/false) ;;
*) pf_fail "the preforkd user can log in: $user" ;;
esac
[ "$(prop preforkd.service LoadState)" = loaded ] ||
	sb_fail "preforkd.service is not loaded: $(sx 10 systemctl status preforkd.service --no-pager 2>&1 | head -n 5)"

# ---------------------------------------------------------------------
# Helpers over HTTP, from inside the sandbox (127.0.0.1 there).

# get PORT PATH [CURL_ARGS...]: "STATUS CONTENT-TYPE", or "000 " when
# the connection failed.
get() {
	local port=$1 path=$2
	shift 2
	sx 15 curl -s --max-time 5 -o /dev/null -w '%{http_code} %{content_type}' \
		"$@" "http://127.0.0.1:$port$path" || :
}
# sb_wait TIMEOUT_S WHAT CMD...: poll CMD every 0.1 s until it succeeds;
# fail the test with WHAT if it does not in time.
sb_wait() {
	local end what=$2
	end=$(($(pf_now_ms) + $(pf_ms "$1")))
	shift 2
	until "$@"; do
		[ "$(pf_now_ms)" -lt "$end" ] || sb_fail "not in time: $what"
		sleep 0.1
	done
}
is_state() {
	[ "$(prop "$1" ActiveState)" = "$2" ]
}
# answers PORT: the sample site's index is served on PORT.
answers() {
	case $(get "$1" /) in "200 text/html"*) return 0 ;; esac
	return 1
}
refused() {
	[ "$(get "$1" /)" = "000 " ]
}
# status_workers PORT: the workers on the status page, one per line,
# "PID generation=G ...".
status_workers() {
	sx 15 curl -s --max-time 5 "http://127.0.0.1:$1/server-status" |
		grep -E '^[0-9]+ generation=[0-9]+ ' || :
}
# only_generation PORT G N: the status page lists N workers, all of
# generation G.
only_generation() {
	local w
	w=$(status_workers "$1")
	[ "$(printf '%s\n' "$w" | grep -c "^[0-9]* generation=$2 ")" = "$3" ] &&
		[ "$(printf '%s\n' "$w" | grep -c .)" = "$3" ]
}
# left_processes: processes in the sandbox whose name begins "preforkd".
left_processes() {
	sx 10 ps -eo pid=,comm=,args= | awk '$2 ~ /^preforkd/' || :
}
# How each run of the service ended, as systemd saw it: a runtime drop-in
# adds an ExecStopPost= ('+': outside the sandboxing, nothing else
# changes) that logs "stop-post: SERVICE_RESULT EXIT_CODE EXIT_STATUS".
# (systemctl show cannot tell: an inactive unit is unloaded, its
# ExecMain* properties gone.)
stop_posts() {
	sx 15 journalctl -u preforkd.service -o cat --no-pager |
		sed -n 's/^stop-post: //p' | tr '\n' ';'
}
# stopped WHAT RESULTS: once the service is inactive, the runs so far
# ended as RESULTS ("success exited 0;..."), and no process is left.
stopped() {
	local st res left end
	st=$(prop preforkd.service ActiveState)
	[ "$st" = inactive ] || sb_fail "after $1: the unit is $st, not inactive"
	end=$(($(pf_now_ms) + 5000))
	until res=$(stop_posts) && [ "$res" = "$2" ]; do
		[ "$(pf_now_ms)" -lt "$end" ] ||
			sb_fail "after $1: the runs ended '$res', want '$2'"
		sleep 0.1
	done
	left=$(left_processes)
	[ -z "$left" ] || sb_fail "after $1, processes left: $left"
	pf_note "$1: inactive, exit status 0, no process left"
}
set_conf() {	# set_conf KEY OLD NEW: a top-level "KEY = OLD" becomes NEW
	sx 10 sed -i "s/^$1 = $2\$/$1 = $3/" "$CONF" &&
		sx 10 grep -q "^$1 = $3\$" "$CONF" ||
		pf_fail "cannot set $1 = $3 in $CONF"
}

# ---------------------------------------------------------------------
# Start: active only once READY=1 came.

sx 10 sh -c 'printf "OggS" >"$1/www/sandbox.ogx"' sh "${CONF%/*}" ||
	pf_fail "cannot add a file to the served tree"
timeout -k 5 15 "$SB" exec sh -c 'mkdir -p "${1%/*}" && cat >"$1" && systemctl daemon-reload' sh \
	/run/systemd/system/preforkd.service.d/50-check.conf <<'EOF' ||
[Service]
ExecStopPost=+/bin/sh -c 'echo "stop-post: $SERVICE_RESULT $EXIT_CODE $EXIT_STATUS"'
EOF
	pf_fail "cannot add the ExecStopPost= drop-in"
sx 60 systemctl start preforkd.service || sb_fail "systemctl start preforkd failed"
st=$(prop preforkd.service ActiveState)
[ "$st" = active ] || sb_fail "systemctl start returned with the unit $st, not active"
status=$(prop preforkd.service StatusText)
case $status in
"4 workers: "*) ;;
*) sb_fail "STATUS= after start: '$status', want '4 workers: ...'" ;;
esac
pid1=$(prop preforkd.service MainPID)
pf_note "started: main pid $pid1, status '$status'"
owner=$(sx 10 ps -o user= -p "$pid1")
[ "$owner" = preforkd ] || sb_fail "the master runs as '$owner', not preforkd"
# CAP_NET_BIND_SERVICE is capability 10 (0x400): the bounding set is that
# one alone, and no other set holds anything else.
caps=$(sx 10 grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' "/proc/$pid1/status" | tr -s '\t' ' ')
while read -r set val; do
	[ $((16#$val & ~0x400)) = 0 ] ||
		sb_fail "the master's $set $val holds more than CAP_NET_BIND_SERVICE"
	[ "$set" != CapBnd: ] || [ $((16#$val)) = $((0x400)) ] ||
		sb_fail "the master's CapBnd is $val, want CAP_NET_BIND_SERVICE alone"
done <<EOF
$caps
EOF
pf_note "master: user $owner, $(printf '%s' "$caps" | tr '\n' ' ')"
# The workers hold no capability at all.
for w in $(status_workers 8080 | cut -d ' ' -f 1); do
	caps=$(sx 10 grep -E '^Cap(Prm|Eff|Amb):' "/proc/$w/status" | tr -s '\t' ' ' | tr '\n' ' ')
	[ "$caps" = "CapPrm: 0000000000000000 CapEff: 0000000000000000 CapAmb: 0000000000000000 " ] ||
		sb_fail "worker $w holds capabilities: $caps"
done
[ -n "${w:-}" ] || sb_fail "no worker on the status page"

r=$(get 8080 /)
case $r in "200 text/html"*) ;; *) sb_fail "GET / on 8080: '$r'" ;; esac
r=$(get 8080 /docs/hello.txt)
case $r in "200 text/plain"*) ;; *) sb_fail "GET /docs/hello.txt: '$r'" ;; esac
r=$(get 8080 /sandbox.ogx)
[ "$r" = "200 application/ogg" ] ||
	sb_fail "GET /sandbox.ogx: '$r', want the type /etc/mime.types gives (application/ogg)"
r=$(get 8080 /docs/hello.txt -r 0-4)
[ "${r%% *}" = 206 ] || sb_fail "a range request: '$r', want 206"
r=$(get 8080 /nothing-here)
[ "${r%% *}" = 404 ] || sb_fail "GET /nothing-here: '$r', want 404"

exposure=$(sx 60 systemd-analyze security --no-pager preforkd.service |
	sed -n 's/^.*Overall exposure level for preforkd.service: //p')
pf_note "systemd-analyze security: $exposure"
case $exposure in
[0-9]*" OK"* | [0-9]*" SAFE"* | [0-9]*" PERFECT"*) ;;
*) sb_fail "systemd-analyze security rates preforkd.service '$exposure', want OK or better" ;;
esac

# ---------------------------------------------------------------------
# Reload: port 8080 -> 8081, workers 4 -> 2.

set_conf port 8080 8081
set_conf workers 4 2
sx 30 systemctl reload preforkd.service || sb_fail "systemctl reload preforkd failed"
sb_wait 15 "active again after the reload" is_state preforkd.service active
sb_wait 15 "the new port 8081 answers" answers 8081
sb_wait 15 "the old port 8080 closed" refused 8080
sb_wait 15 "2 workers of generation 2 alone on the status page" only_generation 8081 2 2
[ "$(prop preforkd.service MainPID)" = "$pid1" ] || sb_fail "the reload changed the main pid"
status_is_2() {
	status=$(prop preforkd.service StatusText)
	case $status in "2 workers: "*) return 0 ;; esac
	return 1
}
sb_wait 5 "STATUS= '2 workers: ...' after the reload" status_is_2
pf_note "reloaded: 8081 answers, 8080 closed, status '$status'"
pf_note "workers: $(status_workers 8081 | tr '\n' ';')"

# ---------------------------------------------------------------------
# Stop: clean.

sx 60 systemctl stop preforkd.service || sb_fail "systemctl stop preforkd failed"
stopped "systemctl stop" "success exited 0;"

# ---------------------------------------------------------------------
# Socket activation: systemd holds 8080 (the file says 8081), and a
# restart under load loses no request.

sx 30 systemctl start preforkd.socket || sb_fail "systemctl start preforkd.socket failed"
sx 60 systemctl start preforkd.service || sb_fail "systemctl start preforkd (with the socket) failed"
sb_wait 15 "port 8080 (the socket) answers" answers 8080
refused 8081 || sb_fail "port 8081 (the file's) answers although the socket was passed"
pid2=$(prop preforkd.service MainPID)

# A client loop inside the sandbox: one request after another until
# /run/preforkd-check.stop appears (at most 3000), each line
# "TIME STATUS" (000: no answer).
load='out=$1 n=0
while [ ! -e /run/preforkd-check.stop ] && [ "$n" -lt 3000 ]; do
	c=$(curl -s -o /dev/null --max-time 10 -w "%{http_code}" http://127.0.0.1:8080/docs/hello.txt) || :
	echo "$EPOCHREALTIME $c" >>"$out"
	n=$((n + 1))
done'
sx 10 rm -f /run/preforkd-check.stop /run/preforkd-check.load.1 /run/preforkd-check.load.2
pf_bg timeout -k 5 90 "$SB" exec bash -c "$load" sh /run/preforkd-check.load.1 </dev/null
l1=$PF_BG_PID
pf_bg timeout -k 5 90 "$SB" exec bash -c "$load" sh /run/preforkd-check.load.2 </dev/null
l2=$PF_BG_PID
sleep 1
t_begin=$EPOCHREALTIME
for i in 1 2; do
	sx 90 systemctl restart preforkd.service || sb_fail "systemctl restart preforkd ($i) failed"
	sleep 0.3
done
t_end=$EPOCHREALTIME
sleep 1
sx 10 touch /run/preforkd-check.stop
pf_wait_exit "$l1" 20 && pf_wait_exit "$l2" 20 || sb_fail "the client loops did not end"
sx 10 cat /run/preforkd-check.load.1 /run/preforkd-check.load.2 >"$PF_TMP/load.out"
counts=$(awk -v b="$t_begin" -v e="$t_end" '
	{ n++; if ($2 != 200) f++; if ($1 < b) before++; else if ($1 <= e) during++; else after++ }
	END { printf "%d %d %d %d %d\n", n, f, before, during, after }' "$PF_TMP/load.out")
read -r n fails before during after <<EOF
$counts
EOF
pf_note "restart x2 under load: $n requests ($before before, $during during, $after after), $fails failed"
[ "$fails" = 0 ] || sb_fail "$fails of $n requests failed across the restarts: $(awk '$2 != 200' "$PF_TMP/load.out" | head -n 5 | tr '\n' ';')"
[ "$during" -gt 0 ] && [ "$after" -gt 0 ] ||
	sb_fail "the load did not run across the restarts ($before before, $during during, $after after)"
pid3=$(prop preforkd.service MainPID)
[ "$pid3" != "$pid2" ] && is_state preforkd.service active ||
	sb_fail "after the restarts: main pid $pid3 (was $pid2), $(prop preforkd.service ActiveState)"
ran="success exited 0;success exited 0;success exited 0"
res=$(stop_posts)
[ "$res" = "$ran;" ] || sb_fail "the runs ended '$res', want '$ran;'"

# ---------------------------------------------------------------------
# SIGKILL to the master: systemd starts a new one.

sx 10 systemctl kill -s KILL --kill-who=main preforkd.service ||
	sb_fail "systemctl kill failed"
new_master() {
	local p
	p=$(prop preforkd.service MainPID)
	[ "$p" != 0 ] && [ "$p" != "$pid3" ] && is_state preforkd.service active
}
sb_wait 20 "a new master after SIGKILL (Restart=on-failure)" new_master
pid4=$(prop preforkd.service MainPID)
restarts=$(prop preforkd.service NRestarts)
[ "$restarts" -ge 1 ] || sb_fail "NRestarts=$restarts after SIGKILL"
sb_wait 15 "the new master serves" answers 8080
pf_note "SIGKILL: master $pid3 replaced by $pid4 (NRestarts=$restarts)"
ran="$ran;signal killed KILL"

# ---------------------------------------------------------------------
# Stop the socket and the service: clean, the port closed.

sx 30 systemctl stop preforkd.socket || sb_fail "systemctl stop preforkd.socket failed"
sx 60 systemctl stop preforkd.service || sb_fail "systemctl stop preforkd failed"
stopped "systemctl stop with the socket" "$ran;success exited 0;"
refused 8080 || sb_fail "port 8080 still answers after the socket stopped"

# ---------------------------------------------------------------------
# The journal: start, reload and access records.

sx 30 journalctl -u preforkd.service -o verbose --no-pager >"$PF_TMP/journal.txt" ||
	pf_fail "journalctl -u preforkd failed"
# record ERE: the first record (-o verbose: a header line, then its fields
# indented) with a MESSAGE matching ERE, its fields one per line.
record() {
	awk -v re="$1" '
		/^[^ ]/ { if (hit) exit; rec = "" ; next }
		{ sub(/^    /, ""); rec = rec $0 "\n"; if ($0 ~ /^MESSAGE=/ && $0 ~ re) hit = 1 }
		END { if (hit) printf "%s", rec }' "$PF_TMP/journal.txt"
}
start_rec=$(record 'ready: 4 workers serving http on ')
[ -n "$start_rec" ] || sb_fail "no start record ('ready: 4 workers serving http ...') in the journal"
reload_rec=$(record 'reloaded: generation 2, 2 workers serving http on .*:8081')
[ -n "$reload_rec" ] || sb_fail "no reload record ('reloaded: generation 2, 2 workers ... :8081') in the journal"
access_rec=$(record '127\.0\.0\.1:[0-9]+ "GET /docs/hello\.txt HTTP/1\.1" 200 21 ')
[ -n "$access_rec" ] || sb_fail "no access record for GET /docs/hello.txt in the journal"
# Native records only: journald adds CODE_FUNC and SYSLOG_IDENTIFIER to
# no stderr line.
for rec in start_rec reload_rec access_rec; do
	for f in CODE_FUNC SYSLOG_IDENTIFIER=preforkd _SYSTEMD_UNIT=preforkd.service; do
		printf '%s\n' "${!rec}" | grep -q "^$f" ||
			sb_fail "the ${rec%_rec} record is not a native one (no $f): ${!rec}"
	done
done
pf_note "journal: start, reload and access records found, as native records"
for kv in 'PRIORITY=6$' 'WORKER_PID=[0-9]+$' 'REMOTE_ADDR=(::ffff:)?127\.0\.0\.1$' \
	'HTTP_METHOD=GET$' 'HTTP_PATH=/docs/hello\.txt$' 'HTTP_STATUS=200$' \
	'BYTES=21$' 'DURATION_USEC=[0-9]+$'; do
	printf '%s\n' "$access_rec" | grep -Eq "^$kv" ||
		sb_fail "the access record lacks $kv:
$access_rec"
done
[ "$(printf '%s\n' "$access_rec" | sed -n 's/^WORKER_PID=//p')" = \
	"$(printf '%s\n' "$access_rec" | sed -n 's/^_PID=//p')" ] ||
	sb_fail "the access record's WORKER_PID is not the pid that logged it:
$access_rec"
for rec in start_rec reload_rec; do
	printf '%s\n' "${!rec}" | grep -q '^PRIORITY=5$' ||
		sb_fail "the ${rec%_rec} record is not a notice (PRIORITY=5): ${!rec}"
done
pf_note "journal: the access record carries its structured fields; start and reload are notices"

# ---------------------------------------------------------------------
# A typo in the file: the start fails with the reason in the journal, and
# systemd does not restart the daemon (RestartPreventExitStatus=64 78):
# a bad configuration stays bad however often it is read.

sx 10 sh -c 'printf "wrokers = 4\n" >>"$1"' sh "$CONF" ||
	pf_fail "cannot add a typo to $CONF"
typo_line=$(sx 10 grep -n '^wrokers = 4$' "$CONF" | cut -d: -f1)
# The runs above count towards the start limit: clear it, so that only
# RestartPreventExitStatus= can keep systemd from restarting.
sx 10 systemctl reset-failed preforkd.service preforkd.socket 2>/dev/null || :
restarts=$(prop preforkd.service NRestarts)
! sx 60 systemctl start preforkd.service 2>/dev/null ||
	sb_fail "systemctl start succeeded with a typo in the file"
sb_wait 15 "the unit failed after the typo" is_state preforkd.service failed
sleep 3		# RestartSec=1s: a restart would have come by now
is_state preforkd.service failed ||
	sb_fail "the unit is $(prop preforkd.service ActiveState) 3 s after a start with a typo, want failed"
[ "$(prop preforkd.service NRestarts)" = "$restarts" ] ||
	sb_fail "systemd restarted preforkd with a bad file: NRestarts $restarts before the start, $(prop preforkd.service NRestarts) after"
[ "$(prop preforkd.service ExecMainStatus)" = 78 ] ||
	sb_fail "exit status $(prop preforkd.service ExecMainStatus) for a bad file, want 78"
sx 20 journalctl -u preforkd.service -n 30 --no-pager >"$PF_TMP/journal.typo" ||
	pf_fail "journalctl -u preforkd failed"
grep -Eq "$CONF:$typo_line: .*wrokers" "$PF_TMP/journal.typo" ||
	sb_fail "the journal does not name the typo ($CONF:$typo_line: wrokers):
$(cat "$PF_TMP/journal.typo")"
pf_note "a typo: the unit failed, exit status 78, not restarted; the journal says $(grep -Eo "$CONF:$typo_line: [^\"]*" "$PF_TMP/journal.typo" | head -n 1)"
