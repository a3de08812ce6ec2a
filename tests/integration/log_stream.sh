#!/usr/bin/env bash
# log_stream: JOURNAL_STREAM turns on native journal records only when it
# names preforkd's own stderr and journald's socket is there.  Naming
# another file, it changes nothing: readable lines, the access record
# among them.  Naming the very log file preforkd writes to, with no
# journald (no /run/systemd/journal/socket, where sd_journal_sendv would
# drop every record and report success), preforkd keeps writing the same
# readable lines, from the master and from its workers: nothing is lost.
# Where a journald runs, that second part is skipped (the records would
# reach it; the systemd sandbox tests check them there).
set -eu
. "$(dirname "$0")/lib.sh"

# One start with JOURNAL_STREAM=$1, an echo, the records it must leave.
check_lines() {
	local client
	export JOURNAL_STREAM=$1
	pf_start
	pf_echo -n 100
	client=${PF_ECHO_OUT##*local=}
	pf_wait_log "$(pf_re_access "$client" 100 100 eof)" 5 ||
		pf_fail "JOURNAL_STREAM=$1: no access record line \"$client echo 100 100 MS eof\""
	pf_wait_log "preforkd\\[$PF_PID\\]: notice: ready: " 5 ||
		pf_fail "JOURNAL_STREAM=$1: no \"ready\" line from the master"
	pf_stop_ok
	pf_check_log_format
	unset JOURNAL_STREAM
}

pf_write_conf "$PF_TMP/echo.conf" workers=1

check_lines "$(stat -c '%d:%i' "$PF_CONF")"
pf_note "JOURNAL_STREAM naming another file: readable lines"

if [ -S /run/systemd/journal/socket ]; then
	pf_note "a journald runs here: the fallback part is skipped"
	exit 0
fi
# pf_launch writes to preforkd.N.log, N one more than the last; created
# first so that its inode is known, and kept by the `>` that reopens it.
log=$PF_TMP/preforkd.$((PF_NLOGS + 1)).log
: >"$log"
check_lines "$(stat -c '%d:%i' "$log")"
[ "$PF_LOG" = "$log" ] || pf_fail "the daemon wrote to $PF_LOG, not $log"
pf_note "JOURNAL_STREAM naming stderr, no journald: the same lines"
