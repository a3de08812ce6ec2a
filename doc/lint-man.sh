#!/bin/sh
# lint-man.sh - check the manual pages with mandoc -T lint.
#
#   sh lint-man.sh [PAGE...]
#
# Lints each PAGE (by default the ones named in $MAN_PAGES, which
# doc/Makefile.am sets to the generated pages) and fails if mandoc reports
# anything at level warning or above, or cannot read a page.  Style
# suggestions are not counted.  Exit status as the automake test driver
# reads it: 0 pass, 1 fail, 77 skip (no mandoc; $MANDOC names another).

MANDOC=${MANDOC:-mandoc}

if [ $# -eq 0 ]; then
	# shellcheck disable=SC2086	# a list of file names, split on purpose
	set -- ${MAN_PAGES:?no pages given and MAN_PAGES is not set}
fi
if ! command -v "$MANDOC" >/dev/null 2>&1; then
	echo "SKIP: $MANDOC not found; install mandoc to lint the manual pages"
	exit 77
fi

status=0
for page in "$@"; do
	if [ ! -r "$page" ]; then
		echo "FAIL: $page: cannot read it"
		status=1
		continue
	fi
	# -W warning: report warnings, errors and worse; exit 0 only if none.
	out=$("$MANDOC" -T lint -W warning "$page" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || [ -n "$out" ]; then
		printf '%s\n' "$out"
		echo "FAIL: $page: mandoc -T lint -W warning exited $rc"
		status=1
	else
		echo "PASS: $page: no mandoc warnings"
	fi
done
exit $status
