# The HAL conformance suite (tests/unit/test_hal_conformance.c) once more
# with its "tpm swtpm" row: a real swtpm, verified by BearSSL and openssl.
# Needs the unit-test binary beside $PROVBOX (build/, build/asan/).
. "$PB_TESTS/e2e/lib.sh"
UT="$(dirname "$PROVBOX")/unit-tests"
[ -x "$UT" ] || skip "no unit-tests binary beside $PROVBOX"
needs_cmd swtpm tpm2_getrandom openssl
. "$PB_TESTS/e2e/lib-swtpm.inc"
start_swtpm "$PB_WORK/swtpm"
# one job: the rows share this one TPM and its handles
PB_TEST_SWTPM_URI="$SWTPM_URI" "$UT" --jobs 1 --filter 'hal_conformance/*' > out.txt 2>&1 \
	|| { cat out.txt >&2; fail "conformance suite over swtpm"; }
grep -q "Tested: 3 | Passing: 3 | Failing: 0" out.txt || { cat out.txt >&2; fail "suite summary"; }
