# lib.sh - shared helpers of the preforkd integration tests.
#
# Sourced by every tests/integration/*.sh (after `set -eu`).  Sourcing it
# makes the paths absolute, creates a per-test directory $PF_TMP (removed
# on exit; PF_KEEP=1 keeps it), arms a watchdog that fails the test after
# $PF_TIMEOUT seconds (default 60), and sets an EXIT trap that stops every
# process the test started: the masters it started by pid, then the
# workers it recorded from them (each checked by its start time, so a
# reused pid is never signalled).  Nothing is ever killed by name.
#
# Exit statuses follow automake: 0 pass, 1 fail, 77 skip.
#
# Environment (exported by the automake harness; defaults let a script run
# by hand from the source tree): PREFORKD, PFTOOL, top_srcdir, top_builddir.
# If PFTOOL is unset and not built, pftool.c is compiled into $PF_TMP.

# ---------------------------------------------------------------------
# Log wording the tests rely on.  Keep these in step with src/.

# Every stderr line: "YYYY-mm-dd HH:MM:SS.mmm preforkd[PID]: LEVEL: message".
PF_RE_LINE='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} preforkd\[[0-9]+\]: (err|warning|notice|info|debug): '

# The echo access record, at info: "CLIENT echo BYTES_IN BYTES_OUT MS END".
# pf_re_access CLIENT IN OUT END
pf_re_access() {
	printf '%s' "^[0-9-]{10} [0-9:.]{12} preforkd\\[[0-9]+\\]: info: $(pf_re_quote "$1") echo $2 $3 [0-9]+ $4\$"
}

# The master's warning about a worker killed by SIGKILL: from the master,
# at warning level, naming the worker's pid and the signal.
# pf_re_worker_killed MASTER_PID WORKER_PID
pf_re_worker_killed() {
	printf '%s' "preforkd\\[$1\\]: warning: .*(^|[^0-9])$2([^0-9]|\$).*(signal 9|SIGKILL|Killed)"
}

# The master's notice once a generation serves: "ready: N workers ..." for
# the first, "reloaded: generation G, N workers serving ..." after a HUP.
pf_re_reloaded() {
	printf '%s' "preforkd\\[$PF_PID\\]: notice: reloaded: generation $1, $2 workers serving "
}

# A refused reload: "err: reload failed: FILE:LINE: KEY: reason; still
# serving generation G with the previous configuration".
pf_re_reload_failed() {
	printf '%s' "preforkd\\[$PF_PID\\]: err: reload failed: $(pf_re_quote "$1"):$2: $3: .*; still serving generation [0-9]+ with the previous configuration"
}

# ---------------------------------------------------------------------
# Paths.

pf_abs() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$PWD/$1" ;;
	esac
}

PF_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PF_NAME=$(basename "$0" .sh)
top_srcdir=$(pf_abs "${top_srcdir:-$PF_HERE/../..}")
top_builddir=$(pf_abs "${top_builddir:-$top_srcdir}")
PREFORKD=$(pf_abs "${PREFORKD:-$top_builddir/src/preforkd}")
PFTOOL=${PFTOOL:+$(pf_abs "$PFTOOL")}
PF_TIMEOUT=${PF_TIMEOUT:-60}
export LC_ALL=C
# curl and wget would send even 127.0.0.1 through a proxy: never here.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy='*' NO_PROXY='*'

# ---------------------------------------------------------------------
# State.  Lists are space-separated.

PF_MAIN_PID=$$
PF_TMP=
PF_CONF=		# config written by pf_write_conf
PF_PORT=		# its port
PF_NWORKERS=		# its worker count
PF_PID=			# the master pf_start started last
PF_LOG=			# its log (stdout and stderr)
PF_WORKERS=		# its workers, as pf_start saw them
PF_STATUS=		# exit status set by pf_wait_exit, pf_stop, pf_run
PF_OUT=			# stdout of pf_run
PF_ERR=			# stderr of pf_run
PF_MASTERS=		# every master started: "pid:starttime"
PF_RECORDED=		# every worker recorded: "pid:starttime:master"
PF_BG=			# other background processes: "pid:starttime"
PF_EXITED=		# statuses already collected: "pid=status"
PF_NLOGS=0
PF_WATCHDOG_PID=

pf_note() {
	printf '%s: %s\n' "$PF_NAME" "$*" >&2
}

# Print the tail of every daemon log, then fail the test.
pf_fail() {
	local f
	printf '%s: FAIL: %s\n' "$PF_NAME" "$*" >&2
	for f in "$PF_TMP"/preforkd.*.log; do
		[ -f "$f" ] || continue
		printf -- '---- last 40 lines of %s ----\n' "${f##*/}" >&2
		tail -n 40 "$f" >&2
	done
	exit 1
}

pf_skip() {
	printf '%s: SKIP: %s\n' "$PF_NAME" "$*" >&2
	exit 77
}

# Milliseconds of wall time (for measuring and for deadlines).
pf_now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	printf '%s\n' $((t / 1000))
}

# Seconds ("2", "0.5") to whole milliseconds.
pf_ms() {
	local i=${1%%.*} f=
	[ "$i" = "$1" ] || f=${1#*.}
	f=${f}000
	printf '%s\n' $((10#${i:-0} * 1000 + 10#${f:0:3}))
}

# Is a number (decimal allowed) within [lo, hi]?  pf_between X LO HI
pf_between() {
	awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'
}

# Quote a string for use inside an ERE.
pf_re_quote() {
	printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'
}

# ---------------------------------------------------------------------
# Processes.  /proc is the truth: a zombie counts as gone, and a pid is
# only the same process if its start time is unchanged.

# Set PF_STAT_STATE, PF_STAT_PPID, PF_STAT_START; 1 if no such process.
pf_stat() {
	local s=
	{ read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
	[ -n "$s" ] || return 1
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	PF_STAT_STATE=$1
	# shellcheck disable=SC2034
	PF_STAT_PPID=$2
	PF_STAT_START=${20}
}

# Does PID exist and is it not a zombie?
pf_alive() {
	pf_stat "$1" || return 1
	case $PF_STAT_STATE in
	Z | X | x) return 1 ;;
	esac
	return 0
}

# "pid:starttime" for a live PID, or nothing.
pf_ident() {
	pf_alive "$1" || return 0
	printf '%s:%s\n' "$1" "$PF_STAT_START"
}

# Is the process "pid:starttime[:...]" still that same live process?
pf_ident_alive() {
	local rest=${1#*:}
	pf_alive "${1%%:*}" || return 1
	[ "$PF_STAT_START" = "${rest%%:*}" ]
}

# The live (non-zombie) workers of MASTER, sorted, space-separated: its
# children but the parker (whose command name is preforkd-parker).
pf_workers() {
	ps -o pid=,stat=,comm= --ppid "$1" 2>/dev/null |
		awk '$2 !~ /^Z/ && $3 != "preforkd-parker" { print $1 }' |
		sort -n | tr '\n' ' ' | sed 's/ $//'
}

# The live parker(s) of MASTER, space-separated (one, or two while a
# reload retires the old one).
pf_parkers() {
	ps -o pid=,stat=,comm= --ppid "$1" 2>/dev/null |
		awk '$2 !~ /^Z/ && $3 == "preforkd-parker" { print $1 }' |
		sort -n | tr '\n' ' ' | sed 's/ $//'
}

# How many words in a list.
pf_count() {
	# shellcheck disable=SC2086
	set -- $1
	printf '%s\n' $#
}

# Remember the current workers and parkers of MASTER, so that cleanup can
# find them.
pf_record_workers() {
	local p id
	for p in $(pf_workers "$1") $(pf_parkers "$1"); do
		id=$(pf_ident "$p")
		[ -n "$id" ] || continue
		case " $PF_RECORDED " in
		*" $id:$1 "*) ;;
		*) PF_RECORDED="$PF_RECORDED $id:$1" ;;
		esac
	done
}

# Run a command in the background, recorded for cleanup; sets PF_BG_PID.
pf_bg() {
	"$@" &
	PF_BG_PID=$!
	PF_BG="$PF_BG $PF_BG_PID:$(pf_stat "$PF_BG_PID" && printf '%s' "$PF_STAT_START")"
}

# Is PID one of the children this shell started (so `wait` can reap it)?
pf_is_child() {
	local x
	for x in $PF_MASTERS $PF_BG; do
		[ "${x%%:*}" = "$1" ] && return 0
	done
	return 1
}

# Collect the exit status of our child PID (already exited) into PF_STATUS.
pf_collect() {
	local x st
	for x in $PF_EXITED; do
		if [ "${x%%=*}" = "$1" ]; then
			PF_STATUS=${x#*=}
			return 0
		fi
	done
	if pf_is_child "$1"; then
		wait "$1" && st=0 || st=$?
	else
		st=
	fi
	PF_EXITED="$PF_EXITED $1=$st"
	PF_STATUS=$st
}

# pf_wait_exit PID TIMEOUT_S: 0 once PID has exited (PF_STATUS is then its
# exit status if it is our child, else empty), 1 if it still runs.
pf_wait_exit() {
	local end
	end=$(($(pf_now_ms) + $(pf_ms "$2")))
	while pf_alive "$1"; do
		if [ "$(pf_now_ms)" -ge "$end" ]; then
			PF_STATUS=
			return 1
		fi
		sleep 0.05
	done
	pf_collect "$1"
	return 0
}

# pf_wait_gone TIMEOUT_S PID...: 0 once none of the PIDs is alive (zombies
# count as gone); else 1 with the survivors in PF_LEFT.
pf_wait_gone() {
	local end p
	end=$(($(pf_now_ms) + $(pf_ms "$1")))
	shift
	while :; do
		PF_LEFT=
		for p; do
			pf_alive "$p" && PF_LEFT="$PF_LEFT $p"
		done
		[ -z "$PF_LEFT" ] && return 0
		[ "$(pf_now_ms)" -ge "$end" ] && return 1
		sleep 0.05
	done
}

# ---------------------------------------------------------------------
# Configuration.

pf_free_port() {
	"$PFTOOL" port || pf_fail "pftool port failed"
}

# pf_write_conf FILE [key=value...]: a loopback echo config.  Defaults:
# a free port, bind = {"127.0.0.1"}, workers = 2, service = echo,
# log_level = info, access_log = true, and, when the tests run as root,
# user = "root" (preforkd refuses root without it; the test files and
# folders are root's own).  timeouts.KEY=V goes into the
# timeouts section, parker.KEY=V into the parker section; any other key is
# written as is.  Sets PF_CONF, PF_PORT and PF_NWORKERS.
pf_write_conf() {
	local file=$1 kv k v port='' workers=2 service=echo level=info
	local alog=true extra='' tmo='' prk='' user=''
	[ "$(id -u)" != 0 ] || user='"root"'
	shift
	for kv; do
		k=${kv%%=*}
		v=${kv#*=}
		case $k in
		port) port=$v ;;
		workers) workers=$v ;;
		service) service=$v ;;
		log_level) level=$v ;;
		access_log) alog=$v ;;
		user) user=$v ;;
		bind) pf_fail "pf_write_conf: tests bind 127.0.0.1 only" ;;
		timeouts.*) tmo="$tmo	${k#timeouts.} = $v"$'\n' ;;
		parker.*) prk="$prk	${k#parker.} = $v"$'\n' ;;
		*) extra="$extra$k = $v"$'\n' ;;
		esac
	done
	[ -n "$port" ] || port=$(pf_free_port)
	{
		printf 'port = %s\n' "$port"
		printf 'bind = {"127.0.0.1"}\n'
		printf 'workers = %s\n' "$workers"
		printf 'service = %s\n' "$service"
		printf 'log_level = %s\n' "$level"
		printf 'access_log = %s\n' "$alog"
		[ -z "$user" ] || printf 'user = %s\n' "$user"
		printf '%s' "$extra"
		[ -z "$tmo" ] || printf 'timeouts {\n%s}\n' "$tmo"
		[ -z "$prk" ] || printf 'parker {\n%s}\n' "$prk"
	} >"$file"
	PF_CONF=$file
	PF_PORT=$port
	PF_NWORKERS=$workers
}

# pf_write_http_conf FILE ROOT [key=value...]: a loopback http config
# serving ROOT.  As pf_write_conf (service = http, a free port, bind =
# {"127.0.0.1"}, workers = 2 unless given), and an http section holding
# root = "ROOT" and every http.KEY=V as `KEY = V` (V as is, so a string
# needs its quotes: http.status_path=\"/st\").  timeouts.KEY=V goes into
# the timeouts section, any other key is top-level.  Sets PF_CONF, PF_PORT
# and PF_NWORKERS.
pf_write_http_conf() {
	local file=$1 root=$2 kv k sec='' rest=()
	shift 2
	for kv; do
		k=${kv%%=*}
		case $k in
		http.*) sec="$sec	${k#http.} = ${kv#*=}"$'\n' ;;
		*) rest+=("$kv") ;;
		esac
	done
	pf_write_conf "$file" service=http ${rest[@]+"${rest[@]}"}
	printf 'http {\n\troot = "%s"\n%s}\n' "$root" "$sec" >>"$file"
}

# ---------------------------------------------------------------------
# The daemon.
#
# Started through `env --default-signal`, because a non-interactive shell
# starts background commands with SIGINT and SIGQUIT ignored; preforkd
# must see the dispositions a service manager would give it.

PF_ENV_DEFAULT_SIGNAL=
if env --default-signal true 2>/dev/null; then
	PF_ENV_DEFAULT_SIGNAL=--default-signal
fi

# pf_launch [ARGS...]: start $PREFORKD -f $PF_CONF ARGS in the background,
# its output in a new $PF_LOG, and return at once.  Sets PF_PID.
pf_launch() {
	PF_NLOGS=$((PF_NLOGS + 1))
	PF_LOG=$PF_TMP/preforkd.$PF_NLOGS.log
	env $PF_ENV_DEFAULT_SIGNAL $PF_WRAPPER "$PREFORKD" -f "$PF_CONF" "$@" \
		</dev/null >"$PF_LOG" 2>&1 &
	PF_PID=$!
	PF_MASTERS="$PF_MASTERS $PF_PID:$(pf_stat "$PF_PID" && printf '%s' "$PF_STAT_START")"
}

# pf_start [ARGS...]: pf_launch, then wait (bounded by PF_START_TIMEOUT,
# default 10 s) until the port accepts connections and the master has the
# expected number of workers (-w in ARGS, else PF_NWORKERS).  Sets PF_PID
# and PF_WORKERS.  Fails the test if preforkd exits or is not ready in time.
pf_start() {
	local n=$PF_NWORKERS port=$PF_PORT prev='' a end
	for a; do
		case $prev in
		-w) n=$a ;;
		-p) port=$a ;;
		esac
		prev=$a
	done
	PF_PORT=$port
	pf_launch "$@"
	end=$(($(pf_now_ms) + $(pf_ms "${PF_START_TIMEOUT:-10}")))
	while :; do
		if ! pf_alive "$PF_PID"; then
			pf_collect "$PF_PID"
			pf_fail "preforkd exited with status $PF_STATUS while starting"
		fi
		pf_record_workers "$PF_PID"
		PF_WORKERS=$(pf_workers "$PF_PID")
		if [ "$(pf_count "$PF_WORKERS")" -eq "$n" ] &&
			"$PFTOOL" wait-port -p "$port" --timeout 0.2 2>/dev/null; then
			break
		fi
		if [ "$(pf_now_ms)" -ge "$end" ]; then
			pf_fail "preforkd not ready after ${PF_START_TIMEOUT:-10} s" \
				"(port $port, workers: ${PF_WORKERS:-none}, want $n)"
		fi
		sleep 0.05
	done
	pf_note "started preforkd $PF_PID on 127.0.0.1:$port, workers $PF_WORKERS"
}

# pf_wait_workers N TIMEOUT_S [GONE_PIDS]: 0 once the master PF_PID has
# exactly N live workers and none of GONE_PIDS is among them (a list of
# pids that must have left); 1 if not in time.  PF_WORKERS holds the
# workers last seen, and they are recorded for cleanup.
pf_wait_workers() {
	local n=$1 gone=${3:-} end p ok
	end=$(($(pf_now_ms) + $(pf_ms "$2")))
	while :; do
		pf_record_workers "$PF_PID"
		PF_WORKERS=$(pf_workers "$PF_PID")
		ok=yes
		[ "$(pf_count "$PF_WORKERS")" -eq "$n" ] || ok=no
		for p in $gone; do
			case " $PF_WORKERS " in
			*" $p "*) ok=no ;;
			esac
		done
		[ "$ok" = yes ] && return 0
		[ "$(pf_now_ms)" -ge "$end" ] && return 1
		sleep 0.05
	done
}

# pf_set_conf KEY VALUE: change a top-level `KEY = ...` line of $PF_CONF.
pf_set_conf() {
	grep -q "^$1 = " "$PF_CONF" || pf_fail "pf_set_conf: no $1 in $PF_CONF"
	sed -i "s|^$1 = .*|$1 = $2|" "$PF_CONF"
}

# pf_log_count ERE [FILE]: how many lines of FILE (default $PF_LOG) match.
pf_log_count() {
	grep -Ec -- "$1" "${2:-$PF_LOG}" 2>/dev/null || :
}

# pf_no_warnings WHAT: fail when $PF_LOG has a line above info (warning
# or error), quoting the first ones; WHAT says what was going on.
pf_no_warnings() {
	local n
	n=$(pf_log_count ': (warning|err): ')
	[ "$n" = 0 ] || pf_fail "$n lines above info $1: $(grep -E ': (warning|err): ' "$PF_LOG" | head -n 5)"
}

# pf_wait_log_count ERE N TIMEOUT_S [FILE]: 0 once at least N lines of
# FILE (default $PF_LOG) match, 1 if not in time.
pf_wait_log_count() {
	local end
	end=$(($(pf_now_ms) + $(pf_ms "$3")))
	until [ "$(pf_log_count "$1" "${4:-$PF_LOG}")" -ge "$2" ]; do
		[ "$(pf_now_ms)" -ge "$end" ] && return 1
		sleep 0.05
	done
}

# pf_kill_recorded [MASTER]: KILL the workers recorded from MASTER (default:
# from any master) that still run.  Used only when their master could not
# stop them, and at cleanup.
pf_kill_recorded() {
	local id
	for id in $PF_RECORDED; do
		[ $# -eq 0 ] || [ "${id##*:}" = "$1" ] || continue
		pf_ident_alive "$id" && kill -KILL "${id%%:*}" 2>/dev/null
	done
	return 0
}

# pf_stop [TIMEOUT_S]: TERM the master pf_start started last, wait up to
# TIMEOUT_S (default 15) for it to exit; if it does not, KILL it and its
# recorded workers and return 1.  PF_STATUS is its exit status.
pf_stop() {
	local t=${1:-15}
	if pf_alive "$PF_PID"; then
		kill -TERM "$PF_PID"
		if ! pf_wait_exit "$PF_PID" "$t"; then
			pf_note "preforkd $PF_PID did not stop within $t s: killing it"
			kill -KILL "$PF_PID" 2>/dev/null
			pf_kill_recorded "$PF_PID"
			pf_wait_exit "$PF_PID" 5 || true
			return 1
		fi
	else
		pf_collect "$PF_PID"
	fi
	return 0
}

# pf_wait_board ERE TIMEOUT_S: send USR1 to PF_PID until the scoreboard it
# logs has a line matching ERE (after "notice: "), looking only at what
# was logged after each USR1 (an older dump says nothing about now); 1 if
# none did within TIMEOUT_S.  PF_BOARD_LINE: the first line that matched.
pf_wait_board() {
	local end n wait
	end=$(($(pf_now_ms) + $(pf_ms "$2")))
	while [ "$(pf_now_ms)" -lt "$end" ]; do
		n=$(wc -l <"$PF_LOG")
		kill -USR1 "$PF_PID"
		wait=$(($(pf_now_ms) + 300))
		while [ "$(pf_now_ms)" -lt "$wait" ]; do
			PF_BOARD_LINE=$(tail -n +$((n + 1)) "$PF_LOG" |
				grep -E -m 1 -- "notice: $1") && return 0
			sleep 0.05
		done
	done
	return 1
}

# pf_hold SECONDS: a client that connects and stays silent for SECONDS, in
# the background; returns once it is connected and a worker shows busy
# with it in the scoreboard.  Sets PF_HOLD_PID, PF_HOLD_OUT (pftool's
# output), PF_HOLD_LOCAL (its address, "127.0.0.1:40312") and
# PF_HOLD_WORKER (the pid of the worker serving it).
pf_hold() {
	PF_HOLD_OUT=$PF_TMP/hold.$(pf_now_ms).out
	pf_bg "$PFTOOL" hold -p "$PF_PORT" -s "$1" >"$PF_HOLD_OUT" 2>&1
	PF_HOLD_PID=$PF_BG_PID
	pf_wait_log '^open ' 5 "$PF_HOLD_OUT" ||
		pf_fail "the holding client did not connect: $(cat "$PF_HOLD_OUT")"
	PF_HOLD_LOCAL=$(sed -n 's/^open //p' "$PF_HOLD_OUT")
	pf_wait_board "[0-9]+ generation=[0-9]+ state=busy .* client=$(pf_re_quote "$PF_HOLD_LOCAL")( |\$)" 10 ||
		pf_fail "no worker showed busy with the holding client $PF_HOLD_LOCAL"
	PF_HOLD_WORKER=$(printf '%s\n' "$PF_BOARD_LINE" |
		sed -E 's/^.* notice: ([0-9]+) generation=.*$/\1/')
}

# pf_stop_ok: pf_stop, and fail the test unless preforkd stopped on TERM
# with exit status 0.
pf_stop_ok() {
	pf_stop || pf_fail "preforkd did not stop on TERM"
	[ "$PF_STATUS" = 0 ] || pf_fail "preforkd exited with status $PF_STATUS on TERM"
}

# pf_run TIMEOUT_S ARGS...: run $PREFORKD ARGS in the foreground, bounded;
# PF_STATUS its exit status (124: it was still running), PF_OUT and PF_ERR
# the files holding its stdout and stderr.
pf_run() {
	local t=$1
	shift
	PF_OUT=$PF_TMP/run.out
	PF_ERR=$PF_TMP/run.err
	timeout -k 2 "$t" env $PF_ENV_DEFAULT_SIGNAL $PF_WRAPPER "$PREFORKD" "$@" \
		</dev/null >"$PF_OUT" 2>"$PF_ERR" && PF_STATUS=0 || PF_STATUS=$?
}

# Show what pf_run saw (for failure messages).
pf_run_output() {
	printf 'exit status %s\n--- stdout ---\n%s\n--- stderr ---\n%s\n' \
		"$PF_STATUS" "$(head -c 4000 "$PF_OUT")" "$(head -c 4000 "$PF_ERR")"
}

# pf_echo ARGS...: a verified echo run on $PF_PORT; fails the test if any
# connection fails.  The summary line is in PF_ECHO_OUT.
pf_echo() {
	local err=$PF_TMP/pftool.err
	if PF_ECHO_OUT=$("$PFTOOL" echo -p "$PF_PORT" "$@" 2>"$err"); then
		pf_note "pftool echo $*: $PF_ECHO_OUT"
		return 0
	fi
	pf_fail "pftool echo $* failed: $PF_ECHO_OUT
$(head -n 20 "$err")"
}

# pf_stream_client BYTES DELAY_MS WHAT: a verified echo client in the
# background, sending BYTES in 2000-byte chunks DELAY_MS apart; fails the
# test unless it is still mid-stream 0.5 s later, before WHAT (e.g. "the
# reload") is done to the server.  Sets PF_CLIENT and PF_CLIENT_OUT.
pf_stream_client() {
	PF_NCLIENTS=$((${PF_NCLIENTS:-0} + 1))
	PF_CLIENT_OUT=$PF_TMP/client.$PF_NCLIENTS.out
	pf_bg "$PFTOOL" echo -p "$PF_PORT" -n "$1" --chunk 2000 --delay-ms "$2" \
		--timeout 20 >"$PF_CLIENT_OUT" 2>&1
	PF_CLIENT=$PF_BG_PID
	sleep 0.5
	pf_alive "$PF_CLIENT" ||
		pf_fail "the client ended before $3: $(cat "$PF_CLIENT_OUT")"
}

# pf_stream_result TIMEOUT_S WHAT: wait for PF_CLIENT to end; fail the test
# unless it got every byte back across WHAT.
pf_stream_result() {
	pf_wait_exit "$PF_CLIENT" "$1" ||
		pf_fail "the client still runs $1 s after $2"
	[ "$PF_STATUS" = 0 ] ||
		pf_fail "the client streaming across $2 failed: $(cat "$PF_CLIENT_OUT")"
	pf_note "client across $2: $(cat "$PF_CLIENT_OUT")"
}

# pf_check_log_format [FILE]: every line of FILE (default $PF_LOG) has the
# shape of PF_RE_LINE; fails the test otherwise.
pf_check_log_format() {
	local file=${1:-$PF_LOG} bad
	bad=$(grep -Evn -- "$PF_RE_LINE" "$file" | head -n 5) || :
	[ -z "$bad" ] || pf_fail "log lines not of the form 'TIME preforkd[PID]: LEVEL: message':
$bad"
}

# pf_wait_log ERE TIMEOUT_S [FILE]: 0 once a line of FILE (default $PF_LOG)
# matches, 1 if none does in time.
pf_wait_log() {
	local re=$1 end file=${3:-$PF_LOG}
	end=$(($(pf_now_ms) + $(pf_ms "$2")))
	until grep -Eq -- "$re" "$file" 2>/dev/null; do
		[ "$(pf_now_ms)" -ge "$end" ] && return 1
		sleep 0.05
	done
	return 0
}

# ---------------------------------------------------------------------
# HTTP clients.  curl for ordinary requests, `pftool raw` for exact bytes.
# Every call is bounded: PF_HTTP_TIME seconds (5; 20 under valgrind).

PF_HTTP_TIME=5
[ "${PF_VALGRIND:-0}" != 1 ] || PF_HTTP_TIME=20

# pf_get NAME PATH [CURL_ARGS...]: curl http://127.0.0.1:$PF_PORT/PATH
# (PATH sent as is, not normalised); the response head in
# $PF_TMP/NAME.head, the body in $PF_TMP/NAME.body, the status in PF_CODE,
# curl's local port (the client is 127.0.0.1:PF_LOCAL_PORT) in
# PF_LOCAL_PORT.  Fails the test if curl fails (no answer, cut off, timed
# out).
pf_get() {
	local name=$1 path=$2 out
	shift 2
	out=$(curl -sS --max-time "$PF_HTTP_TIME" --path-as-is \
		-D "$PF_TMP/$name.head" -o "$PF_TMP/$name.body" \
		-w '%{http_code} %{local_port}' "$@" \
		"http://127.0.0.1:$PF_PORT$path" 2>"$PF_TMP/$name.err") ||
		pf_fail "curl ${*:+$* }http://127.0.0.1:$PF_PORT$path: $(cat "$PF_TMP/$name.err")"
	PF_CODE=${out%% *}
	# shellcheck disable=SC2034
	PF_LOCAL_PORT=${out#* }
}

# pf_expect NAME PATH STATUS [CURL_ARGS...]: pf_get, failing the test
# unless the status is STATUS.
pf_expect() {
	local name=$1 path=$2 want=$3
	shift 3
	pf_get "$name" "$path" "$@"
	[ "$PF_CODE" = "$want" ] ||
		pf_fail "$path${*:+ (curl $*)}: status $PF_CODE, want $want
$(tr -d '\r' <"$PF_TMP/$name.head")"
}

# pf_header FILE NAME: the value of the first header field NAME (its exact
# spelling) in the response head FILE (or the output of pftool raw), less
# the CR; nothing if there is none.
pf_header() {
	tr -d '\r' <"$1" | sed -n "s/^$2: //p" | head -n 1
}

# pf_has_header FILE NAME: does the response head FILE have field NAME?
pf_has_header() {
	tr -d '\r' <"$1" | grep -q "^$2:"
}

# pf_raw NAME REQUEST [RAW_ARGS...]: pftool raw -p $PF_PORT RAW_ARGS,
# sending REQUEST with its backslash escapes expanded (printf %b: write
# '\r\n'); what came back in $PF_TMP/NAME.out, pftool's stderr in
# NAME.err, its exit status in PF_RAW_RC, the status code of the first
# response in PF_CODE, and (with --hold) "eof", "reset" or "open" in
# PF_RAW_HOW and the seconds it took in PF_RAW_SECS.
pf_raw() {
	local name=$1 req=$2 last
	shift 2
	printf '%b' "$req" >"$PF_TMP/$name.req"
	"$PFTOOL" raw -p "$PF_PORT" "$@" <"$PF_TMP/$name.req" \
		>"$PF_TMP/$name.out" 2>"$PF_TMP/$name.err" && PF_RAW_RC=0 ||
		PF_RAW_RC=$?
	[ "$PF_RAW_RC" -le 1 ] || pf_fail "pftool raw $*: $(cat "$PF_TMP/$name.err")"
	PF_CODE=$(head -n 1 "$PF_TMP/$name.out" |
		sed -n 's/^HTTP\/1\.[01] \([0-9][0-9][0-9]\) .*/\1/p')
	last=$(tail -n 1 "$PF_TMP/$name.err")
	# shellcheck disable=SC2034
	PF_RAW_HOW=$(printf '%s\n' "$last" | sed -n 's/^raw: \([a-z]*\) after .*/\1/p')
	# shellcheck disable=SC2034
	PF_RAW_SECS=$(printf '%s\n' "$last" | sed -n 's/^raw: [a-z]* after //p')
}

# pf_response FD WHAT: read one HTTP/1.1 response from the open descriptor
# FD (bash's /dev/tcp), each read bounded by PF_HTTP_TIME, the body by its
# Content-Length; fails the test, naming WHAT, if it does not come.  Sets
# PF_RESP_STATUS (the code), PF_RESP_CONN (its Connection field, or "")
# and PF_RESP_BODY.
pf_response() {
	local line len=0
	PF_RESP_STATUS='' PF_RESP_CONN='' PF_RESP_BODY=''
	read -r -t "$PF_HTTP_TIME" line <&"$1" || pf_fail "$2: no status line"
	PF_RESP_STATUS=$(printf '%s\n' "${line%$'\r'}" | cut -d ' ' -f 2)
	while read -r -t "$PF_HTTP_TIME" line <&"$1"; do
		line=${line%$'\r'}
		[ -n "$line" ] || break
		case $line in
		Content-Length:*) len=${line#*: } ;;
		Connection:*) PF_RESP_CONN=${line#*: } ;;
		esac
	done
	[ "$len" = 0 ] || read -r -N "$len" -t "$PF_HTTP_TIME" PF_RESP_BODY <&"$1" ||
		pf_fail "$2: the body did not come ($len bytes)"
}

# pf_load ARGS...: run pfload -p $PF_PORT ARGS (an occupancy load: an
# attack and a legitimate client at once; see pfload -h), built from
# pfload.c into $PF_TMP if PFLOAD is not set; fails the test if pfload
# itself fails.  Its summary line in PF_LOAD_OUT; pf_load_get KEY prints
# one of its values (ok, failed, success_pct, p99_ms, ...).
pf_load() {
	if [ -z "$PFLOAD" ]; then
		${CC:-cc} -O2 -o "$PF_TMP/pfload" "$PF_HERE/pfload.c" ||
			pf_fail "cannot build pfload"
		PFLOAD=$PF_TMP/pfload
	fi
	PF_LOAD_OUT=$("$PFLOAD" -p "$PF_PORT" "$@" 2>"$PF_TMP/pfload.err") ||
		pf_fail "pfload $*: $(tail -n 5 "$PF_TMP/pfload.err")"
	pf_note "pfload $*: $PF_LOAD_OUT"
}

pf_load_get() {
	printf '%s\n' "$PF_LOAD_OUT" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# pf_statuses FILE: the status codes of every response in FILE, one line.
pf_statuses() {
	tr -d '\r' <"$1" | sed -n 's/^HTTP\/1\.[01] \([0-9][0-9][0-9]\) .*/\1/p' |
		tr '\n' ' ' | sed 's/ $//'
}

# pf_refused NAME STATUS REQUEST [PFTOOL_RAW_ARGS...]: pf_raw NAME REQUEST
# (by default --hold 5: the client never shuts down its side), failing
# the test unless the answer is one response, STATUS, with Connection:
# close, after which the server closes the connection (itself, with
# --hold; after the client's shutdown, with --timeout S).
pf_refused() {
	local name=$1 want=$2 req=$3
	shift 3
	[ $# -gt 0 ] || set -- --hold 5
	pf_raw "$name" "$req" "$@"
	[ "$PF_CODE" = "$want" ] || pf_fail "$name: status '$PF_CODE', want $want:
$(head -c 600 "$PF_TMP/$name.out")"
	[ "$(pf_header "$PF_TMP/$name.out" Connection)" = close ] ||
		pf_fail "$name: $want without Connection: close"
	case $PF_RAW_HOW in
	eof | reset) ;;
	'') [ "$PF_RAW_RC" = 0 ] ||
		pf_fail "$name: after $want the server did not close: $(tail -n 1 "$PF_TMP/$name.err")" ;;
	*) pf_fail "$name: after $want the connection is still open ($PF_RAW_HOW after $PF_RAW_SECS s)" ;;
	esac
	[ "$(pf_statuses "$PF_TMP/$name.out")" = "$want" ] ||
		pf_fail "$name: more than one response: $(pf_statuses "$PF_TMP/$name.out")"
}

# ---------------------------------------------------------------------
# Memory checkers.  A sanitizer build writes its reports (from the master,
# from workers, from pftool) into $PF_TMP/sanitizer.PID; PF_VALGRIND=1 runs
# every daemon under valgrind, reports into $PF_TMP/valgrind.PID.  Any
# report fails the test, even when the process that found it was a worker
# the master simply replaced.

PF_WRAPPER=

pf_checkers_setup() {
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$PF_TMP/sanitizer"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:log_path=$PF_TMP/sanitizer"
	if [ "${PF_VALGRIND:-0}" = 1 ]; then
		command -v valgrind >/dev/null || pf_skip "PF_VALGRIND=1 but no valgrind"
		PF_WRAPPER="valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --log-file=$PF_TMP/valgrind.%p"
		PF_START_TIMEOUT=${PF_START_TIMEOUT:-30}
	fi
}

# pf_valgrind_forgive_openat2: valgrind 3.19 (Debian 12) does not know
# openat2 (syscall 437): it answers ENOSYS, which the http service expects
# (it then opens with openat and checks the path), but it also writes a
# five-line "WARNING: unhandled amd64-linux syscall: 437" into the report,
# which pf_check_reports would count as a failure.  Delete exactly that
# warning from the reports; anything else in them still fails the test.
# pf_check_reports calls it, at cleanup, once the daemons have exited.
pf_valgrind_forgive_openat2() {
	local f
	for f in "$PF_TMP"/valgrind.*; do
		[ -s "$f" ] || continue
		sed -i '/^--[0-9]*-- WARNING: unhandled amd64-linux syscall: 437$/,/^--[0-9]*-- it at http:\/\/valgrind\.org\/support\/bug_reports\.html\.$/d' "$f"
	done
}

# 1 (after printing them) if a sanitizer or valgrind left a report.
pf_check_reports() {
	local f found=0
	pf_valgrind_forgive_openat2
	for f in "$PF_TMP"/sanitizer.* "$PF_TMP"/valgrind.*; do
		[ -s "$f" ] || continue
		printf -- '---- %s ----\n' "${f##*/}" >&2
		head -n 60 "$f" >&2
		found=1
	done
	[ "$found" = 0 ]
}

# ---------------------------------------------------------------------
# Watchdog and cleanup.

pf_watchdog_start() {
	(
		trap 'kill "$sp" 2>/dev/null; exit 0' TERM
		sleep "$PF_TIMEOUT" &
		sp=$!
		wait "$sp" || exit 0
		echo fired >"$PF_TMP/watchdog"
		for p in $(ps -o pid= --ppid "$PF_MAIN_PID"); do
			[ "$p" = "$BASHPID" ] || kill -TERM "$p" 2>/dev/null || :
		done
		kill -TERM "$PF_MAIN_PID" 2>/dev/null || :
	) </dev/null >/dev/null 2>&1 &
	PF_WATCHDOG_PID=$!
}

pf_on_signal() {
	if [ -f "$PF_TMP/watchdog" ]; then
		pf_fail "watchdog: the test ran longer than $PF_TIMEOUT s"
	fi
	pf_fail "interrupted by SIG$1"
}

# Stop everything the test started, oldest last: background clients, then
# masters (TERM, then KILL after 3 s), then any recorded worker still
# running (KILL).
pf_cleanup() {
	local rc=$? id left
	set +e
	trap - TERM INT HUP
	[ -z "$PF_WATCHDOG_PID" ] || kill -TERM "$PF_WATCHDOG_PID" 2>/dev/null
	# disown: the shell need not report on what it kills here.
	for id in $PF_BG; do
		pf_ident_alive "$id" && kill -KILL "${id%%:*}" 2>/dev/null
		disown "${id%%:*}" 2>/dev/null
	done
	left=
	for id in $PF_MASTERS; do
		if pf_ident_alive "$id"; then
			kill -TERM "${id%%:*}" 2>/dev/null
			left="$left ${id%%:*}"
		fi
	done
	# shellcheck disable=SC2086
	if [ -n "$left" ] && ! pf_wait_gone 3 $left; then
		for id in $PF_MASTERS; do
			pf_ident_alive "$id" && kill -KILL "${id%%:*}" 2>/dev/null
		done
	fi
	for id in $PF_MASTERS; do
		disown "${id%%:*}" 2>/dev/null
	done
	pf_kill_recorded
	pf_check_reports || rc=1
	if [ -n "$PF_TMP" ] && [ "${PF_KEEP:-0}" = 1 ]; then
		pf_note "kept $PF_TMP"
	elif [ -n "$PF_TMP" ]; then
		rm -rf "$PF_TMP"
	fi
	exit "$rc"
}

# ---------------------------------------------------------------------
# Setup, on sourcing.

PF_TMP=$(mktemp -d "${TMPDIR:-/tmp}/preforkd-$PF_NAME.XXXXXX")
trap pf_cleanup EXIT
trap 'pf_on_signal TERM' TERM
trap 'pf_on_signal INT' INT
trap 'pf_on_signal HUP' HUP
pf_checkers_setup
pf_watchdog_start

if [ -z "$PFTOOL" ]; then
	if [ -x "$top_builddir/tests/integration/pftool" ]; then
		PFTOOL=$top_builddir/tests/integration/pftool
	elif [ -f "$PF_HERE/pftool.c" ]; then
		${CC:-cc} -O2 -o "$PF_TMP/pftool" "$PF_HERE/pftool.c" ||
			pf_fail "cannot build pftool"
		PFTOOL=$PF_TMP/pftool
	fi
fi
if [ -z "$PFTOOL" ] || [ ! -x "$PFTOOL" ]; then
	pf_fail "no pftool (PFTOOL=$PFTOOL)"
fi
PFLOAD=${PFLOAD:+$(pf_abs "$PFLOAD")}
if [ -z "$PFLOAD" ] && [ -x "$top_builddir/tests/integration/pfload" ]; then
	PFLOAD=$top_builddir/tests/integration/pfload
fi
[ -x "$PREFORKD" ] || pf_fail "no preforkd binary at $PREFORKD (set PREFORKD)"
