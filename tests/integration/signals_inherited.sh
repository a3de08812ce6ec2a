#!/usr/bin/env bash
# signals_inherited: a launcher may start preforkd with signals ignored
# (some shells and process supervisors do, and an ignored disposition
# survives exec).  Started with CHLD, HUP, TERM, USR1, TTIN and TTOU
# ignored, the master still does all it does on them: a killed worker is
# reaped and replaced (with SIGCHLD ignored the kernel would reap it
# itself and tell no one), TTIN adds a worker, USR1 logs the scoreboard,
# HUP reloads, TERM stops it with exit status 0.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

env --ignore-signal=CHLD true 2>/dev/null ||
	pf_skip "env cannot start a command with a signal ignored (coreutils < 8.31)"
PF_ENV_DEFAULT_SIGNAL="--default-signal --ignore-signal=CHLD --ignore-signal=HUP --ignore-signal=TERM --ignore-signal=USR1 --ignore-signal=TTIN --ignore-signal=TTOU"

pf_write_conf "$PF_TMP/echo.conf" workers=2
pf_start

victim=${PF_WORKERS%% *}
kill -KILL "$victim"
pf_wait_workers 2 10 "$victim" ||
	pf_fail "a killed worker was not replaced with SIGCHLD inherited as ignored (workers: '$PF_WORKERS')"
pf_note "worker $victim killed and replaced: $PF_WORKERS"

kill -TTIN "$PF_PID"
pf_wait_workers 3 10 ||
	pf_fail "TTIN inherited as ignored: still '$PF_WORKERS'"
kill -USR1 "$PF_PID"
pf_wait_log 'notice: scoreboard: 3 workers' 5 ||
	pf_fail "USR1 inherited as ignored: no scoreboard in the log"
kill -HUP "$PF_PID"
pf_wait_log "$(pf_re_reloaded 2)" 10 ||
	pf_fail "HUP inherited as ignored: no reload"
pf_note "TTIN, USR1 and HUP acted on"
pf_stop_ok
