#!/bin/sh
# Run every tests/e2e/*.sh against the real binary ($PROVBOX), each in a
# fresh temporary directory; print one line per test and a summary.
# PB_E2E_TARGET=1: the SIM=0 flavour, tests that need a simulator skip.
# PB_SUITE=install: tests/install/*.sh instead (make check-install).
# PB_E2E_JOBS=N: tests run N at a time (default: the core count); each has
# its own directory, state and loopback ports, and many mostly wait (kill -9
# trials, timeouts, servers), so running them side by side saves wall time.
# Arguments, if any, select tests by name (tests/run-e2e.sh multicall).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${PROVBOX:?set PROVBOX to the binary under test}"
export PROVBOX PB_TESTS="$here"
suite=${PB_SUITE:-e2e}

# One test: its status line on stdout, its exit code in RESULTS/NAME.
if [ "${1:-}" = --one ]; then
	t=$2 results=$3
	name=$(basename "$t" .sh)
	dir=$(mktemp -d "${TMPDIR:-/tmp}/pb-e2e-$name.XXXXXX")
	log="$dir.log"
	start=$(date +%s)
	( cd "$dir" && PB_WORK="$dir" sh "$t" ) >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) echo "  ok    $name (${secs}s)"; rm -rf "$dir" "$log" ;;
	77) echo "  skip  $name: $(tail -1 "$log")"; rm -rf "$dir" "$log" ;;
	*) echo "  FAIL  $name (exit $rc, ${secs}s, log: $log)"; echo "$log" > "$results/$name.log" ;;
	esac
	echo $rc > "$results/$name"
	exit 0
fi

if [ $# -gt 0 ]; then
	list=""; for n in "$@"; do list="$list $here/$suite/$n.sh"; done
else
	list=$(ls "$here/$suite"/*.sh | grep -v '/lib\.sh$')
fi
jobs=${PB_E2E_JOBS:-$(nproc 2>/dev/null || echo 1)}
results=$(mktemp -d "${TMPDIR:-/tmp}/pb-e2e-results.XXXXXX")
trap 'rm -rf "$results"' EXIT
printf '%s\n' $list | xargs -P "$jobs" -I{} sh "$0" --one {} "$results"

pass=0 fail=0 skip=0 failed=""
for t in $list; do
	name=$(basename "$t" .sh)
	rc=$(cat "$results/$name" 2>/dev/null || echo 127)
	case $rc in
	0) pass=$((pass + 1)) ;;
	77) skip=$((skip + 1)) ;;
	*) fail=$((fail + 1)); failed="$failed $name"
	   if [ -f "$results/$name.log" ]; then
		echo "--- $name (exit $rc): last lines of $(cat "$results/$name.log")"
		sed 's/^/      | /' "$(cat "$results/$name.log")" | tail -40
	   fi ;;
	esac
done
echo "$suite: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] || { echo "$suite failures:$failed"; exit 1; }
