# The three examples/provision-*.sh twice on the same WORK: both runs exit
# 0, the second finds every step holding (or skips the provisioning of a
# secured device), and changes nothing: the same files with the same
# modes, and the same bytes except in files that legitimately change on
# every use of the simulated hardware:
#  - state/tpm/permall: libtpms saves its NV state (clock, orderly-shutdown
#    state) at every TPM start, so every command that asks the TPM's
#    lifecycle gate writes it;
#  - state/tee/dirf.db: the simulated REE FS index holds the PIN try
#    counter, written before each user-PIN login and reset after it (so a
#    power cut gives no free try), re-encrypted under a fresh GCM nonce;
#  - hsm/tokens/*/token.object: SoftHSM2 rewrites its token object at a
#    user login.
# log/ is the run's own output (log, s_server log, connect's output).
. "$PB_TESTS/e2e/lib.sh"
needs_sim
needs_cmd openssl python3 timeout
ex=$(cd "$PB_TESTS/../examples" && pwd)

snapshot() {
	(cd "$1" && find . -path ./log -prune -o -printf '%p %y %m\n' | LC_ALL=C sort &&
		find . -path ./log -prune -o -type f ! -path ./state/tpm/permall ! -path ./state/tee/dirf.db \
			! -path './hsm/tokens/*/token.object' -print | LC_ALL=C sort | xargs -r sha256sum)
}

# twice NAME SCRIPT [VAR=VALUE...]: run SCRIPT twice on WORK=$PB_WORK/NAME
twice() {
	name=$1 script=$2; shift 2
	w=$PB_WORK/$name
	note "$name: first run"
	env "$@" WORK="$w" "$ex/$script" > "$name.1" 2>&1 || { cat "$name.1"; fail "$name: first run"; }
	snapshot "$w" > "$name.snap1"
	note "$name: second run"
	env "$@" WORK="$w" "$ex/$script" > "$name.2" 2>&1 || { cat "$name.2"; fail "$name: second run"; }
	snapshot "$w" > "$name.snap2"
	diff "$name.snap1" "$name.snap2" || { cat "$name.2"; fail "$name: the second run changed the state or work dir"; }
	grep -q "FAILED" "$name.1" "$name.2" && fail "$name: a FAILED line" || true
	[ "$(wc -l < "$name.snap1")" -gt 20 ] || fail "$name: snapshot too small"
}

twice trustme provision-trustme.sh
grep -q "lifecycle complete ... secured (PSA 0x3000)" trustme.1 || { cat trustme.1; fail "trustme: not secured"; }
grep -q "lifecycle status ... secured: the provisioning steps are skipped" trustme.2 || { cat trustme.2; fail "trustme: no skip line"; }
for f in trustme.1 trustme.2; do
	grep -q "certstore add --kind device pki/dev_subca.crt ... refused, exit 3" $f || fail "$f: add not refused"
	grep -q "the server saw CN=serial:2026-0001, signed by the TPM key" $f || fail "$f: no TLS proof"
done
[ -s trustme/state/certstore/index ] || fail "trustme: no certstore"

twice welma-sim provision-welma.sh TEE=sim
twice welma-softhsm provision-welma.sh TEE=softhsm
for f in welma-sim welma-softhsm; do
	assert_eq "$(grep -c ' \.\.\. holds: ' $f.2)" 7 "$f: steps that hold on the second run"
	assert_eq "$(grep -c ' \.\.\. holds: ' $f.1)" 0 "$f: steps that hold on the first run"
	grep -q "the server saw CN=serial:202600000000001, signed inside the TEE" $f.2 || fail "$f: no TLS proof"
done

twice psa provision-psa.sh
grep -q "^Identity key generation sample started$" psa.1 || fail "psa: sample line"
grep -q "kmu status ... Successfully verified PSA lifecycle state ASSEMBLY!" psa.1 || fail "psa: ASSEMBLY line"
grep -q "Successfully switched to PSA lifecycle state PROVISIONING!" psa.1 || fail "psa: PROVISIONING line"
grep -q "kmu status ... SECURED (0x3000): the provisioning steps are skipped" psa.2 || { cat psa.2; fail "psa: no skip line"; }
grep -q "the server saw CN=serial:nrf-2026-0001, signed inside the KMU" psa.2 || fail "psa: no TLS proof"

note "a step that fails ends its line with FAILED and the script with an error"
printf '#!/bin/sh\ncase "$*" in "lifecycle complete"*) echo injected >&2; exit 1;; esac\nexec "%s" "$@"\n' "$PROVBOX" > pbwrap
chmod +x pbwrap
expect_exit 1 env PROVBOX="$PB_WORK/pbwrap" WORK="$PB_WORK/broken" "$ex/provision-trustme.sh" > broken.1
grep -q "lifecycle complete ... FAILED (exit 1)" broken.1 || { cat broken.1; fail "no FAILED line"; }
note "and the next run resumes: every earlier step holds, then it completes"
WORK="$PB_WORK/broken" "$ex/provision-trustme.sh" > broken.2 || { cat broken.2; fail "resume"; }
assert_eq "$(grep -c ' \.\.\. holds: ' broken.2)" 11 "steps that hold after the interrupted run"
grep -q "lifecycle complete ... secured (PSA 0x3000)" broken.2 || fail "resume: not secured"
