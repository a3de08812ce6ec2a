#!/bin/bash
#
# run.sh - build and run the libFuzzer targets (tests/fuzz/fuzz_*.c).
#
# Each target is built with clang, libFuzzer, ASan and UBSan, then run for
# a fixed time on a copy of its seed corpus (tests/fuzz/corpus/<name>/, so
# the corpus in the tree is never modified).  Exits 0 when every target
# built and ran clean, 1 when one failed to build or found a crash (its
# reproducer is kept in the build directory), 77 without clang.

set -u

usage() {
	cat <<EOF
usage: $0 [SECONDS] [TARGET...]

Builds and runs each tests/fuzz/fuzz_<name>.c for SECONDS (default 60);
all of them when no TARGET is given.  A TARGET is fuzz_<name>, <name> or
the path of the source file.

The tree must be configured first (./configure): the targets include the
top directory's config.h.

Environment:
  FUZZ_BUILD   where the build directories go (default /tmp); each run
               gets its own preforkd-fuzz.XXXXXX in it, removed when every
               target ran clean, kept otherwise
  CC           the compiler (default clang; it must support -fsanitize=fuzzer)
EOF
}

case "${1:-}" in
-h|--help)
	usage
	exit 0
	;;
esac

seconds=60
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
	seconds=$1
	shift
fi
if [ "$seconds" -lt 1 ]; then
	echo "$0: SECONDS must be at least 1" >&2
	exit 2
fi

fuzzdir=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$fuzzdir/../.." && pwd)
cc=${CC:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "$0: $cc not found; install it (apt-get install clang)" >&2
	exit 77
fi
if [ ! -f "$top/config.h" ]; then
	echo "$0: $top/config.h is missing: run ./configure first" >&2
	exit 2
fi

# The module sources a target links with.
sources_for() {
	case "$1" in
	fuzz_http_parse)	echo "src/http_parse.c" ;;
	fuzz_http_path)		echo "src/http_path.c" ;;
	*)			echo "src/${1#fuzz_}.c" ;;
	esac
}

targets=()
if [ $# -eq 0 ]; then
	for f in "$fuzzdir"/fuzz_*.c; do
		[ -e "$f" ] && targets+=("$(basename "$f" .c)")
	done
else
	for t in "$@"; do
		t=$(basename "$t" .c)
		targets+=("fuzz_${t#fuzz_}")
	done
fi
if [ ${#targets[@]} -eq 0 ]; then
	echo "$0: no fuzz targets in $fuzzdir" >&2
	exit 2
fi

build=$(mktemp -d "${FUZZ_BUILD:-/tmp}/preforkd-fuzz.XXXXXX") || exit 2
cflags=(-g -O1 -fsanitize=fuzzer,address,undefined
    -fno-sanitize-recover=undefined -I "$top/src" -I "$top")
failed=0

for t in "${targets[@]}"; do
	name=${t#fuzz_}
	src="$fuzzdir/$t.c"
	work="$build/$t"
	mkdir -p "$work/corpus" "$work/artifacts"

	srcs=()
	for s in $(sources_for "$t"); do
		srcs+=("$top/$s")
	done
	echo "== $t: building"
	if [ ! -f "$src" ]; then
		echo "== $t: FAILED: no $src"
		failed=1
		continue
	fi
	if ! "$cc" "${cflags[@]}" "$src" "${srcs[@]}" -o "$work/$t" \
	    >"$work/build.log" 2>&1; then
		cat "$work/build.log"
		echo "== $t: FAILED to build"
		failed=1
		continue
	fi

	if [ -d "$fuzzdir/corpus/$name" ]; then
		cp -R "$fuzzdir/corpus/$name/." "$work/corpus/"
	else
		echo "== $t: no seed corpus in tests/fuzz/corpus/$name"
	fi
	echo "== $t: running for ${seconds}s"
	"$work/$t" -max_total_time="$seconds" -print_final_stats=1 \
	    -artifact_prefix="$work/artifacts/" "$work/corpus" \
	    >"$work/fuzz.log" 2>&1
	rc=$?

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$work/fuzz.log" | tail -n 1)
	if [ -z "$execs" ]; then
		execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' \
		    "$work/fuzz.log" | tail -n 1)
	fi
	crashes=$(find "$work/artifacts" -type f | wc -l)
	echo "== $t: ${execs:-?} executions in ${seconds}s," \
	    "corpus $(find "$work/corpus" -type f | wc -l) inputs"
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
		grep -E -A 30 '^==[0-9]+==ERROR|runtime error|deadly signal' \
		    "$work/fuzz.log" | head -n 60
		echo "== $t: CRASH (exit $rc); reproducers:"
		find "$work/artifacts" -type f -printf '   %p\n'
		echo "   log: $work/fuzz.log"
		echo "   rerun: $work/$t <reproducer>"
		failed=1
	else
		echo "== $t: no crash"
	fi
done

if [ "$failed" -eq 0 ]; then
	rm -rf "$build"
	exit 0
fi
echo "build directory kept: $build"
exit 1
