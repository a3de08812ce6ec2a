#!/usr/bin/env bash
# health_stray: one stray byte on the health pipe (written here through a
# worker's descriptor, as a buggy or hostile worker could) does not put
# the master out of step with every later record: it logs one warning,
# finds the records again, and keeps the books: the scoreboard counts the
# connections served after it, and a killed worker is still replaced.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || pf_skip "needs root (writing through another process's descriptor)"
pf_write_conf "$PF_TMP/echo.conf" workers=1
pf_start
w=${PF_WORKERS%% *}
# The health pipe's write end: the worker's only pipe opened for writing.
hfd=
for fd in /proc/"$w"/fd/*; do
	n=${fd##*/}
	case $(readlink "$fd") in pipe:*) ;; *) continue ;; esac
	flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$w/fdinfo/$n")
	[ $((8#$flags & 3)) = 1 ] && hfd=$n
done
[ -n "$hfd" ] || pf_fail "no health pipe among worker $w's descriptors"
printf 'x' >"/proc/$w/fd/$hfd"
pf_note "one stray byte written to the health pipe (worker $w, fd $hfd)"

pf_echo -n 64 -c 1 -k 20
pf_wait_log "warning: health pipe: dropped 1 bytes that were no record" 5 ||
	pf_fail "no warning about the stray byte"
# The worker reports as it goes and the master reads in batches: ask
# again for up to 5 s.
end=$(($(pf_now_ms) + 5000))
until kill -USR1 "$PF_PID" &&
	pf_wait_log "notice: scoreboard: 1 worker: .*([2-9][0-9]|[1-9][0-9][0-9]) served" 0.5; do
	[ "$(pf_now_ms)" -lt "$end" ] ||
		pf_fail "the scoreboard did not count the connections after the stray byte: $(grep scoreboard "$PF_LOG" | tail -n 1)"
done
kill -KILL "$w"
pf_wait_workers 1 10 "$w" || pf_fail "the killed worker was not replaced"
pf_echo -n 64 -c 1 -k 2
n=$(pf_log_count 'health pipe: dropped')
[ "$n" = 1 ] || pf_fail "$n warnings about the health pipe, want 1: $(grep 'health pipe' "$PF_LOG" | head -n 3)"
pf_note "one warning; the records after it counted; the pool still supervised"
pf_stop_ok
