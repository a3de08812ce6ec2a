#!/usr/bin/env bash
# bench/profile.sh - what one request costs a preforkd worker: user-space
# instructions (valgrind --tool=callgrind, stable on a noisy machine) and
# system calls (strace -c), per request or connection.
#
#   bench/profile.sh [PREFORKD [PFTOOL]]
#
# PREFORKD defaults to src/preforkd, PFTOOL to tests/integration/pftool
# (make check builds it).  For each scenario one worker serves N1 and then
# N1 + N2 requests in two runs of the daemon under callgrind; the
# difference divided by N2 is the marginal cost of one request, without
# start-up.  strace -c -f counts the system calls of N2 requests.
#
#   ka      ab -k -c 1 -n N GET /index.html (4 KiB), one keep-alive connection
#   close   ab -c 1 -n N GET /index.html, one connection per request
#   echo    pftool echo -n 64 -k N: connect, 64 bytes, shutdown, read to EOF
#
# Environment: N1=500 N2=2000 (requests; each run also bounded by a 120 s
# timeout), PROFILE_WORK=/var/tmp/preforkd-profile, PORT (default: a free
# one from pftool).  Loopback only; it stops only the daemons it started.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
PREFORKD=$(readlink -f "${1:-$TOP/src/preforkd}")
PFTOOL=$(readlink -f "${2:-$TOP/tests/integration/pftool}")
N1=${N1:-500}
N2=${N2:-2000}
WORK=${PROFILE_WORK:-/var/tmp/preforkd-profile}
for t in valgrind callgrind_annotate strace ab; do
	command -v "$t" >/dev/null || { echo "profile.sh: needs $t" >&2; exit 1; }
done
[ -x "$PREFORKD" ] && [ -x "$PFTOOL" ] || { echo "profile.sh: build preforkd and pftool first (make check)" >&2; exit 1; }
rm -rf "$WORK" && mkdir -p "$WORK/www"
head -c 4096 < <(yes 'preforkd profile payload 0123456789 abcdefghijklmnopqrstuvwxyz') >"$WORK/www/index.html"
PORT=${PORT:-$("$PFTOOL" port)}
user=
[ "$(id -u)" != 0 ] || user='user = "root"'

conf() {	# conf SERVICE
	cat >"$WORK/$1.conf" <<EOC
port = $PORT
bind = {"127.0.0.1"}
workers = 1
service = $1
log_level = notice
access_log = false
$user
http {
	root = "$WORK/www"
}
EOC
}

# load SCENARIO N: N requests or connections.
load() {
	case $1 in
	ka) timeout 120 ab -q -k -c 1 -n "$2" "http://127.0.0.1:$PORT/index.html" >"$WORK/ab.out" ;;
	close) timeout 120 ab -q -c 1 -n "$2" "http://127.0.0.1:$PORT/index.html" >"$WORK/ab.out" ;;
	echo) timeout 120 "$PFTOOL" echo -p "$PORT" -n 64 -c 1 -k "$2" >"$WORK/echo.out" ;;
	esac
	if [ "$1" != echo ] && ! grep -q '^Failed requests: *0$' "$WORK/ab.out"; then
		echo "profile.sh: $1: failed requests" >&2; cat "$WORK/ab.out" >&2; exit 1
	fi
}

# run SCENARIO N WRAPPER...: a daemon under WRAPPER, N requests, stop.
run() {
	local sc=$1 n=$2 svc=http pid
	shift 2
	[ "$sc" = echo ] && svc=echo
	conf "$svc"
	"$@" "$PREFORKD" -f "$WORK/$svc.conf" 2>"$WORK/daemon.err" &
	pid=$!
	"$PFTOOL" wait-port -p "$PORT" --timeout 30 >/dev/null
	load "$sc" 20			# the worker's first requests: warm
	load "$sc" "$n"
	# strace runs the daemon as its child; valgrind is the daemon.
	if [ "$1" = strace ]; then
		kill -TERM "$(pgrep -o -P "$pid")"
	else
		kill -TERM "$pid"
	fi
	wait "$pid" || true
}

# The worker's Ir total in a callgrind output directory: the file of the
# process that is not the master (the master's is the lowest pid).
worker_out() {
	local f
	for f in "$1"/cg.*; do echo "${f##*.} $f"; done | sort -n | tail -n 1 | cut -d' ' -f2
}
worker_ir() {
	callgrind_annotate "$(worker_out "$1")" 2>/dev/null |
		awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}

printf '%-6s %12s %10s  %s\n' scenario 'Ir/request' 'syscalls' 'system calls per request (strace -c)'
for sc in ka close echo; do
	for n in "$N1" $((N1 + N2)); do
		rm -rf "$WORK/cg.$n" && mkdir -p "$WORK/cg.$n"
		run "$sc" "$n" valgrind -q --tool=callgrind --trace-children=yes \
			--callgrind-out-file="$WORK/cg.$n/cg.%p"
	done
	ir1=$(worker_ir "$WORK/cg.$N1")
	ir2=$(worker_ir "$WORK/cg.$((N1 + N2))")
	cp "$(worker_out "$WORK/cg.$((N1 + N2))")" "$WORK/callgrind.$sc"
	run "$sc" "$N2" strace -qq -f -c -o "$WORK/strace.$sc"
	# strace -c rows: % time, seconds, usecs/call, calls, [errors,] name.
	calls=$(awk -v n="$N2" '$1 ~ /^[0-9.]+$/ && $NF != "total" && $4 / n >= 0.01 {
		printf "%s %.2f, ", $NF, $4 / n }' "$WORK/strace.$sc")
	total=$(awk -v n="$N2" '$NF == "total" { printf "%.2f", $4 / n }' "$WORK/strace.$sc")
	printf '%-6s %12d %10s  %s\n' "$sc" $(( (ir2 - ir1) / N2 )) "$total" "${calls%, }"
done
echo "(callgrind outputs: $WORK/callgrind.SCENARIO; strace: $WORK/strace.SCENARIO)"
