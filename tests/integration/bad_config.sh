#!/usr/bin/env bash
# bad_config: configuration and command-line errors are refused with the
# right exit status and message, and -t checks without binding.
#   78 and "FILE:LINE: KEY: reason": an unknown key, workers = 0 or 1025,
#      a string for port, port = 70000, timeouts.hang <= timeouts.read
#      (each also with -t);
#   78 and "FILE:LINE: http.root: ..." for a missing root or a plain file
#      (not checked for service = echo);
#   78 and "user: no such user": a user that does not exist;
#   78 and "cannot open FILE": a missing file;
#   64: -p 0, -p 65536, -p abc, -w 0, -x, -l loud;
#   -t on the shipped conf/preforkd.conf (a copy bound to loopback):
#      "configuration OK", exit 0;
#   -t on a loopback config whose port is held by another socket: exit 0,
#      prints the effective port (and the -p/-w overrides), and what it
#      prints is itself a valid config that -t prints back unchanged;
#   -V prints the version from configure.ac, -h a usage text; both exit 0.
set -eu
PF_TIMEOUT=180
. "$(dirname "$0")/lib.sh"

# Each case that goes wrong is reported, and the test fails at the end, so
# one run shows every problem.
PROBLEMS=0
problem() {
	printf '%s: FAIL: %s\n' "$PF_NAME" "$*" >&2
	PROBLEMS=$((PROBLEMS + 1))
}

# Wording the checks rely on; keep in step with src/.
OK_TEXT='configuration OK'
CANNOT_OPEN='cannot open'
RE_USAGE='usage'

port=$(pf_free_port)
base() {
	printf 'port = %s\nbind = {"127.0.0.1"}\nworkers = 2\nservice = echo\n' "$port"
}

# conf_case NAME LINE KEY: $PF_TMP/NAME.conf must be refused with 78 and
# "FILE:LINE: KEY: " on stderr, with and without -t.  LINE and KEY are EREs.
conf_case() {
	local name=$1 file=$PF_TMP/$1.conf re t
	re="$(pf_re_quote "$file"):($2): ($3): "
	for t in "" -t; do
		pf_run 10 -f "$file" $t
		if [ "$PF_STATUS" != 78 ]; then
			problem "$name${t:+ ($t)}: want exit 78; $(pf_run_output)"
			return
		fi
		if ! grep -Eq -- "$re" "$PF_ERR"; then
			problem "$name${t:+ ($t)}: stderr lacks /$re/; $(pf_run_output)"
			return
		fi
	done
	pf_note "$name: 78, $(grep -E -- "$re" "$PF_ERR" | head -n 1)"
}

{ base; echo 'frobnicate = 1'; } >"$PF_TMP/unknown_key.conf"
conf_case unknown_key 5 frobnicate
# http: a root that is not there, or not a directory, on its own line.
{ base | sed 's/^service = .*/service = http/'; printf 'http {\n\troot = "no-such-dir"\n}\n'; } \
	>"$PF_TMP/http_root_missing.conf"
conf_case http_root_missing 6 'http\.root'
: >"$PF_TMP/plain-file"
{ base | sed 's/^service = .*/service = http/'; printf 'http {\n\n\troot = "plain-file"\n}\n'; } \
	>"$PF_TMP/http_root_file.conf"
conf_case http_root_file 7 'http\.root'
# echo does not care about http.root.
{ base; printf 'http {\n\troot = "no-such-dir"\n}\n'; } >"$PF_TMP/echo_root.conf"
pf_run 10 -t -f "$PF_TMP/echo_root.conf"
[ "$PF_STATUS" = 0 ] || problem "echo with a missing http.root: want 0; $(pf_run_output)"
base | sed 's/^workers = .*/workers = 0/' >"$PF_TMP/workers_zero.conf"
conf_case workers_zero 3 workers
base | sed 's/^workers = .*/workers = 1025/' >"$PF_TMP/workers_big.conf"
conf_case workers_big 3 workers
base | sed 's/^port = .*/port = "abc"/' >"$PF_TMP/port_string.conf"
conf_case port_string 1 port
base | sed 's/^port = .*/port = 70000/' >"$PF_TMP/port_big.conf"
conf_case port_big 1 port
{ base; printf 'timeouts {\n\tread = 10\n\thang = 10\n}\n'; } >"$PF_TMP/hang.conf"
conf_case hang '[0-9]+' '[a-z._|]*hang'

# A user that does not exist: found by the same checks, before binding.
{ base; echo 'user = "no-such-user-here"'; } >"$PF_TMP/user.conf"
for t in "" -t; do
	pf_run 10 -f "$PF_TMP/user.conf" $t
	[ "$PF_STATUS" = 78 ] || problem "unknown user${t:+ ($t)}: want exit 78; $(pf_run_output)"
	grep -Fq -- "user: no such user \"no-such-user-here\"" "$PF_ERR" ||
		problem "unknown user${t:+ ($t)}: stderr does not name it; $(pf_run_output)"
done

missing=$PF_TMP/missing.conf
pf_run 10 -f "$missing"
[ "$PF_STATUS" = 78 ] || pf_fail "missing file: want exit 78; $(pf_run_output)"
grep -Fq -- "$CANNOT_OPEN $missing" "$PF_ERR" ||
	pf_fail "missing file: stderr lacks '$CANNOT_OPEN $missing'; $(pf_run_output)"
pf_note "missing file: 78"

good=$PF_TMP/good.conf
base >"$good"
for args in "-p 0" "-p 65536" "-p abc" "-w 0" "-x" "-l loud"; do
	# shellcheck disable=SC2086
	pf_run 5 -f "$good" $args
	if [ "$PF_STATUS" = 64 ]; then
		pf_note "'$args': 64"
	else
		problem "'$args': want exit 64; $(pf_run_output)"
	fi
done

# The shipped file, as it is but for where it would listen (so that a -t
# that broke could never serve anything beyond loopback), its root, which
# is relative to the file's own directory, and its user ("preforkd", which
# the tests cannot count on: the one running them instead).
shipped=$top_srcdir/conf/preforkd.conf
[ -f "$shipped" ] || pf_fail "no shipped config at $shipped"
me=$(id -un)
sed -e "s|^bind = .*|bind = {\"127.0.0.1\"}|" -e "s|^port = .*|port = $port|" \
	-e "s|^user = .*|user = \"$me\"|" \
	-e "s|^\(\troot = \).*|\1\"$top_srcdir/conf/www\"|" "$shipped" >"$PF_TMP/shipped.conf"
grep -q '^bind = {"127.0.0.1"}$' "$PF_TMP/shipped.conf" &&
	grep -q "^user = \"$me\"$" "$PF_TMP/shipped.conf" &&
	grep -q "^	root = \"$top_srcdir/conf/www\"$" "$PF_TMP/shipped.conf" ||
	pf_fail "could not make a loopback copy of $shipped"
pf_run 10 -t -f "$PF_TMP/shipped.conf"
[ "$PF_STATUS" = 0 ] || pf_fail "-t on the shipped config: want 0; $(pf_run_output)"
grep -Fq -- "$OK_TEXT" "$PF_OUT" "$PF_ERR" ||
	pf_fail "-t on the shipped config: no '$OK_TEXT'; $(pf_run_output)"
pf_note "-t $shipped: OK"

# -t never binds: the port is held by a listener meanwhile.
pf_bg "$PFTOOL" listen -p "$port" -s 60 >"$PF_TMP/listen.out" 2>&1
end=$(($(pf_now_ms) + 5000))
until grep -q '^listening' "$PF_TMP/listen.out"; do
	[ "$(pf_now_ms)" -lt "$end" ] || pf_fail "pftool listen: $(cat "$PF_TMP/listen.out")"
	sleep 0.05
done
re_setting() { printf '^[[:space:]]*%s[[:space:]]*=[[:space:]]*%s[[:space:]]*(#.*)?$' "$1" "$2"; }
pf_run 10 -t -f "$good"
[ "$PF_STATUS" = 0 ] || pf_fail "-t on a loopback config: want 0; $(pf_run_output)"
grep -Eq -- "$(re_setting port "$port")" "$PF_OUT" ||
	pf_fail "-t does not print 'port = $port'; $(pf_run_output)"
grep -Fq -- "$OK_TEXT" "$PF_OUT" "$PF_ERR" || pf_fail "-t: no '$OK_TEXT'; $(pf_run_output)"
grep -Fxv -- "$OK_TEXT" "$PF_OUT" >"$PF_TMP/effective.conf" || :
pf_run 10 -t -f "$PF_TMP/effective.conf"
[ "$PF_STATUS" = 0 ] ||
	pf_fail "what -t printed is not a valid config: $(cat "$PF_TMP/effective.conf"); $(pf_run_output)"
# ... and the same configuration: -t on it prints it again, unchanged.
grep -Fxv -- "$OK_TEXT" "$PF_OUT" >"$PF_TMP/effective2.conf" || :
diff -u "$PF_TMP/effective.conf" "$PF_TMP/effective2.conf" >&2 ||
	pf_fail "-t on what -t printed gives another configuration"
other=$(pf_free_port)
pf_run 10 -t -f "$good" -p "$other" -w 3
[ "$PF_STATUS" = 0 ] || pf_fail "-t -p $other -w 3: want 0; $(pf_run_output)"
grep -Eq -- "$(re_setting port "$other")" "$PF_OUT" ||
	pf_fail "-t -p $other does not print 'port = $other'; $(pf_run_output)"
grep -Eq -- "$(re_setting workers 3)" "$PF_OUT" ||
	pf_fail "-t -w 3 does not print 'workers = 3'; $(pf_run_output)"
pf_note "-t on a loopback config: prints the effective port and overrides"

version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
[ -n "$version" ] || pf_fail "no version in $top_srcdir/configure.ac"
pf_run 5 -V
[ "$PF_STATUS" = 0 ] || pf_fail "-V: want 0; $(pf_run_output)"
grep -Fq -- "$version" "$PF_OUT" "$PF_ERR" || pf_fail "-V does not print $version; $(pf_run_output)"
pf_run 5 -h
[ "$PF_STATUS" = 0 ] || pf_fail "-h: want 0; $(pf_run_output)"
grep -Eiq -- "$RE_USAGE" "$PF_OUT" "$PF_ERR" || pf_fail "-h prints no usage; $(pf_run_output)"
pf_note "-V prints $version, -h a usage"

[ "$PROBLEMS" = 0 ] || pf_fail "$PROBLEMS of the cases above went wrong"
