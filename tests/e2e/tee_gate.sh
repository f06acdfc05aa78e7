# The lifecycle gate of tee init/keygen/reset: refused (exit 3) once the
# TPM (a swtpm whose record tpm2-tools writes) says the device is secured;
# using the keys, status and list stay allowed. Over SoftHSM2, so that the
# target flavour runs it too.
. "$PB_TESTS/e2e/lib.sh"
needs_cmd swtpm tpm2_nvdefine tpm2_nvwrite tpm2_nvwritelock tpm2_getrandom openssl
. "$PB_TESTS/e2e/lib-swtpm.inc"
start_swtpm "$PB_WORK/swtpm"
T="--tpm $SWTPM_URI"
M=/usr/lib/softhsm/libsofthsm2.so
[ -r "$M" ] || fail "SoftHSM2 missing (make deps installs softhsm2)"
mkdir -p hsm/tokens
printf 'directories.tokendir = %s/hsm/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$PB_WORK" > hsm/conf
export SOFTHSM2_CONF="$PB_WORK/hsm/conf" PROVBOX_SO_PIN=so-pin-1234 PROVBOX_NEW_PIN=1234
TEE="pkcs11:$M,token=token0"

note "provisioning: init, init-pin, keygen pass the gate"
pb tee init $T --tee "pkcs11:$M" --label token0 > /dev/null
pb tee init-pin --tee "$TEE" > /dev/null
PROVBOX_PIN=1234 pb tee keygen $T --tee "$TEE" --key tee:key0 > /dev/null

note "secured (record written by tpm2-tools): init, keygen, reset refused with exit 3"
printf '\000\000\060\000' > rec.bin
tpm2_nvdefine 0x01900002 -C o -s 4 -a "ownerwrite|ownerread|authread|no_da|writedefine" > /dev/null
tpm2_nvwrite 0x01900002 -C o -i rec.bin
tpm2_nvwritelock 0x01900002 -C o
expect_exit 3 pb tee init $T --tee "pkcs11:$M" --label token1
expect_one_line_error tee
expect_stderr "provbox: tee: init: refused: device is secured"
expect_exit 3 env PROVBOX_PIN=1234 "$PROVBOX" tee keygen $T --tee "$TEE" --key tee:key1
expect_stderr "keygen: refused"
expect_exit 3 pb tee reset $T --tee "$TEE"
expect_stderr "reset: refused"

note "always allowed: the key signs, status, list"
PROVBOX_PIN=1234 pb csr --tee "$TEE" --key tee:key0 --subject /CN=secured --out dev.csr
openssl req -in dev.csr -noout -verify 2>&1 | grep -q "verify OK" || fail "CSR when secured"
pb tee status --tee "$TEE" | grep -q "'token0'" || fail "status"
PROVBOX_PIN=1234 pb tee list --tee "$TEE" | grep -q "^key0 " || fail "list"
PROVBOX_PIN=1234 pb tee list --tee "$TEE" | grep -q "^key1 " && fail "a refused keygen made a key"
exit 0
