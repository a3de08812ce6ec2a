#!/usr/bin/env bash
# bench/run.sh - build preforkd optimised and benchmark it on loopback,
# against the "limit" reference servers and, when asked, against peer
# servers (nginx, lighttpd, apache2, ...), through ../shared/bench/peers.sh;
# then print one markdown table: medians, min-max, ratios, targets.
#
# Usage (as root: peers.sh starts its servers as www-data, and the first
# run installs their Debian packages):
#
#   bench/run.sh [preforkd]    build preforkd, measure it and the limit
#                              servers (limit, limit-echo), then preforkd's
#                              own start/reload/memory measurements
#   bench/run.sh all           the same plus the peers ($BENCH_PEERS)
#   bench/run.sh peers         the limit servers and the peers only; no
#                              preforkd is built or measured
#   bench/run.sh build         only build preforkd and pftool; print the
#                              path of the binary (for perf, callgrind ...)
#   bench/run.sh report [DIR]  print the table of an earlier run again
#                              (DIR: one of $BENCH_WORK/results/*; default
#                              the latest); nothing is measured
#   bench/run.sh help          this text
#
# What happens, in order:
#   1. peers.sh setup: the peers' Debian packages are installed first by
#      this script (apt-get, with the packages' services kept from starting
#      and left disabled, as peers.sh does), then `peers.sh setup` writes
#      the document root and the peers' configs into $PEERS_WORK and
#      compiles its load generators.
#   2. Build: the working tree (git ls-files: tracked and untracked files
#      that are not ignored, so uncommitted changes are measured too; every
#      file outside a git checkout, e.g. in a release tarball) is
#      copied to $BENCH_WORK/src and built out of tree in
#      $BENCH_WORK/build: autoreconf -fi; configure CFLAGS="$BENCH_CFLAGS";
#      make -C src.  Skipped when the tree (bench/ aside) and the flags
#      are the same as for the last build.  pftool (the integration tests'
#      client) is compiled from the copy with cc -O2.
#   3. peers.sh run, twice: once with bench/preforkd-http.conf.in as
#      preforkd's template (HTTP scenarios: ka close close-ab big), once
#      with bench/preforkd-echo.conf.in (echo scenarios: echo bulk).  Each
#      runs the limit server of its kind first, then the peers, preforkd
#      in between.  peers.sh bounds every load in count and time and
#      targets 127.0.0.1 only; see its header for the scenarios.
#   4. preforkd's own measurements (peers.sh has no notion of readiness),
#      RUNS times each, every wait bounded by BENCH_READY_TIMEOUT:
#      - start to READY: pftool notify plays the service manager's
#        NOTIFY_SOCKET; a datagram sent to it (logger -u) just before the
#        exec of preforkd marks the start, READY=1 the end; both are
#        stamped by pftool on one clock (whole milliseconds), so the
#        number is from just before the exec (a little more than the true
#        time, never less) to READY=1 with all workers idle;
#      - HUP to READY: the same with a mark sent just before kill -HUP,
#        to the READY=1 that says the new generation serves;
#      - memory of the idle pool, BENCH_SETTLE s after READY (before the
#        HUP): total PSS of master and workers (sum of Pss in
#        /proc/PID/smaps_rollup; shared pages are split between the
#        processes that map them) and private memory per idle worker
#        (Private_Clean + Private_Dirty, median over the workers).
#      preforkd runs from the rendered HTTP template on 127.0.0.1 port
#      PORT_BASE+6 (peers.sh's preforkd port, free between its runs), with
#      PREFORKD_WORKERS workers, pinned to SERVER_CPU when PIN=1.  Only the
#      processes this script started are ever signalled, by PID.
#   5. The table (stdout, and $BENCH_WORK/results/STAMP/table.md), built
#      from what peers.sh kept (results/STAMP/raw/*.summary: one line per
#      run with its value, errors, operations and server CPU ticks; and
#      results/STAMP/table.md) and from step 4; no load is run again.
#
# Parameters (environment; defaults in brackets):
#   BENCH_WORK [/var/tmp/preforkd-bench-build]  build, run and results dir
#   BENCH_QUICK [0]       1: a smoke run, DURATION=3 RUNS=1 WARMUP=1
#                         QUIET_WAIT=3 unless set explicitly
#   BENCH_CFLAGS [-O2 -g] CFLAGS for configure: optimised; -g keeps
#                         perf and callgrind usable on the same binary
#   BENCH_JOBS [nproc]    make -j
#   BENCH_ACCESS_LOG [0]  1: preforkd writes its access log (to stderr,
#                         i.e. peers.sh's output.log); 0 (default) matches
#                         nginx and the limit servers, measured without one
#   BENCH_PEERS [nginx nginx-log lighttpd apache2 mini-httpd xinetd tcpserver]
#                         the peers of `all` and `peers` (peers.sh names;
#                         the close target compares with nginx, so
#                         BENCH_PEERS=nginx bench/run.sh all is the
#                         shortest run that checks every target)
#   BENCH_READY_TIMEOUT [10]  s: bound on each wait in step 4
#   BENCH_SETTLE [1]      s between READY and the memory snapshot
#   PEERS_SH [TOP/../shared/bench/peers.sh]   the peers harness
#   Passed to peers.sh as they are (defaults are peers.sh's):
#   PEERS_WORK [/var/tmp/preforkd-bench]  its docroot, configs and results
#   DURATION [10]         s per run of a load scenario
#   RUNS [3]              runs per scenario (median, min, max); also the
#                         number of samples of each step-4 measurement
#   CONC [50]             connections of ka, close, close-ab and echo
#   BIG_CONC [8]          connections of big (1 MiB files)
#   WARMUP [2] PAUSE [1]  s of load before a server's first scenario, s after
#   AB_MAX [1000000] ECHO_MAX [2000000]  count bounds of ab and echoload
#   BULK_MIB [1024]       MiB through the one connection of bulk
#   PIN [1] SERVER_CPU [0] CLIENT_CPU [1]  taskset pinning (PIN=0: none)
#   PORT_BASE [18080]     127.0.0.1 ports PORT_BASE+0 .. +10
#   PREFORKD_WORKERS [64] preforkd's workers (1..1024), in every step
#   APACHE_WORKERS [64] LIMIT_WORKERS [nproc]  (peers.sh's)
#   SCENARIOS [ka close close-ab big echo bulk]
#   QUIET_MAX [15] QUIET_WAIT [10]  before each run, wait up to QUIET_WAIT
#                         s for both CPUs under QUIET_MAX % busy (step 4
#                         does the same)
#
# Targets (checked on the medians of one run; "limit" is limit_http for
# HTTP, limit_http -e for echo, measured in the same peers.sh run):
#   ka >= 0.9 x limit (workers = 64); close: req/s >= nginx's and server
#   CPU per request <= nginx's; big >= 0.9 x limit; echo: conn/s >= 0.9 x
#   limit and server CPU per connection <= 1.1 x limit's; bulk >= 0.9 x
#   limit; 64 idle workers: total PSS <= 5 MiB and private memory per
#   worker <= 128 KiB; start to READY <= 50 ms; HUP to READY <= 100 ms.
#   A scenario with errors does not meet its target.
#
# Durations on two CPUs, with the defaults: preforkd about 7 min, all
# about 22 min; with BENCH_QUICK=1: preforkd about 75 s, all about 3.5 min
# (plus a build when the sources changed, a few seconds to a minute).
set -euo pipefail

TOP=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
BENCH_DIR=$TOP/bench
BENCH_WORK=${BENCH_WORK:-/var/tmp/preforkd-bench-build}
PEERS_SH=${PEERS_SH:-$TOP/../shared/bench/peers.sh}
BENCH_QUICK=${BENCH_QUICK:-0}
if [ "$BENCH_QUICK" = 1 ]; then
	DURATION=${DURATION:-3} RUNS=${RUNS:-1} WARMUP=${WARMUP:-1}
	QUIET_WAIT=${QUIET_WAIT:-3}
fi
BENCH_CFLAGS=${BENCH_CFLAGS:--O2 -g}
BENCH_JOBS=${BENCH_JOBS:-$(nproc)}
BENCH_ACCESS_LOG=${BENCH_ACCESS_LOG:-0}
BENCH_PEERS=${BENCH_PEERS:-nginx nginx-log lighttpd apache2 mini-httpd xinetd tcpserver}
BENCH_READY_TIMEOUT=${BENCH_READY_TIMEOUT:-10}
BENCH_SETTLE=${BENCH_SETTLE:-1}
export PEERS_WORK=${PEERS_WORK:-/var/tmp/preforkd-bench}
export DURATION=${DURATION:-10} RUNS=${RUNS:-3}
export PREFORKD_WORKERS=${PREFORKD_WORKERS:-64}
PIN=${PIN:-1} SERVER_CPU=${SERVER_CPU:-0}
PORT_BASE=${PORT_BASE:-18080}
QUIET_MAX=${QUIET_MAX:-15} QUIET_WAIT=${QUIET_WAIT:-10}
[ -n "${WARMUP:-}" ] && export WARMUP
[ -n "${QUIET_WAIT:-}" ] && export QUIET_WAIT

readonly HOST=127.0.0.1
HTTP_PEERS=(nginx nginx-log lighttpd apache2 mini-httpd)
ECHO_PEERS=(xinetd tcpserver)
# what peers.sh setup installs; the peers need them, and so do the loads
PKGS=(nginx lighttpd apache2 mini-httpd xinetd ucspi-tcp wrk apache2-utils curl gcc libc6-dev
	procps iproute2 util-linux coreutils)
declare -A PKG_SERVICES=([nginx]="nginx" [lighttpd]="lighttpd"
	[apache2]="apache2 apache-htcacheclean" [mini-httpd]="mini-httpd" [xinetd]="xinetd")

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

check_params() {
	[[ $BENCH_QUICK =~ ^[01]$ ]] || die "BENCH_QUICK must be 0 or 1"
	[[ $BENCH_ACCESS_LOG =~ ^[01]$ ]] || die "BENCH_ACCESS_LOG must be 0 or 1"
	is_uint "$BENCH_JOBS" && ((BENCH_JOBS >= 1)) || die "BENCH_JOBS must be 1 or more"
	is_uint "$RUNS" && ((RUNS >= 1 && RUNS <= 10)) || die "RUNS must be 1..10"
	is_uint "$DURATION" && ((DURATION >= 1 && DURATION <= 120)) || die "DURATION must be 1..120"
	is_uint "$PREFORKD_WORKERS" && ((PREFORKD_WORKERS >= 1 && PREFORKD_WORKERS <= 1024)) ||
		die "PREFORKD_WORKERS must be 1..1024 (preforkd's range)"
	is_uint "$BENCH_READY_TIMEOUT" && ((BENCH_READY_TIMEOUT >= 1 && BENCH_READY_TIMEOUT <= 120)) ||
		die "BENCH_READY_TIMEOUT must be 1..120"
	is_uint "$BENCH_SETTLE" && ((BENCH_SETTLE <= 30)) || die "BENCH_SETTLE must be 0..30"
	is_uint "$PORT_BASE" && ((PORT_BASE >= 1024 && PORT_BASE <= 65500)) || die "PORT_BASE must be 1024..65500"
	[[ $PIN =~ ^[01]$ ]] || die "PIN must be 0 or 1"
	is_uint "$SERVER_CPU" && ((SERVER_CPU < $(nproc))) || die "SERVER_CPU must be 0..$(($(nproc) - 1))"
	is_uint "$QUIET_MAX" && ((QUIET_MAX <= 100)) || die "QUIET_MAX must be 0..100"
	is_uint "$QUIET_WAIT" && ((QUIET_WAIT <= 600)) || die "QUIET_WAIT must be 0..600"
	local p ok q
	for p in $BENCH_PEERS; do
		ok=0
		for q in "${HTTP_PEERS[@]}" "${ECHO_PEERS[@]}"; do [ "$p" = "$q" ] && ok=1; done
		((ok)) || die "BENCH_PEERS: unknown peer '$p' (known: ${HTTP_PEERS[*]} ${ECHO_PEERS[*]})"
	done
	[ -x "$PEERS_SH" ] || die "no peers harness at $PEERS_SH (set PEERS_SH)"
}

# ------------------------------------------------------------- 1. setup

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
# the candidate version, or "(none)"; awk reads all of apt-cache's output
# (a grep -q would stop early, and with pipefail its SIGPIPE reads as failure)
pkg_candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { c = $2 } END { print (c == "" ? "(none)" : c) }'; }

install_packages() {
	local -a missing=() want=()
	local p s
	for p in "${PKGS[@]}"; do pkg_installed "$p" || missing+=("$p"); done
	((${#missing[@]})) || return 0
	[ "$(id -u)" = 0 ] || die "packages missing (${missing[*]}): run as root once"
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 || die "apt-get update failed"
	for p in "${missing[@]}"; do
		if [ "$(pkg_candidate "$p")" = "(none)" ]; then
			log "package $p has no installation candidate: skipped"
		else
			want+=("$p")
		fi
	done
	((${#want[@]})) || return 0
	# keep the packages' services from starting during the install
	local made_policy=0 rc=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# temporary, written by preforkd bench/run.sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	apt-get install -y -q --no-install-recommends "${want[@]}" >&2 || rc=$?
	((made_policy)) && rm -f /usr/sbin/policy-rc.d
	((rc == 0)) || die "apt-get install failed"
	for p in "${want[@]}"; do
		for s in ${PKG_SERVICES[$p]:-}; do
			if command -v systemctl >/dev/null 2>&1; then
				systemctl disable "$s" >/dev/null 2>&1 || true
			elif command -v update-rc.d >/dev/null 2>&1; then
				update-rc.d "$s" disable >/dev/null 2>&1 || true
			fi
		done
	done
}

peers_setup() {
	if [ "$(id -u)" = 0 ]; then
		install_packages
		"$PEERS_SH" setup || die "peers.sh setup failed"
	else
		[ -d "$PEERS_WORK/conf" ] && [ -d "$PEERS_WORK/root" ] ||
			die "$PEERS_WORK is not set up: run bench/run.sh once as root"
		log "not root: using the existing peers.sh setup in $PEERS_WORK"
	fi
}

# ------------------------------------------------------------- 2. build

SRC=$BENCH_WORK/src
BUILD=$BENCH_WORK/build
PREFORKD_BIN=$BUILD/src/preforkd
PFTOOL=$BENCH_WORK/bin/pftool

# NUL-separated files of the working tree that exist: from git (tracked,
# and untracked but not ignored), or, in an unpacked release tarball, all
tree_files() {
	if [ -e "$TOP/.git" ]; then
		git -C "$TOP" ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do [ -e "$TOP/$f" ] && printf '%s\0' "$f"; done
	else
		(cd "$TOP" && find . -type f -printf '%P\0')
	fi
}

tree_hash() {  # contents and names only (not mtimes), bench/ aside
	{
		printf 'CFLAGS=%s\n' "$BENCH_CFLAGS"
		tree_files | tr '\0' '\n' | grep -v '^bench/' | sort |
			while IFS= read -r f; do printf '%s ' "$f"; sha256sum <"$TOP/$f"; done
	} | sha256sum | cut -d' ' -f1
}

build_preforkd() {
	local hash blog=$BENCH_WORK/build.log
	[ -e "$TOP/.git" ] || [ ! -e "$TOP/config.status" ] ||
		die "$TOP is configured in place: make distclean first (the copy is configured afresh)"
	hash=$(tree_hash)
	if [ -x "$PREFORKD_BIN" ] && [ -x "$PFTOOL" ] && [ "$(cat "$BENCH_WORK/build.stamp" 2>/dev/null)" = "$hash" ]; then
		log "build: unchanged since the last build, $PREFORKD_BIN"
		return 0
	fi
	log "build: copying the working tree to $SRC, building in $BUILD (CFLAGS=$BENCH_CFLAGS)"
	rm -rf "$SRC" "$BUILD" "$BENCH_WORK/build.stamp"
	mkdir -p "$SRC" "$BUILD" "$BENCH_WORK/bin"
	tree_files | tar -C "$TOP" --null -T - -cf - | tar -C "$SRC" -xf -
	if ! {
		(cd "$SRC" && autoreconf -fi) &&
			(cd "$BUILD" && "$SRC/configure" CFLAGS="$BENCH_CFLAGS") &&
			make -C "$BUILD/src" -j"$BENCH_JOBS"
	} >"$blog" 2>&1; then
		tail -n 30 "$blog" >&2
		die "build failed; see $blog"
	fi
	cc -O2 -Wall -o "$PFTOOL" "$SRC/tests/integration/pftool.c" >>"$blog" 2>&1 ||
		die "cc failed for pftool.c; see $blog"
	"$PREFORKD_BIN" -V >/dev/null || die "$PREFORKD_BIN does not run"
	echo "$hash" >"$BENCH_WORK/build.stamp"
	log "build: done, $PREFORKD_BIN ($("$PREFORKD_BIN" -V 2>&1 | head -n 1))"
}

# The templates with this script's placeholders filled in; peers.sh fills
# in its own (@PORT@ @ECHO_PORT@ @ROOT@ @WORKERS@ @RUNDIR@).
render_templates() {
	local user="" alog=false t
	[ "$(id -u)" = 0 ] && user=root
	[ "$BENCH_ACCESS_LOG" = 1 ] && alog=true
	mkdir -p "$BENCH_WORK/conf"
	for t in http echo; do
		sed -e "s|@BENCH_USER@|$user|g" -e "s|@BENCH_ACCESS_LOG@|$alog|g" \
			"$BENCH_DIR/preforkd-$t.conf.in" >"$BENCH_WORK/conf/preforkd-$t.conf.in"
	done
}

# ------------------------------------------------------ 3. peers.sh run

# run_peers KIND TEMPLATE NAMES...: one peers.sh run; its log goes to
# stderr and to RES/peers-KIND.log, its results directory to RES/peers-KIND.dir
run_peers() {
	local kind=$1 tpl=$2 dir rc=0
	shift 2
	log "peers.sh run $* ($kind)"
	env PREFORKD_BIN="$PREFORKD_BIN" PREFORKD_CONF_TEMPLATE="$tpl" \
		"$PEERS_SH" run "$@" 2>&1 | tee "$RES/peers-$kind.log" >&2 || rc=$?
	dir=$(sed -n 's/^\[peers [0-9:]*\] results: //p' "$RES/peers-$kind.log" | tail -n 1)
	if [ -n "$dir" ] && [ -d "$dir" ]; then
		echo "$dir" >"$RES/peers-$kind.dir"
	else
		log "warning: no results directory in $RES/peers-$kind.log"
	fi
	((rc == 0)) || log "warning: peers.sh run ($kind) exited with status $rc"
}

# ------------------------------------------- 4. preforkd's own numbers

OWN_PID="" OWN_START="" NOTIFY_PID="" NOTIFY_START=""
pid_start() { awk '{ print $22 }' "/proc/$1/stat" 2>/dev/null || true; }
# is PID still the process we started (same start time)?
ours() { [ -n "$1" ] && [ -n "$2" ] && [ "$(pid_start "$1")" = "$2" ]; }

stop_own() {
	local i
	if ours "$OWN_PID" "$OWN_START"; then
		kill -TERM "$OWN_PID" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do ours "$OWN_PID" "$OWN_START" || break; sleep 0.1; done
		if ours "$OWN_PID" "$OWN_START"; then
			log "preforkd $OWN_PID ignored TERM for 10 s: KILL"
			kill -KILL "$OWN_PID" 2>/dev/null || true
		fi
	fi
	[ -n "$OWN_PID" ] && { wait "$OWN_PID" 2>/dev/null || true; }
	if ours "$NOTIFY_PID" "$NOTIFY_START"; then
		kill -TERM "$NOTIFY_PID" 2>/dev/null || true
	fi
	[ -n "$NOTIFY_PID" ] && { wait "$NOTIFY_PID" 2>/dev/null || true; }
	OWN_PID="" OWN_START="" NOTIFY_PID="" NOTIFY_START=""
}

port_busy() { [ -n "$(ss -Hltn "( sport = :$1 )" 2>/dev/null)" ]; }

# wait_line FILE ERE AFTER_LINE SECONDS: until a line after AFTER_LINE
# matches; prints it
wait_line() {
	local end=$((SECONDS + $4 + 1)) l
	while :; do
		l=$(awk -v re="$2" -v after="$3" 'NR > after && $0 ~ re { print; exit }' "$1")
		[ -n "$l" ] && { printf '%s\n' "$l"; return 0; }
		((SECONDS < end)) || return 1
		sleep 0.01
	done
}

cpu_snap() { awk '/^cpu[0-9]/ { printf "%s %d %d;", $1, $2+$3+$4+$5+$6+$7+$8+$9, $5+$6 }' /proc/stat; }
# the busiest CPU's busy % between two snapshots
cpu_max_busy() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, A, ";"); for (i = 1; i <= n; i++) { split(A[i], f, " "); t0[f[1]] = f[2]; i0[f[1]] = f[3] }
		n = split(b, B, ";"); m = 0
		for (i = 1; i <= n; i++) { split(B[i], f, " "); if (!(f[1] in t0)) continue
			dt = f[2] - t0[f[1]]; di = f[3] - i0[f[1]]; if (dt > 0 && 100 * (dt - di) / dt > m) m = 100 * (dt - di) / dt }
		printf "%.0f", m }'
}
# bounded wait for a quiet machine, as peers.sh does; prints the busy %
wait_quiet() {
	local end=$((SECONDS + QUIET_WAIT)) a b m
	while :; do
		a=$(cpu_snap); sleep 1; b=$(cpu_snap)
		m=$(cpu_max_busy "$a" "$b")
		((m <= QUIET_MAX || SECONDS >= end)) && break
	done
	echo "$m"
}

# awk (mawk has no asort): sort a[1..n] numerically; the median of a[1..n]
AWK_SORT='function isort(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t } }
function median(a, n) { isort(a, n); return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }'

# "pid role pss_kib private_kib" for the master and each of its children
mem_lines() {
	local p role
	for p in "$1" $(ps -o pid= --ppid "$1"); do
		role=worker; [ "$p" = "$1" ] && role=master
		awk -v p="$p" -v r="$role" '/^Pss:/ { s = $2 } /^Private_(Clean|Dirty):/ { v += $2 }
			END { if (NR) print p, r, s + 0, v + 0 }' "/proc/$p/smaps_rollup" 2>/dev/null || true
	done
}

# one sample of each: start to READY, memory, HUP to READY
own_once() {
	local i=$1 conf=$2 raw=$3
	local sock=$BENCH_WORK/run/notify.sock out=$raw/notify.$i.txt plog=$raw/preforkd.$i.log
	local busy l mark ready n mem
	rm -f "$sock"
	"$PFTOOL" notify --socket "$sock" -s $((3 * BENCH_READY_TIMEOUT + BENCH_SETTLE + 10)) >"$out" 2>&1 &
	NOTIFY_PID=$! NOTIFY_START=$(pid_start $!)
	wait_line "$out" '^listening ' 0 5 >/dev/null || { log "pftool notify did not start: $(cat "$out")"; return 1; }
	busy=$(wait_quiet)
	# the subshell pins itself, marks the start and becomes preforkd
	(
		((PIN)) && taskset -pc "$SERVER_CPU" "$BASHPID" >/dev/null
		export NOTIFY_SOCKET=$sock
		logger -u "$sock" -d --socket-errors=on "bench-start $i"
		exec "$PREFORKD_BIN" -f "$conf"
	) >"$plog" 2>&1 </dev/null &
	OWN_PID=$! OWN_START=$(pid_start $!)
	if ! l=$(wait_line "$out" 'READY=1' 0 "$BENCH_READY_TIMEOUT"); then
		log "run $i: no READY=1 within ${BENCH_READY_TIMEOUT}s; preforkd said: $(tail -n 3 "$plog")"
		return 1
	fi
	mark=$(awk '/bench-start/ { print $1; exit }' "$out")
	[ -n "$mark" ] || { log "run $i: the start mark did not arrive: $(cat "$out")"; return 1; }
	ready=$((${l%% *} - mark))
	[[ $l == *" $PREFORKD_WORKERS idle;"* ]] || log "run $i: READY=1 without $PREFORKD_WORKERS idle workers: $l"
	echo "ready $i $ready busy_before=$busy" >>"$RES/own.txt"
	sleep "$BENCH_SETTLE"
	mem_lines "$OWN_PID" >"$raw/mem.$i.txt"
	mem=$(awk "$AWK_SORT"'
		{ s += $3 } $2 == "worker" { v[++n] = $4 + 0 } $2 == "master" { m = $4 }
		END { print s + 0, (n ? median(v, n) : -1), m + 0, n + 0 }' "$raw/mem.$i.txt")
	echo "mem $i $mem" >>"$RES/own.txt"   # pss_total_kib private_median_kib master_private_kib workers
	local pss priv mpriv nw
	read -r pss priv mpriv nw <<<"$mem"
	[ "$nw" = "$PREFORKD_WORKERS" ] || log "run $i: $nw workers found, not $PREFORKD_WORKERS (master private $mpriv KiB)"
	n=$(wc -l <"$out")
	logger -u "$sock" -d --socket-errors=on "bench-hup $i"
	kill -HUP "$OWN_PID"
	if ! l=$(wait_line "$out" 'READY=1' "$n" "$BENCH_READY_TIMEOUT"); then
		log "run $i: no READY=1 within ${BENCH_READY_TIMEOUT}s of HUP"
		return 1
	fi
	mark=$(awk -v after="$n" 'NR > after && /bench-hup/ { print $1; exit }' "$out")
	[ -n "$mark" ] || { log "run $i: the HUP mark did not arrive: $(cat "$out")"; return 1; }
	echo "hup $i $((${l%% *} - mark))" >>"$RES/own.txt"
	log "run $i: start to READY $ready ms, HUP to READY $((${l%% *} - mark)) ms, PSS $pss KiB," \
		"private per worker $priv KiB (busiest CPU ${busy}% before the start)"
	stop_own
}

own_measure() {
	local conf=$BENCH_WORK/run/preforkd-own.conf raw=$RES/own i port=$((PORT_BASE + 6))
	mkdir -p "$raw" "$BENCH_WORK/run"
	local v
	v=$(<"$BENCH_WORK/conf/preforkd-http.conf.in")
	v=${v//@PORT@/$port}
	v=${v//@ROOT@/$PEERS_WORK/root}
	v=${v//@WORKERS@/$PREFORKD_WORKERS}
	v=${v//@RUNDIR@/$BENCH_WORK/run}
	printf '%s\n' "$v" >"$conf"
	port_busy "$port" && { log "port $port is in use: start/HUP/memory measurements skipped"; return 0; }
	command -v logger >/dev/null || die "logger (util-linux/bsdutils) is needed"
	: >"$RES/own.txt"
	log "preforkd start/HUP/memory: $RUNS run(s), $PREFORKD_WORKERS workers, $HOST:$port"
	for ((i = 1; i <= RUNS; i++)); do
		own_once "$i" "$conf" "$raw" || log "run $i failed; see $raw"
		stop_own
	done
}

# ---------------------------------------------------------- 5. the table

declare -A S=()      # LABEL:KEY -> value; KEY: SCEN:{med,min,max,us,err,n,other} or pss:med ...
declare -A NOTE=()   # LABEL:SCEN -> peers.sh's notes
LABELS_SEEN=" "

trim() { local v=${1#"${1%%[![:space:]]*}"}; printf '%s' "${v%"${v##*[![:space:]]}"}"; }
# put PREFIX "K1 K2 ..." "V1 V2 ...": S[PREFIX:Ki] = Vi
put() {
	local -a k v
	local i
	read -r -a k <<<"$2"
	read -r -a v <<<"$3"
	for i in "${!k[@]}"; do S["$1:${k[$i]}"]=${v[$i]:--}; done
}

# load one peers.sh results directory into S
load_peers_dir() {
	local dir=$1 f base label scen line
	local hz; hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
	for f in "$dir"/raw/*.summary; do
		[ -f "$f" ] || continue
		base=${f##*/}; base=${base%.summary}
		label=${base%.*}; scen=${base##*.}
		line=$(awk -v hz="$hz" "$AWK_SORT"'
			$1 == "run" {
				n++; e += $6
				if ($3 != "-") v[++k] = $3 + 0
				t = ""; for (i = 8; i <= NF; i++) {
					if ($i ~ /^server_ticks=/) t = substr($i, 14)
					if ($i ~ /^other_cpu=/ && substr($i, 11) + 0 > o) o = substr($i, 11) + 0 }
				if (t != "" && $7 > 0) u[++m] = t * 1e6 / hz / $7
			}
			function med(a, c) { return c ? median(a, c) : "-" }
			END {
				if (!n) exit
				if (k) { mn = mx = v[1]; for (i = 1; i <= k; i++) { if (v[i] < mn) mn = v[i]; if (v[i] > mx) mx = v[i] } }
				else { mn = mx = "-" }
				if (m) { umn = umx = u[1]; for (i = 1; i <= m; i++) { if (u[i] < umn) umn = u[i]; if (u[i] > umx) umx = u[i] } }
				else { umn = umx = "-" }
				print med(v, k), mn, mx, med(u, m), umn, umx, e, n, o + 0
			}' "$f")
		[ -n "$line" ] || continue
		put "$label:$scen" "med min max us us_min us_max err n other" "$line"
		[[ $LABELS_SEEN == *" $label "* ]] || LABELS_SEEN+="$label "
	done
	# table.md: notes, idle PSS (MiB), and servers that failed to start
	if [ -f "$dir/table.md" ]; then
		while IFS='|' read -r _ label scen _ _ _ _ _ _ _ _ _ _ pss _ _ _ _ notes _; do
			label=$(trim "$label") scen=$(trim "$scen") notes=$(trim "$notes")
			[ -n "$label" ] && [ "$label" != server ] && [[ $label != -* ]] || continue
			[ -n "$notes" ] && NOTE[$label:$scen]=$notes
			pss=$(trim "${pss%%/*}")
			[ "$label" != preforkd ] && [[ $pss =~ ^[0-9.]+$ ]] && [ -z "${S[$label:pss:med]:-}" ] &&
				S[$label:pss:med]=$pss
			[[ $LABELS_SEEN == *" $label "* ]] || LABELS_SEEN+="$label "
		done <"$dir/table.md"
	fi
}

load_own() {
	local f=$1
	[ -s "$f" ] || return 0
	local line
	stats() {  # column N of lines starting with WORD: median min max (scaled by DIV)
		awk -v w="$1" -v c="$2" -v d="$3" "$AWK_SORT"'
			$1 == w && $c != "" && $c >= 0 { v[++n] = $c / d }
			END { if (!n) { print "- - -"; exit } m = median(v, n); print m, v[1], v[n] }' "$f"
	}
	put preforkd:ready "med min max" "$(stats ready 3 1)"
	put preforkd:hup "med min max" "$(stats hup 3 1)"
	put preforkd:pss "med min max" "$(stats mem 3 1024)"
	put preforkd:priv "med min max" "$(stats mem 4 1)"
	S[preforkd:ready:n]=$(awk '$1 == "ready"' "$f" | wc -l)
	S[preforkd:mem:workers]=$(awk '$1 == "mem" { print $6; exit }' "$f")
	[[ $LABELS_SEEN == *" preforkd "* ]] || LABELS_SEEN+="preforkd "
}

num() {  # like peers.sh: no decimals from 1000 on, one below, two below 10
	awk -v x="${1:--}" 'BEGIN { if (x == "-" || x == "") print "-"; else if (x >= 1000) printf "%.0f", x;
		else if (x >= 10) printf "%.1f", x; else printf "%.2f", x }'
}
ratio() { awk -v a="${1:--}" -v b="${2:--}" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
# cmp A OP B: true if A OP B (OP: ge or le)
cmp() { awk -v a="$1" -v o="$2" -v b="$3" 'BEGIN { exit !((o == "ge") ? (a + 0 >= b + 0) : (a + 0 <= b + 0)) }'; }

# get LABEL KEY
get() { local x=${S[$1:$2]:-}; echo "${x:--}"; }

print_table() {
	local res=$1 d
	for d in http echo; do
		[ -f "$res/peers-$d.dir" ] && load_peers_dir "$(cat "$res/peers-$d.dir")"
	done
	load_own "$res/own.txt"
	local -a peers=() p
	for p in "${HTTP_PEERS[@]}" "${ECHO_PEERS[@]}"; do
		[[ $LABELS_SEEN == *" $p "* ]] && peers+=("$p")
	done
	local hdr="| metric | unit | target | preforkd | min–max | limit | ÷ limit |" sep="|---|---|---|---:|---:|---:|---:|"
	for p in "${peers[@]}"; do hdr+=" $p |"; sep+="---:|"; done
	hdr+=" met | notes |"; sep+="---|---|"
	local params
	params="DURATION=$(sed -n 's/.*DURATION=\([0-9]*\).*/\1/p' "$res/params.txt" 2>/dev/null) RUNS=$(sed -n 's/.*RUNS=\([0-9]*\).*/\1/p' "$res/params.txt" 2>/dev/null)"
	local what="no preforkd (peers only)"
	[ -s "$res/version.txt" ] && what="preforkd $(cat "$res/version.txt"), $PREFORKD_WORKERS workers"
	echo "$what, ${params}; medians; ÷ = preforkd ÷ that server; results in $res"
	echo
	echo "$hdr"
	echo "$sep"
	# metric label | unit | key (scen:stat) | limit label | target text | check
	# check: lim:F (>= F x limit) | limle:F (<= F x limit) | peerge:P | peerle:P | le:X | - (none)
	local rows=(
		"ka|req/s|ka|limit|≥ 0.9 × limit|lim:0.9"
		"close|req/s|close|limit|≥ nginx|peerge:nginx"
		"close: server CPU|µs/req|close:us|limit|≤ nginx|peerle:nginx"
		"close-ab (cross-check)|req/s|close-ab|limit|-|-"
		"big (1 MiB)|MiB/s|big|limit|≥ 0.9 × limit|lim:0.9"
		"echo (64 B)|conn/s|echo|limit-echo|≥ 0.9 × limit|lim:0.9"
		"echo: server CPU|µs/conn|echo:us|limit-echo|≤ 1.1 × limit|limle:1.1"
		"bulk echo|MiB/s|bulk|limit-echo|≥ 0.9 × limit|lim:0.9"
		"idle PSS, master + workers|MiB|pss|limit|≤ 5 MiB|le:5"
		"private memory per idle worker|KiB|priv|-|≤ 128 KiB|le:128"
		"start to READY|ms|ready|-|≤ 50 ms|le:50"
		"HUP to READY|ms|hup|-|≤ 100 ms|le:100"
	)
	local r metric unit key lim target check scen stat own mn mx lv line met notes pv ref op e o
	for r in "${rows[@]}"; do
		IFS='|' read -r metric unit key lim target check <<<"$r"
		scen=${key%%:*}; stat=med
		[[ $key == *:us ]] && stat=us
		own=$(get preforkd "$scen:$stat")
		if [ "$stat" = us ]; then mn=$(get preforkd "$scen:us_min"); mx=$(get preforkd "$scen:us_max")
		else mn=$(get preforkd "$scen:min"); mx=$(get preforkd "$scen:max"); fi
		# idle PSS of the limit server is the peers.sh snapshot of the echo or HTTP one
		lv=-; [ "$lim" != - ] && lv=$(get "$lim" "$scen:$stat")
		line="| $metric | $unit | $target | $(num "$own") |"
		if [ "$mn" = - ]; then line+=" - |"; else line+=" $(num "$mn")–$(num "$mx") |"; fi
		line+=" $(num "$lv") | $(ratio "$own" "$lv") |"
		for p in "${peers[@]}"; do
			pv=$(get "$p" "$scen:$stat")
			case $scen in ready|hup|priv) pv=- ;; esac
			if [ "$pv" = - ]; then line+=" - |"
			elif [ "$own" = - ]; then line+=" $(num "$pv") |"
			else line+=" $(num "$pv") ($(ratio "$own" "$pv")) |"; fi
		done
		# met?
		met=-
		if [ "$check" != - ]; then
			ref=""
			case $check in
				lim:*) [ "$lv" != - ] && ref=$(awk -v l="$lv" -v f="${check#*:}" 'BEGIN { print l * f }') && op=ge ;;
				limle:*) [ "$lv" != - ] && ref=$(awk -v l="$lv" -v f="${check#*:}" 'BEGIN { print l * f }') && op=le ;;
				peerge:*) ref=$(get "${check#*:}" "$scen:$stat"); op=ge ;;
				peerle:*) ref=$(get "${check#*:}" "$scen:$stat"); op=le ;;
				le:*) ref=${check#*:}; op=le ;;
			esac
			if [ "$own" = - ]; then met="n/a (not measured)"
			elif [ -z "$ref" ] || [ "$ref" = - ]; then
				case $check in peer*) met="n/a (needs ${check#*:}: run all)" ;; *) met="n/a (no limit)" ;; esac
			elif cmp "$own" "$op" "$ref"; then met=met
			else met="NOT met"; fi
			e=$(get preforkd "$scen:err")
			if [ "$e" != - ] && [ "$e" != 0 ]; then met="NOT met ($e errors)"; fi
		fi
		notes=""
		case $scen in
			ka|close|close-ab|big|echo|bulk)
				[ -n "${NOTE[preforkd:$scen]:-}" ] && notes=${NOTE[preforkd:$scen]}
				o=$(get preforkd "$scen:other")
				[ "$o" != - ] && awk -v o="$o" 'BEGIN { exit !(o >= 5) }' && notes="${notes:+$notes; }other CPU up to $o%" ;;
			pss) [ "$own" != - ] && notes="$(get preforkd mem:workers) workers; others: peers.sh's idle PSS" ;;
		esac
		[ "$own" = - ] && [ -n "${NOTE[preforkd:start]:-}" ] && notes="${notes:+$notes; }peers.sh: preforkd ${NOTE[preforkd:start]}"
		line+=" $met | $notes |"
		echo "$line"
	done
}

# ---------------------------------------------------------------- main

mode=${1:-preforkd}
case $mode in
	preforkd|all|peers) ;;
	build)
		build_preforkd
		echo "$PREFORKD_BIN"
		exit 0 ;;
	report)
		d=${2:-$(ls -1d "$BENCH_WORK"/results/*/ 2>/dev/null | tail -n 1)}
		d=${d%/}
		[ -n "$d" ] && [ -d "$d" ] || die "no results directory (${2:-none under $BENCH_WORK/results})"
		[ -f "$d/params.txt" ] && PREFORKD_WORKERS=$(sed -n 's/.*PREFORKD_WORKERS=\([0-9]*\).*/\1/p' "$d/params.txt")
		print_table "$d"
		exit 0 ;;
	help|-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
esac

check_params
trap 'stop_own' EXIT
trap 'log interrupted; exit 130' INT TERM HUP

mkdir -p "$BENCH_WORK/results"
RES=$BENCH_WORK/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$RES"
t0=$SECONDS
peers_setup
if [ "$mode" != peers ]; then
	build_preforkd
	render_templates
	{
		git -C "$TOP" describe --always --dirty 2>/dev/null || "$PREFORKD_BIN" -V 2>&1 | head -n 1
	} | tr -d '\n' >"$RES/version.txt"
fi
echo "DURATION=$DURATION RUNS=$RUNS PREFORKD_WORKERS=$PREFORKD_WORKERS PIN=$PIN SERVER_CPU=$SERVER_CPU" \
	"BENCH_ACCESS_LOG=$BENCH_ACCESS_LOG BENCH_CFLAGS='$BENCH_CFLAGS' mode=$mode peers='$BENCH_PEERS'" >"$RES/params.txt"
log "results: $RES"

http_names=(limit) echo_names=(limit-echo)
if [ "$mode" != preforkd ]; then
	for p in $BENCH_PEERS; do
		case " ${HTTP_PEERS[*]} " in *" $p "*) http_names+=("$p") ;; *) echo_names+=("$p") ;; esac
	done
fi
[ "$mode" != peers ] && http_names+=(preforkd) echo_names+=(preforkd)
run_peers http "$BENCH_WORK/conf/preforkd-http.conf.in" "${http_names[@]}"
run_peers echo "$BENCH_WORK/conf/preforkd-echo.conf.in" "${echo_names[@]}"
[ "$mode" != peers ] && own_measure

log "done in $((SECONDS - t0)) s"
print_table "$RES" | tee "$RES/table.md"
