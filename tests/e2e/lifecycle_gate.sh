# The lifecycle gate of token create/import/remove, against a swtpm whose
# lifecycle record tpm2-tools writes: the TPM's NV decides, not a file.
. "$PB_TESTS/e2e/lib.sh"
needs_cmd swtpm tpm2_nvdefine tpm2_nvwrite tpm2_nvwritelock tpm2_getrandom
. "$PB_TESTS/e2e/lib-swtpm.inc"
start_swtpm "$PB_WORK/swtpm"
T="--tpm $SWTPM_URI"

# record STATE PSA-HEX-BYTES: write the lifecycle record of STATE as
# hal/lifecycle_nv.c does (write-once owner index 0x01900000 + state:
# a write counts once the index is write-locked).
record() {
	printf "$2" > rec.bin
	tpm2_nvdefine "$1" -C o -s 4 -a "ownerwrite|ownerread|authread|no_da|writedefine" >/dev/null
	tpm2_nvwrite "$1" -C o -i rec.bin
	tpm2_nvwritelock "$1" -C o
}

note "assembly (no record): provisioning-only operations pass"
pb token create $T --dev > /dev/null 2>&1
pb token create $T --name spare --dev > /dev/null 2>&1
openssl pkcs12 -in "$PROVBOX_STATE/tokens/device.p12" -passin pass:trustme -nokeys -out dev-cert.pem 2>/dev/null \
	|| fail "token pkcs12"

note "secured (record written by tpm2-tools): create, import, remove refused with exit 3"
record 0x01900002 '\000\000\060\000'
expect_exit 3 pb token create $T --name late --dev
expect_one_line_error token
expect_stderr "provbox: token: create: refused: device is secured (provisioning completed)"
[ ! -e "$PROVBOX_STATE/tokens/late.p12" ] || fail "a refused create wrote a token"
expect_exit 3 pb token remove $T --name spare
expect_stderr "remove: refused: device is secured"
[ -e "$PROVBOX_STATE/tokens/spare.p12" ] || fail "a refused remove removed the token"
expect_exit 3 env PROVBOX_PIN=trustme "$PROVBOX" token import $T "$PROVBOX_STATE/tokens/spare.p12" --name imp
expect_stderr "import: refused: device is secured"

note "always allowed: unlock, wrap, list"
PROVBOX_PIN=trustme pb token unlock $T | grep -q "PIN correct" || fail "unlock refused when secured"
PROVBOX_PIN=trustme pb token wrap --name rootfs > /dev/null
pb token list | grep -q "^device" || fail "list"

note "decommissioned: refused, says so"
record 0x01900003 '\000\000\140\000'
expect_exit 3 pb token create $T --name late --dev
expect_stderr "create: refused: device is decommissioned"

note "a record that is not ours is tampering: exit 5"
stop_swtpm
start_swtpm "$PB_WORK/swtpm2"
# a new device: the first state dir has recorded the first swtpm as its
# lifecycle authority (SPEC section 3) and would keep asking that one
export PROVBOX_STATE="$PB_WORK/state2"
T="--tpm $SWTPM_URI"
record 0x01900001 '\000\000\000\001'
expect_exit 5 pb token create $T --name odd --dev
expect_stderr "lifecycle record 'provisioning'"

note "a TPM that cannot be opened: exit 1, naming the backend, nothing written"
expect_exit 1 pb token create --tpm swtpm:port=1 --name nope --dev
expect_one_line_error token
expect_stderr "create: lifecycle: tpm backend"
[ ! -e "$PROVBOX_STATE/tokens/nope.p12" ] || fail "created a token without asking the lifecycle"
if [ "${PB_E2E_TARGET:-0}" = 1 ]; then
	expect_exit 1 pb token create --name nope --dev
	expect_stderr "create: lifecycle: tpm backend: simulator not in this build"
fi
