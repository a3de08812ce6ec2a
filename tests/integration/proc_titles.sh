#!/usr/bin/env bash
# proc_titles: ps explains the process tree.  The master's command line
# reads "preforkd: master", each of its children's "preforkd: worker", and
# the master has exactly `workers` children.  The short names (comm, what
# pgrep -x and pidof match) are "preforkd" and "preforkd-worker", so
# `pkill -x preforkd` reaches the master only.
set -eu
PF_TIMEOUT=30
. "$(dirname "$0")/lib.sh"
# Under valgrind, /proc/PID/cmdline is valgrind's own.
[ "${PF_VALGRIND:-0}" != 1 ] || pf_skip "titles cannot be seen under valgrind"

pf_write_conf "$PF_TMP/echo.conf" workers=3
pf_start

# A child takes its title just after fork(): allow it a moment.
end=$(($(pf_now_ms) + 5000))
while :; do
	bad=
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
		case $t in
		"preforkd: worker"*) ;;
		*) bad="$bad; child $p: '$t'" ;;
		esac
		comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
		[ "$comm" = preforkd-worker ] || bad="$bad; child $p comm '$comm'"
	done
	[ "$(pf_count "$kids")" -eq 3 ] || bad="$bad; children: '$kids', not 3"
	[ -n "$bad" ] || break
	[ "$(pf_now_ms)" -lt "$end" ] || pf_fail "process titles: $bad"
	sleep 0.1
done
pf_note "master $PF_PID '$title', workers $kids"

pf_stop_ok
