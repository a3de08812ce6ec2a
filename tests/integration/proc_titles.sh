#!/usr/bin/env bash
# proc_titles: ps explains the process tree.  The master's command line
# reads "preforkd: master"; of its children, exactly `workers` read
# "preforkd: worker" and one "preforkd: parker" (the process that holds
# idle and slow connections); none reads anything else.  The short names
# (comm, what pgrep -x and pidof match) are "preforkd", "preforkd-worker"
# and "preforkd-parker", so `pkill -x preforkd` reaches the master only.
# With parker.connections = 0 there is no parker.
set -eu
PF_TIMEOUT=30
. "$(dirname "$0")/lib.sh"
# Under valgrind, /proc/PID/cmdline is valgrind's own.
[ "${PF_VALGRIND:-0}" != 1 ] || pf_skip "titles cannot be seen under valgrind"

# titles WORKERS PARKERS: wait until the tree is as said, or fail.
titles() {
	local end bad title comm kids p t nw np
	end=$(($(pf_now_ms) + 5000))
	while :; do
		bad= nw=0 np=0
		title=$(ps -o args= -p "$PF_PID")
		case $title in
		"preforkd: master"*) ;;
		*) bad="master $PF_PID: '$title'" ;;
		esac
		comm=$(cat "/proc/$PF_PID/comm")
		[ "$comm" = preforkd ] || bad="$bad; master comm '$comm'"
		kids=$(ps -o pid= --ppid "$PF_PID" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
		for p in $kids; do
			t=$(ps -o args= -p "$p") || continue
			comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
			case $t/$comm in
			"preforkd: worker"*/preforkd-worker) nw=$((nw + 1)) ;;
			"preforkd: parker"*/preforkd-parker) np=$((np + 1)) ;;
			*) bad="$bad; child $p: '$t' (comm '$comm')" ;;
			esac
		done
		[ "$nw" -eq "$1" ] || bad="$bad; $nw workers, not $1 (children '$kids')"
		[ "$np" -eq "$2" ] || bad="$bad; $np parkers, not $2 (children '$kids')"
		[ -n "$bad" ] || break
		[ "$(pf_now_ms)" -lt "$end" ] || pf_fail "process titles: $bad"
		sleep 0.1
	done
	pf_note "master $PF_PID '$title', children $kids"
}

pf_write_conf "$PF_TMP/echo.conf" workers=3
pf_start
titles 3 1
pf_stop_ok

pf_write_conf "$PF_TMP/noparker.conf" workers=2 parker.connections=0
pf_start
titles 2 0
pf_stop_ok
