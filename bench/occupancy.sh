#!/usr/bin/env bash
# bench/occupancy.sh - the occupancy benchmark: can idle keep-alive clients
# and slow clients (slowloris, slow readers) take every worker, so that a
# legitimate client gets nothing?  Each scenario runs against preforkd,
# nginx and Apache prefork in turn, in one run, on loopback; then one
# markdown table: the legitimate client's success and latency while the
# attack goes on.
#
# Usage (as root: nginx and apache2 start from ../shared/bench/peers.sh's
# configurations and drop to www-data; a missing slowhttptest is installed
# with apt-get):
#
#   bench/occupancy.sh [all]          every scenario, in the order below
#   bench/occupancy.sh SCENARIO...    only these
#   bench/occupancy.sh help           this text
#
# Scenarios (every server is started afresh for each and stopped by its
# pid after it; the legitimate client is pfload's unless said otherwise):
#   baseline      no attack: seq requests of /index.html for
#                 BASELINE_DURATION s; every server should serve 100 % here
#                 (a check of the harness itself)
#   slowloris     pfload --attack slowloris -c SL_CONNS --interval-ms
#                 SL_INTERVAL_MS --legit seq --path /index.html --ramp
#                 SL_RAMP --duration SL_DURATION; preforkd workers = 8
#   slowhttptest  slowhttptest -H (slowloris: -c SHT_H_CONNS -r SHT_RATE
#                 -i 10 -x 24, GET /index.html) and -X (slow read:
#                 -c SHT_X_CONNS -r SHT_RATE -w 512 -y 1024 -n 5 -z 32 -k 3,
#                 GET SHT_X_PATH), each -p SHT_PROBE -l SHT_DURATION, each
#                 on a fresh server; preforkd workers = 8.  The success
#                 column is the share of slowhttptest's one-second samples
#                 (its CSV) in which its probe request got an answer within
#                 -p seconds; the notes give its last verdict ("service
#                 available: YES/NO" on stdout) and its exit status
#   keepalive     ab -k -c AB_CONC -n AB_N and ab -k -c AB_CONC_LOW -n AB_N
#                 (both with -r) on /index.html: failed requests, longest
#                 request, total time and total(-c AB_CONC) / total(-c
#                 AB_CONC_LOW); then pfload --attack none --legit browser
#                 --clients 10 --per-client 6 --think-ms 500 --duration
#                 BR_DURATION, where the goal is every page load under
#                 BR_GOAL_MS ms; preforkd workers = 4
#   slowread      pfload --attack slowread -c SR_CONNS (SR_READ_BYTES bytes
#                 every SR_INTERVAL_MS ms on a SR_RCVBUF-byte receive buffer,
#                 GET SR_PATH) --legit seq --duration SR_DURATION; preforkd
#                 workers = 8
#
# Servers ($SERVERS, in this order):
#   preforkd  PREFORKD_BIN, or by default the binary that `bench/run.sh
#             build` makes of this working tree.  Its config is written
#             here: 127.0.0.1:PREFORKD_PORT only, service http, the peers.sh
#             document root, user "root" when run as root, the scenario's
#             workers, PREFORKD_CONF_EXTRA (top-level lines) and
#             PREFORKD_HTTP_EXTRA (lines in the http section); everything
#             else is the shipped default (timeouts, keepalive_requests,
#             the access log at info, to the server log kept in raw/).
#             Runs in the foreground; stopped with TERM.
#   nginx     nginx -p RUN/ -e RUN/error.log -c PEERS_WORK/conf/nginx.conf
#   apache2   apache2 -d RUN -f PEERS_WORK/conf/apache2.conf -DFOREGROUND
#             (mpm_prefork; MaxRequestWorkers as peers.sh wrote it, shown
#             in the table's caption)
#   nginx and apache2 use peers.sh's configurations as they are, on the
#   ports those files name (peers.sh list), with RUN = PEERS_WORK/run/NAME.
#   Each server is started under setsid (its own session), pinned to
#   SERVER_CPU, and stopped by its own pid: TERM, KILL after 10 s, then
#   any of its children still there after 3 s (by pid and start time).
#   Nothing is ever signalled by name.
#
# Parameters (environment; defaults in brackets):
#   OCC_WORK [/var/tmp/preforkd-bench-occupancy]  work dir: bin/pfload and
#                        one results directory per run, OCC_WORK/STAMP/
#   OCC_QUICK [0]        1: a smoke run (about 4 min): every duration cut
#                        (ramps 3 s, loads 5-10 s, AB_N 2000) unless set
#   SERVERS [preforkd nginx apache2]
#   PREFORKD_BIN [bench/run.sh build]   PREFORKD_PORT [PORT_BASE+6]
#   PREFORKD_CONF_EXTRA [] PREFORKD_HTTP_EXTRA []  extra config lines
#   PFLOAD [compiled from tests/integration/pfload.c into OCC_WORK/bin]
#   PEERS_WORK [/var/tmp/preforkd-bench]  peers.sh's configs and docroot
#   PEERS_SH [TOP/../shared/bench/peers.sh]  run once with `setup` (as
#                        root) if PEERS_WORK holds no configs yet
#   PORT_BASE [18080]    only for PREFORKD_PORT's default
#   PIN [1] SERVER_CPU [0] CLIENT_CPU [1]  taskset pinning (PIN=0: none)
#   LEGIT_TIMEOUT [2]    s: a legitimate request or page load slower fails
#   BASELINE_DURATION [5] BASELINE_WORKERS [8]
#   SL_CONNS [1000] SL_INTERVAL_MS [5000] SL_RAMP [10] SL_DURATION [30]
#   SL_WORKERS [8]
#   SHT_H_CONNS [1000] SHT_X_CONNS [500] SHT_RATE [200] SHT_DURATION [30]
#   SHT_PROBE [3] SHT_X_PATH [/1m.bin] SHT_WORKERS [8]
#   AB_N [20000] AB_CONC [50] AB_CONC_LOW [4] AB_TIMEOUT [120]
#   BR_CLIENTS [10] BR_PER_CLIENT [6] BR_THINK_MS [500] BR_DURATION [20]
#   BR_GOAL_MS [100] KA_WORKERS [4]
#   SR_CONNS [200] SR_INTERVAL_MS [1000] SR_READ_BYTES [32] SR_RCVBUF [2048]
#   SR_PATH [/1m.bin] SR_RAMP [5] SR_DURATION [30] SR_WORKERS [8]
#
# Results: OCC_WORK/STAMP/table.md (also printed at the end), params.txt,
# log.txt, and raw/: every client's stdout and stderr (SCENARIO.SERVER.*),
# slowhttptest's CSV and HTML reports, each server's log and command, and
# preforkd's configs.  Every load targets 127.0.0.1 only and is bounded in
# connections and time (timeout(1) around each client as well).
#
# Duration with the defaults, three servers on two CPUs: about 10 min;
# with OCC_QUICK=1 about 4 min (plus a build of preforkd when the tree
# changed).
set -euo pipefail
set +m	# no job control: a background subshell is no group leader (setsid)

TOP=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
readonly HOST=127.0.0.1

OCC_WORK=${OCC_WORK:-/var/tmp/preforkd-bench-occupancy}
OCC_QUICK=${OCC_QUICK:-0}
if [ "$OCC_QUICK" = 1 ]; then
	BASELINE_DURATION=${BASELINE_DURATION:-3}
	SL_RAMP=${SL_RAMP:-3} SL_DURATION=${SL_DURATION:-5}
	SHT_DURATION=${SHT_DURATION:-10}
	AB_N=${AB_N:-2000} BR_DURATION=${BR_DURATION:-5}
	SR_RAMP=${SR_RAMP:-3} SR_DURATION=${SR_DURATION:-5}
fi
SERVERS=${SERVERS:-preforkd nginx apache2}
PEERS_WORK=${PEERS_WORK:-/var/tmp/preforkd-bench}
PEERS_SH=${PEERS_SH:-$TOP/../shared/bench/peers.sh}
PORT_BASE=${PORT_BASE:-18080}
PREFORKD_PORT=${PREFORKD_PORT:-$((PORT_BASE + 6))}
PREFORKD_CONF_EXTRA=${PREFORKD_CONF_EXTRA:-}
PREFORKD_HTTP_EXTRA=${PREFORKD_HTTP_EXTRA:-}
PIN=${PIN:-1} SERVER_CPU=${SERVER_CPU:-0} CLIENT_CPU=${CLIENT_CPU:-1}
LEGIT_TIMEOUT=${LEGIT_TIMEOUT:-2}
BASELINE_DURATION=${BASELINE_DURATION:-5} BASELINE_WORKERS=${BASELINE_WORKERS:-8}
SL_CONNS=${SL_CONNS:-1000} SL_INTERVAL_MS=${SL_INTERVAL_MS:-5000}
SL_RAMP=${SL_RAMP:-10} SL_DURATION=${SL_DURATION:-30} SL_WORKERS=${SL_WORKERS:-8}
SHT_H_CONNS=${SHT_H_CONNS:-1000} SHT_X_CONNS=${SHT_X_CONNS:-500}
SHT_RATE=${SHT_RATE:-200} SHT_DURATION=${SHT_DURATION:-30} SHT_PROBE=${SHT_PROBE:-3}
SHT_X_PATH=${SHT_X_PATH:-/1m.bin} SHT_WORKERS=${SHT_WORKERS:-8}
AB_N=${AB_N:-20000} AB_CONC=${AB_CONC:-50} AB_CONC_LOW=${AB_CONC_LOW:-4}
AB_TIMEOUT=${AB_TIMEOUT:-120}
BR_CLIENTS=${BR_CLIENTS:-10} BR_PER_CLIENT=${BR_PER_CLIENT:-6}
BR_THINK_MS=${BR_THINK_MS:-500} BR_DURATION=${BR_DURATION:-20}
BR_GOAL_MS=${BR_GOAL_MS:-100} KA_WORKERS=${KA_WORKERS:-4}
SR_CONNS=${SR_CONNS:-200} SR_INTERVAL_MS=${SR_INTERVAL_MS:-1000}
SR_READ_BYTES=${SR_READ_BYTES:-32} SR_RCVBUF=${SR_RCVBUF:-2048}
SR_PATH=${SR_PATH:-/1m.bin} SR_RAMP=${SR_RAMP:-5} SR_DURATION=${SR_DURATION:-30}
SR_WORKERS=${SR_WORKERS:-8}

ALL_SCENARIOS=(baseline slowloris slowhttptest keepalive slowread)
KNOWN_SERVERS=(preforkd nginx apache2)

RES="" RAW=""
log() {
	local l
	l=$(printf '[occupancy %s] %s' "$(date +%H:%M:%S)" "$*")
	printf '%s\n' "$l" >&2
	[ -z "$RES" ] || printf '%s\n' "$l" >>"$RES/log.txt"
}
die() { log "error: $*"; exit 1; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
# the value of KEY in a "k=v k=v" line
kv() { if [[ " $1 " =~ [[:space:]]$2=([^[:space:]]*) ]]; then echo "${BASH_REMATCH[1]}"; fi; }

# NAME MIN MAX: die unless $NAME is a whole number in [MIN, MAX]
need_uint() {
	local v=${!1}
	is_uint "$v" && ((v >= $2 && v <= $3)) || die "$1 must be $2..$3 (is '$v')"
}

check_params() {
	[[ $OCC_QUICK =~ ^[01]$ ]] || die "OCC_QUICK must be 0 or 1"
	[[ $PIN =~ ^[01]$ ]] || die "PIN must be 0 or 1"
	need_uint SERVER_CPU 0 $(($(nproc) - 1))
	need_uint CLIENT_CPU 0 $(($(nproc) - 1))
	need_uint PREFORKD_PORT 1024 65535
	need_uint LEGIT_TIMEOUT 1 60
	local v
	for v in BASELINE_DURATION SL_DURATION SHT_DURATION BR_DURATION SR_DURATION; do
		need_uint "$v" 1 600
	done
	for v in SL_RAMP SR_RAMP; do need_uint "$v" 0 120; done
	for v in BASELINE_WORKERS SL_WORKERS SHT_WORKERS KA_WORKERS SR_WORKERS; do
		need_uint "$v" 1 1024
	done
	need_uint SL_CONNS 1 20000
	need_uint SHT_H_CONNS 1 20000
	need_uint SHT_X_CONNS 1 20000
	need_uint SR_CONNS 1 20000
	need_uint SHT_RATE 1 5000
	need_uint SHT_PROBE 1 60
	need_uint AB_N 1 5000000
	need_uint AB_CONC 1 1000
	need_uint AB_CONC_LOW 1 1000
	need_uint AB_TIMEOUT 10 3600
	need_uint BR_CLIENTS 1 1000
	need_uint BR_PER_CLIENT 1 64
	need_uint BR_THINK_MS 0 60000
	need_uint BR_GOAL_MS 1 60000
	need_uint SL_INTERVAL_MS 1 600000
	need_uint SR_INTERVAL_MS 1 600000
	need_uint SR_READ_BYTES 1 65536
	need_uint SR_RCVBUF 0 16777216
	[[ $SHT_X_PATH == /* && $SR_PATH == /* ]] || die "SHT_X_PATH and SR_PATH must begin with /"
	local s k ok
	for s in $SERVERS; do
		ok=0
		for k in "${KNOWN_SERVERS[@]}"; do [ "$s" = "$k" ] && ok=1; done
		((ok)) || die "SERVERS: unknown server '$s' (known: ${KNOWN_SERVERS[*]})"
	done
	[ -n "$SERVERS" ] || die "SERVERS is empty"
}

# ------------------------------------------------------------- setup

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# slowhttptest: installed, or installed now; else SHT_WHY says why not
SHT_WHY=""
need_slowhttptest() {
	command -v slowhttptest >/dev/null 2>&1 && return 0
	if [ "$(id -u)" != 0 ]; then
		SHT_WHY="slowhttptest is not installed (and this is not root)"
		return 1
	fi
	log "installing slowhttptest"
	export DEBIAN_FRONTEND=noninteractive
	if ! { apt-get update -qq && apt-get install -y -q --no-install-recommends slowhttptest; } \
		>"$RES/apt-slowhttptest.log" 2>&1 || ! command -v slowhttptest >/dev/null 2>&1; then
		SHT_WHY="slowhttptest could not be installed (see apt-slowhttptest.log)"
		return 1
	fi
	return 0
}

peers_ready() { [ -f "$PEERS_WORK/conf/nginx.conf" ] && [ -f "$PEERS_WORK/conf/apache2.conf" ] && [ -f "$PEERS_WORK/root/index.html" ]; }

check_setup() {
	local t s
	for t in taskset ss timeout setsid curl ab awk; do
		command -v "$t" >/dev/null 2>&1 || die "$t is missing"
	done
	if ! peers_ready; then
		[ "$(id -u)" = 0 ] || die "$PEERS_WORK is not set up: run '$PEERS_SH setup' as root"
		[ -x "$PEERS_SH" ] || die "no peers harness at $PEERS_SH (set PEERS_SH)"
		log "running $PEERS_SH setup"
		"$PEERS_SH" setup >&2 || die "peers.sh setup failed"
		peers_ready || die "peers.sh setup wrote no configs into $PEERS_WORK"
	fi
	for s in $SERVERS; do
		case $s in
			nginx|apache2)
				command -v "$s" >/dev/null 2>&1 || die "$s is not installed (peers.sh setup installs it)"
				[ "$(id -u)" = 0 ] || die "$s runs from peers.sh's config as www-data: run as root" ;;
		esac
	done
}

build_pfload() {
	if [ -n "${PFLOAD:-}" ]; then
		[ -x "$PFLOAD" ] || die "PFLOAD=$PFLOAD is not executable"
		return 0
	fi
	local src=$TOP/tests/integration/pfload.c
	PFLOAD=$OCC_WORK/bin/pfload
	[ -f "$src" ] || die "no $src"
	if [ ! -x "$PFLOAD" ] || [ "$src" -nt "$PFLOAD" ]; then
		mkdir -p "$OCC_WORK/bin"
		cc -std=gnu11 -O2 -Wall -Wextra -o "$PFLOAD" "$src" >"$RES/cc-pfload.log" 2>&1 ||
			die "cc failed for pfload.c; see $RES/cc-pfload.log"
		log "built $PFLOAD"
	fi
}

PREFORKD_VERSION=""
find_preforkd() {
	case " $SERVERS " in *" preforkd "*) ;; *) return 0 ;; esac
	if [ -z "${PREFORKD_BIN:-}" ]; then
		log "PREFORKD_BIN not set: building this tree with bench/run.sh build"
		PREFORKD_BIN=$("$TOP/bench/run.sh" build | tail -n 1) || die "bench/run.sh build failed"
		PREFORKD_VERSION="$(git -C "$TOP" describe --always --dirty 2>/dev/null || true) "
	fi
	[ -x "$PREFORKD_BIN" ] || die "PREFORKD_BIN=$PREFORKD_BIN is not executable"
	PREFORKD_VERSION+=$("$PREFORKD_BIN" -V 2>&1 | head -n 1)
}

# the port in the peers.sh config of nginx or apache2
conf_port() {
	case $1 in
		nginx) sed -n 's/^[[:space:]]*listen[[:space:]]\{1,\}[0-9.]*:\([0-9]\{1,\}\).*/\1/p' \
			"$PEERS_WORK/conf/nginx.conf" | head -n 1 ;;
		apache2) awk '$1 == "Listen" { n = split($2, a, ":"); print a[n]; exit }' \
			"$PEERS_WORK/conf/apache2.conf" ;;
	esac
}
server_port() { if [ "$1" = preforkd ]; then echo "$PREFORKD_PORT"; else conf_port "$1"; fi; }
apache_workers() { awk '$1 == "MaxRequestWorkers" { print $2; exit }' "$PEERS_WORK/conf/apache2.conf"; }
nginx_workers() { sed -n 's/^[[:space:]]*worker_processes[[:space:]]\{1,\}\([0-9a-z]*\);.*/\1/p' "$PEERS_WORK/conf/nginx.conf" | head -n 1; }

# ----------------------------------------------------------- servers

SRV_PID="" SRV_START="" SRV_NAME="" START_WHY=""
pid_start() { awk '{ print $22 }' "/proc/$1/stat" 2>/dev/null || true; }
# is PID still the process we started (same start time)?
ours() { [ -n "$1" ] && [ -n "$2" ] && [ "$(pid_start "$1")" = "$2" ]; }
port_busy() { [ -n "$(ss -Hltn "( sport = :$1 )" 2>/dev/null)" ]; }

# "pid:starttime" of every descendant of PID
tree_kids() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ pp[$1] = $2 }
		END {
			t[root] = 1
			do { ch = 0; for (p in pp) if (!(p in t) && (pp[p] in t)) { t[p] = 1; ch = 1 } } while (ch)
			for (p in t) if (p != root) print p
		}' | while read -r p; do echo "$p:$(pid_start "$p")"; done
}

# preforkd's config for WORKERS into FILE
preforkd_conf() {
	local user=""
	[ "$(id -u)" = 0 ] && user=root
	{
		echo "# written by bench/occupancy.sh; everything else is the default"
		echo "port = $PREFORKD_PORT"
		echo 'bind = {"127.0.0.1"}'
		echo "workers = $1"
		echo "service = http"
		echo "user = \"$user\""
		[ -z "$PREFORKD_CONF_EXTRA" ] || printf '%s\n' "$PREFORKD_CONF_EXTRA"
		echo "http {"
		echo "	root = \"$PEERS_WORK/root\""
		[ -z "$PREFORKD_HTTP_EXTRA" ] || printf '%s\n' "$PREFORKD_HTTP_EXTRA"
		echo "}"
	} >"$2"
}

# server_start NAME WORKERS TAG: 0 and SRV_PID, or 1 and START_WHY
server_start() {
	local name=$1 workers=$2 tag=$3 port run got
	local -a cmd
	port=$(server_port "$name")
	[ -n "$port" ] || { START_WHY="no port in $name's config"; return 1; }
	port_busy "$port" && { START_WHY="port $port is already in use"; return 1; }
	case $name in
		preforkd)
			preforkd_conf "$workers" "$RAW/$tag.preforkd.conf"
			cmd=("$PREFORKD_BIN" -f "$RAW/$tag.preforkd.conf") ;;
		nginx)
			run=$PEERS_WORK/run/nginx
			cmd=(nginx -p "$run/" -e "$run/error.log" -c "$PEERS_WORK/conf/nginx.conf") ;;
		apache2)
			run=$PEERS_WORK/run/apache2
			cmd=(apache2 -d "$run" -f "$PEERS_WORK/conf/apache2.conf" -DFOREGROUND) ;;
	esac
	((PIN)) && cmd=(taskset -c "$SERVER_CPU" "${cmd[@]}")
	printf '%q ' "${cmd[@]}" >"$RAW/$tag.server.cmd"
	# own session: apache2 -DFOREGROUND signals its whole process group on
	# shutdown.  The subshell is no group leader, so setsid does not fork
	# and $! is the server's pid.
	(exec setsid "${cmd[@]}" >"$RAW/$tag.server.log" 2>&1 </dev/null) &
	SRV_PID=$! SRV_NAME=$name
	SRV_START=$(pid_start "$SRV_PID")
	sleep 0.2
	if ours "$SRV_PID" "$SRV_START" && [ "$(ps -o sid= -p "$SRV_PID" | tr -d ' ')" != "$SRV_PID" ]; then
		START_WHY="pid $SRV_PID is not in a session of its own"
		server_stop
		return 1
	fi
	if ! server_wait "$port"; then
		START_WHY="not listening on $port within 15 s (see raw/$tag.server.log)"
		server_stop
		return 1
	fi
	sleep 1	# let the pools settle (apache2 starts its StartServers)
	got=$(curl -s -o /dev/null --max-time 5 -w '%{http_code} %{size_download}' "http://$HOST:$port/index.html" || true)
	[ "$got" = "200 4096" ] || log "  warning: $name answered GET /index.html with '$got'"
	return 0
}

server_wait() {
	local i
	for ((i = 0; i < 150; i++)); do
		port_busy "$1" && return 0
		ours "$SRV_PID" "$SRV_START" || return 1
		sleep 0.1
	done
	return 1
}

# TERM (KILL after 10 s) our server, by pid; then its children that stay
server_stop() {
	local pid=$SRV_PID st=$SRV_START i e p left
	local -a kids=()
	[ -n "$pid" ] || return 0
	SRV_PID="" SRV_START=""
	if ours "$pid" "$st"; then
		mapfile -t kids < <(tree_kids "$pid")
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do ours "$pid" "$st" || break; sleep 0.1; done
		if ours "$pid" "$st"; then
			log "  $SRV_NAME (pid $pid) ignored TERM for 10 s: KILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	wait "$pid" 2>/dev/null || true
	for ((i = 0; i < 30; i++)); do
		left=0
		for e in "${kids[@]}"; do ours "${e%%:*}" "${e#*:}" && left=1; done
		((left)) || break
		sleep 0.1
	done
	for e in "${kids[@]}"; do
		p=${e%%:*}
		if ours "$p" "${e#*:}"; then
			log "  $SRV_NAME child $p outlived its parent: KILL"
			kill -KILL "$p" 2>/dev/null || true
		fi
	done
	return 0
}

# ----------------------------------------------------------- clients

# client SECONDS TAG CMD...: run CMD pinned, bounded, output in raw/TAG.*;
# prints nothing, returns CMD's status (124: timed out)
client() {
	local secs=$1 tag=$2 rc=0
	shift 2
	local -a pre=(timeout -k 5 "$secs")
	((PIN)) && pre+=(taskset -c "$CLIENT_CPU")
	printf '%q ' "$@" >"$RAW/$tag.cmd"
	"${pre[@]}" "$@" >"$RAW/$tag.out" 2>"$RAW/$tag.err" </dev/null || rc=$?
	return "$rc"
}

ROWS=""
# row SCENARIO SERVER SUCCESS P50 P99 MAX NOTES
row() {
	local line="| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"
	printf '%s\n' "$line" >>"$ROWS"
	log "  $line"
}

server_label() {
	if [ "$1" = preforkd ]; then echo "preforkd ($2 workers)"; else echo "$1"; fi
}

# pfload_row SCENARIO SERVER-LABEL TAG RC [NOTE]: the row of one pfload run
pfload_row() {
	local scen=$1 label=$2 tag=$3 rc=$4 line notes fails
	line=$(grep -o 'pfload: attack=.*' "$RAW/$tag.out" | tail -n 1 || true)
	if [ -z "$line" ]; then
		row "$scen" "$label" - - - - "pfload failed (status $rc): $(tail -n 1 "$RAW/$tag.err" 2>/dev/null)"
		return 0
	fi
	notes="ok $(kv "$line" ok) of $(kv "$line" total)"
	[ "$(kv "$line" attack)" = none ] ||
		notes+="; attack: $(kv "$line" open) of $(kv "$line" conns) open at the end, $(kv "$line" opened) opened, $(kv "$line" closed) closed by the server, $(kv "$line" connfail) failed connects"
	fails=$(sed -n 's/^pfload: legit failures: //p' "$RAW/$tag.err" | tail -n 1 |
		tr ' ' '\n' | grep -v '=0$' | paste -sd ' ' - || true)
	[ -z "$fails" ] || notes+="; failures: $fails"
	[ -z "${5:-}" ] || notes+="; $5"
	((rc == 0)) || notes+="; pfload exit status $rc"
	row "$scen" "$label" "$(kv "$line" success_pct)" "$(kv "$line" p50_ms)" \
		"$(kv "$line" p99_ms)" "$(kv "$line" max_ms)" "$notes"
}

# pfload_run TAG SECONDS ARGS...: pfload bounded by SECONDS + a margin;
# sets RC
RC=0
pfload_run() {
	local tag=$1 secs=$2
	shift 2
	RC=0
	client $((secs + LEGIT_TIMEOUT + 30)) "$tag" "$PFLOAD" --legit-timeout "$LEGIT_TIMEOUT" "$@" || RC=$?
}

# --------------------------------------------------------- scenarios
# Each takes SERVER PORT WORKERS, with the server running.

sc_baseline() {
	local tag=baseline.$1
	pfload_run "$tag" "$BASELINE_DURATION" -p "$2" --attack none --legit seq \
		--path /index.html --ramp 0 --duration "$BASELINE_DURATION"
	pfload_row "no attack (baseline)" "$(server_label "$1" "$3")" "$tag" "$RC"
}

sc_slowloris() {
	local tag=slowloris.$1
	pfload_run "$tag" $((SL_RAMP + SL_DURATION)) -p "$2" --attack slowloris -c "$SL_CONNS" \
		--interval-ms "$SL_INTERVAL_MS" --legit seq --path /index.html \
		--ramp "$SL_RAMP" --duration "$SL_DURATION"
	pfload_row "slowloris ($SL_CONNS conns)" "$(server_label "$1" "$3")" "$tag" "$RC"
}

sc_slowread() {
	local tag=slowread.$1
	pfload_run "$tag" $((SR_RAMP + SR_DURATION)) -p "$2" --attack slowread -c "$SR_CONNS" \
		--interval-ms "$SR_INTERVAL_MS" --read-bytes "$SR_READ_BYTES" --rcvbuf "$SR_RCVBUF" \
		--attack-path "$SR_PATH" --legit seq --path /index.html \
		--ramp "$SR_RAMP" --duration "$SR_DURATION"
	pfload_row "slow read ($SR_CONNS conns)" "$(server_label "$1" "$3")" "$tag" "$RC"
}

# sht_row MODE SERVER-LABEL TAG RC: slowhttptest's verdicts
sht_row() {
	local mode=$1 label=$2 tag=$3 rc=$4 plain=$RAW/$3.plain.txt csv=$RAW/$3.csv
	local stat final exit_st notes pct
	sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$RAW/$tag.out" | tr -d '\r' >"$plain"
	final=$(sed -n 's/^service available:[[:space:]]*//p' "$plain" | tail -n 1)
	exit_st=$(sed -n 's/^Exit status:[[:space:]]*//p' "$plain" | tail -n 1)
	# CSV: Seconds,Closed,Pending,Connected,Service Available (0: not)
	stat=$(awk -F, 'NR > 1 && NF >= 5 { n++; if ($5 + 0 > 0) a++; if ($4 + 0 > c) c = $4 + 0; if ($2 + 0 > x) x = $2 + 0 }
		END { if (n) printf "%.2f %d %d %d %d\n", 100 * a / n, a, n, c, x }' "$csv" 2>/dev/null || true)
	if [ -z "$stat" ]; then
		row "slowhttptest -$mode" "$label" - - - - "no CSV samples (status $rc; final '${final:-?}', exit '${exit_st:-?}'); see raw/$tag.out"
		return 0
	fi
	local avail samples conn closed
	read -r pct avail samples conn closed <<<"$stat"
	notes="service available in $avail of $samples one-second samples; final verdict: ${final:-?}; exit: ${exit_st:-?}; connected at most $conn, closed $closed"
	((rc == 0)) || notes+="; slowhttptest exit status $rc"
	row "slowhttptest -$mode" "$label" "$pct" - - - "$notes"
}

# sht_run MODE SERVER PORT WORKERS ARGS...
sht_run() {
	local mode=$1 s=$2 port=$3 workers=$4 tag=slowhttptest-$1.$2 rc=0
	shift 4
	(cd "$RAW" && client $((SHT_DURATION + 60)) "$tag" slowhttptest "$@" \
		-p "$SHT_PROBE" -l "$SHT_DURATION" -g -o "$RAW/$tag") || rc=$?
	sht_row "$mode" "$(server_label "$s" "$workers")" "$tag" "$rc"
}

sc_sht_h() {
	sht_run H "$1" "$2" "$3" -H -c "$SHT_H_CONNS" -r "$SHT_RATE" -i 10 -x 24 \
		-u "http://$HOST:$2/index.html"
}

sc_sht_x() {
	sht_run X "$1" "$2" "$3" -X -c "$SHT_X_CONNS" -r "$SHT_RATE" -w 512 -y 1024 \
		-n 5 -z 32 -k 3 -u "http://$HOST:$2$SHT_X_PATH"
}

# ab_stats TAG: "complete failed non2xx total_s p50 p99 longest keepalive"
ab_stats() {
	awk '
		/^Complete requests:/ { c = $3 }
		/^Failed requests:/ { f = $3 }
		/^Non-2xx responses:/ { x = $3 }
		/^Keep-Alive requests:/ { k = $3 }
		/^Time taken for tests:/ { t = $5 }
		$1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } $1 == "100%" { mx = $2 }
		END { if (t == "") exit; print c + 0, f + 0, x + 0, t, p50, p99, mx, k + 0 }' "$RAW/$1.out"
}

# ab_run SERVER PORT CONC: sets AB_LINE (ab_stats) and AB_RC
AB_LINE="" AB_RC=0
ab_run() {
	local tag=keepalive-ab-c$3.$1
	AB_RC=0
	client "$AB_TIMEOUT" "$tag" ab -k -r -c "$3" -n "$AB_N" "http://$HOST:$2/index.html" || AB_RC=$?
	AB_LINE=$(ab_stats "$tag")
}

# ab_row CONC LABEL LINE RC RATIO
ab_row() {
	local c f x t p50 p99 mx k notes
	if [ -z "$3" ]; then
		row "keep-alive: ab -k -c $1" "$2" - - - - "ab gave no report (status $4; timeout ${AB_TIMEOUT} s)"
		return 0
	fi
	read -r c f x t p50 p99 mx k <<<"$3"
	notes="failed $f, non-2xx $x, complete $c of $AB_N, keep-alive $k; longest ${mx} ms; total $t s"
	[ -z "$5" ] || notes+="; total ÷ total(-c $AB_CONC_LOW) = $5"
	(($4 == 0)) || notes+="; ab exit status $4"
	row "keep-alive: ab -k -c $1" "$2" \
		"$(awk -v c="$c" -v f="$f" -v x="$x" -v n="$AB_N" 'BEGIN { printf "%.2f", n ? 100 * (c - f - x) / n : 0 }')" \
		"$p50" "$p99" "$mx" "$notes"
}

sc_keepalive() {
	local s=$1 port=$2 label hi hi_rc lo lo_rc ratio="" tag=keepalive-browser.$1 line goal
	label=$(server_label "$s" "$3")
	ab_run "$s" "$port" "$AB_CONC"; hi=$AB_LINE hi_rc=$AB_RC
	ab_run "$s" "$port" "$AB_CONC_LOW"; lo=$AB_LINE lo_rc=$AB_RC
	if [ -n "$hi" ] && [ -n "$lo" ]; then
		ratio=$(awk -v a="$(echo "$hi" | awk '{ print $4 }')" -v b="$(echo "$lo" | awk '{ print $4 }')" \
			'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
	fi
	ab_row "$AB_CONC" "$label" "$hi" "$hi_rc" "$ratio"
	ab_row "$AB_CONC_LOW" "$label" "$lo" "$lo_rc" ""
	pfload_run "$tag" "$BR_DURATION" -p "$port" --attack none --legit browser \
		--clients "$BR_CLIENTS" --per-client "$BR_PER_CLIENT" --think-ms "$BR_THINK_MS" \
		--path /index.html --ramp 0 --duration "$BR_DURATION"
	line=$(grep -o 'pfload: attack=.*' "$RAW/$tag.out" | tail -n 1 || true)
	goal="goal (every page < $BR_GOAL_MS ms): "
	if [ -n "$line" ] && [ "$(kv "$line" failed)" = 0 ] && [ "$(kv "$line" ok)" != 0 ] &&
		awk -v m="$(kv "$line" max_ms)" -v g="$BR_GOAL_MS" 'BEGIN { exit !(m + 0 < g) }'; then
		goal+="met"
	else
		goal+="NOT met"
	fi
	pfload_row "keep-alive: browser ($BR_CLIENTS × $BR_PER_CLIENT conns)" "$label" "$tag" "$RC" "$goal"
}

# run_on_servers TAG WORKERS FUNC: FUNC SERVER PORT WORKERS on a fresh
# server each
run_on_servers() {
	local tag=$1 workers=$2 fn=$3 s
	for s in $SERVERS; do
		log "== $tag: $s"
		if ! server_start "$s" "$workers" "$tag.$s"; then
			row "$tag" "$(server_label "$s" "$workers")" - - - - "not run: $START_WHY"
			continue
		fi
		"$fn" "$s" "$(server_port "$s")" "$workers"
		server_stop
	done
}

run_scenario() {
	case $1 in
		baseline) run_on_servers baseline "$BASELINE_WORKERS" sc_baseline ;;
		slowloris) run_on_servers slowloris "$SL_WORKERS" sc_slowloris ;;
		slowhttptest)
			if [ -n "$SHT_WHY" ]; then
				local s
				for s in $SERVERS; do
					row "slowhttptest -H / -X" "$(server_label "$s" "$SHT_WORKERS")" - - - - "skipped: $SHT_WHY"
				done
				return 0
			fi
			run_on_servers slowhttptest-H "$SHT_WORKERS" sc_sht_h
			run_on_servers slowhttptest-X "$SHT_WORKERS" sc_sht_x ;;
		keepalive) run_on_servers keepalive "$KA_WORKERS" sc_keepalive ;;
		slowread) run_on_servers slowread "$SR_WORKERS" sc_slowread ;;
	esac
}

# ------------------------------------------------------------- table

print_table() {
	local caption
	caption="Occupancy, $(date +%Y-%m-%d):"
	case " $SERVERS " in *" preforkd "*) caption+=" preforkd $PREFORKD_VERSION ($PREFORKD_BIN; workers in the server column, shipped timeouts);" ;; esac
	case " $SERVERS " in *" nginx "*) caption+=" nginx $(nginx -v 2>&1 | sed 's/.*version: //') (peers.sh config, worker_processes $(nginx_workers));" ;; esac
	case " $SERVERS " in *" apache2 "*) caption+=" $(apache2 -v 2>&1 | awk -F': *' '/version/ { print $2 }') mpm_prefork (peers.sh config, MaxRequestWorkers $(apache_workers), Timeout 30, no mod_reqtimeout);" ;; esac
	caption+=" legitimate client: pfload, timeout $LEGIT_TIMEOUT s, latencies of its successes; PIN=$PIN; results in $RES"
	echo "$caption"
	echo
	echo "| scenario | server | legit success % | p50 ms | p99 ms | max ms | notes |"
	echo "|---|---|---:|---:|---:|---:|---|"
	cat "$ROWS"
}

# -------------------------------------------------------------- main

cleanup() {
	local rc=$?
	if [ -n "$SRV_PID" ]; then
		log "cleanup: stopping $SRV_NAME (pid $SRV_PID)"
		server_stop
	fi
	return $rc
}

main() {
	local -a scenarios=()
	local a k ok
	case ${1:-all} in
		help|-h|--help) usage; exit 0 ;;
		all) scenarios=("${ALL_SCENARIOS[@]}") ;;
		*)
			for a in "$@"; do
				ok=0
				for k in "${ALL_SCENARIOS[@]}"; do [ "$a" = "$k" ] && ok=1; done
				((ok)) || { usage >&2; die "unknown scenario '$a' (known: ${ALL_SCENARIOS[*]})"; }
				scenarios+=("$a")
			done ;;
	esac
	check_params
	trap cleanup EXIT
	trap 'log interrupted; exit 130' INT TERM HUP
	mkdir -p "$OCC_WORK"
	RES=$OCC_WORK/$(date +%Y%m%d-%H%M%S)
	RAW=$RES/raw ROWS=$RES/rows.md
	mkdir -p "$RAW"
	: >"$ROWS"
	local t0=$SECONDS
	log "results: $RES"
	check_setup
	build_pfload
	find_preforkd
	case " ${scenarios[*]} " in *" slowhttptest "*) need_slowhttptest || log "slowhttptest rows skipped: $SHT_WHY" ;; esac
	set | grep -E '^(OCC_|SERVERS=|PREFORKD_|PFLOAD=|PEERS_|PORT_BASE=|PIN=|SERVER_CPU=|CLIENT_CPU=|LEGIT_|BASELINE_|SL_|SHT_|AB_|BR_|KA_|SR_)' \
		| grep -Ev '^AB_(LINE|RC)=' >"$RES/params.txt" || true
	echo "scenarios=${scenarios[*]} loadavg=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RES/params.txt"
	for a in "${scenarios[@]}"; do run_scenario "$a"; done
	print_table >"$RES/table.md"
	log "done in $((SECONDS - t0)) s"
	cat "$RES/table.md"
}

main "$@"
