#!/usr/bin/env bash
# port_taken: preforkd cannot start on a port that is already taken: it
# exits 1 and its stderr names the address (127.0.0.1:PORT) and the reason
# ("Address already in use").  Once against a plain listener, once against
# a running preforkd (which must go on serving).
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

# How the refusal reads (stderr); keep in step with src/.
RE_REASON='in use'

# The second start must fail with status 1 and say where and why.
expect_refused() {
	local what=$1
	pf_run 10 -f "$PF_CONF"
	[ "$PF_STATUS" = 1 ] ||
		pf_fail "$what: want exit 1 on a taken port; $(pf_run_output)"
	grep -Fq -- "127.0.0.1:$PF_PORT" "$PF_ERR" ||
		pf_fail "$what: stderr does not name 127.0.0.1:$PF_PORT; $(pf_run_output)"
	grep -Eiq -- "$RE_REASON" "$PF_ERR" ||
		pf_fail "$what: stderr does not say the address is in use; $(pf_run_output)"
	pf_note "$what: refused: $(grep -F "127.0.0.1:$PF_PORT" "$PF_ERR" | head -n 1)"
}

# 1. A plain listener holds the port.
pf_write_conf "$PF_TMP/one.conf" workers=1
pf_bg "$PFTOOL" listen -p "$PF_PORT" -s 30 >"$PF_TMP/listen.out" 2>&1
listener=$PF_BG_PID
end=$(($(pf_now_ms) + 5000))
until grep -q '^listening' "$PF_TMP/listen.out"; do
	pf_alive "$listener" || pf_fail "pftool listen: $(cat "$PF_TMP/listen.out")"
	[ "$(pf_now_ms)" -lt "$end" ] || pf_fail "pftool listen did not start"
	sleep 0.05
done
expect_refused "against a listener"
kill -TERM "$listener"

# 2. A running preforkd holds the port.
pf_write_conf "$PF_TMP/two.conf" workers=2
pf_start
expect_refused "against a running preforkd"
pf_echo -n 4K -c 2 -k 4
pf_stop || pf_fail "the first preforkd did not stop on TERM"
[ "$PF_STATUS" = 0 ] || pf_fail "preforkd exited with status $PF_STATUS on TERM"
