#!/usr/bin/env bash
# unit-tests.sh B PROGRAM... -- the CUnit suites of the shared code and of each
# program, sanitised.  Tangled from chapters/p8-build.nw.
set -euo pipefail
B=$1
shift
echo "check: CUnit suite of the shared code (AddressSanitizer + UndefinedBehaviorSanitizer)"
"$B/san/test-support"
for p in "$@"; do
    echo "check: CUnit suite of $p (AddressSanitizer + UndefinedBehaviorSanitizer)"
    d=$(mktemp -d)
    trap 'rm -rf "$d"' EXIT
    PROGRAM=$(realpath "$B/san/$p") TESTDIR=$d "$B/san/test-$p"
    rm -rf "$d"
    trap - EXIT
done
