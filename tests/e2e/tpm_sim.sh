# The default TPM: libtpms in-process, its NV state in STATE/tpm. The CSR
# flow in a fresh state dir; the persistent key survives into the next
# process; deleting the state dir loses it; a damaged state file is
# reported and left as it was.
. "$PB_TESTS/e2e/lib.sh"
needs_sim
needs_cmd openssl cmp

note "fresh state: create the key and the CSR"
pb csr --key tpm:0x81000002 --create --subject "/CN=serial:2026-0001" --out dev.csr
assert_mode dev.csr 644
assert_mode "$PROVBOX_STATE/tpm/permall" 600
assert_mode "$PROVBOX_STATE/tpm" 700
openssl req -in dev.csr -verify -noout 2>&1 | grep -q "verify OK" || fail "openssl req -verify"
pb csr --verify dev.csr | grep -q OK
openssl req -in dev.csr -pubkey -noout > key1.pem

note "the CA issues the device certificate for the TPM key; self-signing with it works too"
pb pki-gen init --profile trustme --out pki > /dev/null
pb pki-gen issue --ca pki/dev_subca --csr dev.csr --profile device --days 365 --out dev.crt
openssl verify -CAfile pki/gen_rootca.crt -untrusted pki/dev_subca.crt dev.crt > /dev/null || fail "chain"
openssl x509 -in dev.crt -noout -pubkey | cmp -s - key1.pem || fail "certificate is not for the TPM key"
pb pki-gen selfsign --key tpm:0x81000002 --subject /CN=serial:2026-0001 --out self.crt
openssl verify -CAfile self.crt self.crt > /dev/null || fail "TPM self-signed certificate"
openssl x509 -in self.crt -noout -pubkey | cmp -s - key1.pem || fail "self-signed with another key"

note "--tpm sim is the default"
pb csr --tpm sim --key tpm:0x81000002 --subject /CN=explicit --out explicit.csr
openssl req -in explicit.csr -pubkey -noout | cmp -s - key1.pem || fail "--tpm sim differs from the default"

note "a second process uses the persisted key"
pb csr --key tpm:0x81000002 --subject "/CN=serial:2026-0001" --out again.csr
openssl req -in again.csr -pubkey -noout | cmp -s - key1.pem || fail "key not persisted"

note "--create refuses the taken handle, --force replaces the key"
expect_exit 1 pb csr --key tpm:0x81000002 --create --subject /CN=x --out refused.csr
expect_one_line_error csr
expect_stderr "tpm:0x81000002: a key exists at this handle (use --force to replace it)"
[ ! -e refused.csr ] || fail "refused create wrote a CSR"
pb csr --key tpm:0x81000002 --create --force --subject /CN=x --out forced.csr
if openssl req -in forced.csr -pubkey -noout | cmp -s - key1.pem; then fail "--force kept the key"; fi

note "RSA 2048 and an SRK of RSA 2048"
pb csr --tpm sim:srk=rsa-2048 --key tpm:0x81000003 --create --alg rsa-2048 --subject /CN=rsa --out rsa.csr
openssl req -in rsa.csr -verify -noout -text 2>&1 | grep -q "rsaEncryption" || fail "RSA CSR"

note "another state dir is another TPM"
expect_exit 1 pb csr --state "$PB_WORK/other" --key tpm:0x81000002 --subject /CN=x --out other.csr
expect_one_line_error csr
expect_stderr "key tpm:0x81000002: not found"

note "a damaged state file: one line, exit 1, file untouched"
cp "$PROVBOX_STATE/tpm/permall" good
cp good bad
printf 'X' | dd of=bad bs=1 seek=300 conv=notrunc 2>/dev/null
cmp -s good bad && fail "damage did not change the file"
cp bad "$PROVBOX_STATE/tpm/permall"
expect_exit 1 pb csr --key tpm:0x81000002 --subject /CN=x --out damaged.csr
expect_one_line_error csr
expect_stderr "tpm/permall: corrupted state (checksum mismatch)"
cmp -s bad "$PROVBOX_STATE/tpm/permall" || fail "the damaged state file was rewritten"
[ ! -e damaged.csr ] || fail "wrote a CSR from a damaged TPM"
head -c 20 good > "$PROVBOX_STATE/tpm/permall"
expect_exit 1 pb csr --key tpm:0x81000002 --subject /CN=x --out damaged.csr
expect_one_line_error csr
expect_stderr "not a provbox TPM state file"
cp good "$PROVBOX_STATE/tpm/permall"
pb csr --key tpm:0x81000002 --subject /CN=x --out restored.csr

note "deleting the state dir loses the key"
rm -rf "$PROVBOX_STATE"
expect_exit 1 pb csr --key tpm:0x81000002 --subject /CN=x --out lost.csr
expect_one_line_error csr
expect_stderr "key tpm:0x81000002: not found"
