#!/bin/sh
# Run every tests/e2e/*.sh against the real binary ($PROVBOX), each in a
# fresh temporary directory; print one line per test and a summary.
# PB_E2E_TARGET=1: the SIM=0 flavour, tests that need a simulator skip.
# PB_SUITE=install: tests/install/*.sh instead (make check-install).
# Arguments, if any, select tests by name (tests/run-e2e.sh multicall).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${PROVBOX:?set PROVBOX to the binary under test}"
export PROVBOX PB_TESTS="$here"
suite=${PB_SUITE:-e2e}
pass=0 fail=0 skip=0 failed=""
if [ $# -gt 0 ]; then
	list=""; for n in "$@"; do list="$list $here/$suite/$n.sh"; done
else
	list=$(ls "$here/$suite"/*.sh | grep -v '/lib\.sh$')
fi
for t in $list; do
	name=$(basename "$t" .sh)
	dir=$(mktemp -d "${TMPDIR:-/tmp}/pb-e2e-$name.XXXXXX")
	log="$dir.log"
	start=$(date +%s)
	( cd "$dir" && PB_WORK="$dir" sh "$t" ) >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "  ok    $name (${secs}s)"; rm -rf "$dir" "$log" ;;
	77) skip=$((skip + 1)); echo "  skip  $name: $(tail -1 "$log")"; rm -rf "$dir" "$log" ;;
	*) fail=$((fail + 1)); failed="$failed $name"; echo "  FAIL  $name (exit $rc, log: $log)"
	   sed 's/^/      | /' "$log" | tail -40 ;;
	esac
done
echo "$suite: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] || { echo "$suite failures:$failed"; exit 1; }
