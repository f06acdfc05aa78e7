# tests/e2e/lib.sh - sourced by every end-to-end test.
# Each test runs in its own empty directory ($PB_WORK) with its own state
# directory; it exits 0 on success, 77 to skip, anything else to fail.
set -eu
export PROVBOX_STATE="$PB_WORK/state"
unset PROVBOX_PIN PROVBOX_NEW_PIN 2>/dev/null || true

pb() { "$PROVBOX" "$@"; }

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }
note() { echo "--- $*"; }

# expect_exit CODE CMD...: run CMD, require its exit code; stderr is kept
# in $PB_WORK/stderr for checks.
expect_exit() {
	want=$1; shift
	set +e
	"$@" 2>"$PB_WORK/stderr"
	got=$?
	set -e
	if [ "$got" != "$want" ]; then
		cat "$PB_WORK/stderr" >&2
		fail "'$*' exited $got, expected $want"
	fi
}

# The last failure printed exactly one line "provbox: APPLET: ...".
expect_one_line_error() {
	n=$(grep -c . "$PB_WORK/stderr" || true)
	[ "$n" = 1 ] || { cat "$PB_WORK/stderr" >&2; fail "expected one error line, got $n"; }
	grep -q "^provbox: $1: " "$PB_WORK/stderr" || { cat "$PB_WORK/stderr" >&2; fail "error line does not start with 'provbox: $1: '"; }
}

expect_stderr() {
	grep -q -- "$1" "$PB_WORK/stderr" || { cat "$PB_WORK/stderr" >&2; fail "stderr lacks '$1'"; }
}

assert_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: '$1' != '$2'"; }

assert_mode() {
	m=$(stat -c %a "$1")
	[ "$m" = "$2" ] || fail "$1 has mode $m, expected $2"
}

# Tests that need the simulated backends skip in the SIM=0 flavour.
needs_sim() { [ "${PB_E2E_TARGET:-0}" != 1 ] || skip "needs the simulators (SIM=0 build)"; }
needs_cmd() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 || fail "missing tool $c (make deps installs it)"; done; }

# A free TCP port on loopback.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
	|| awk 'BEGIN{srand(); print 20000 + int(rand()*20000)}'
}

# The lifecycle gate of provisioning-only operations (token create/import/
# remove, ...) asks the TPM. With the simulators that is --tpm sim, the
# default; the SIM=0 flavour has none, so there a swtpm of the test's own
# stands in and $PB_TPM_OPT names it ("" with the simulators).
gate_tpm() {
	PB_TPM_OPT=
	[ "${PB_E2E_TARGET:-0}" = 1 ] || return 0
	needs_cmd swtpm tpm2_getrandom
	. "$PB_TESTS/e2e/lib-swtpm.inc"
	start_swtpm "$PB_WORK/swtpm"
	PB_TPM_OPT="--tpm $SWTPM_URI"
}
