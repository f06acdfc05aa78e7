# lifecycle: assembly -> provisioning -> secured with the simulated TPM; then
# every provisioning-only operation is exit 3 and leaves the state dir
# byte-identical but for the TPM's NV; restoring old copies of the state
# dir's files does not bring provisioning mode back; the authority record.
. "$PB_TESTS/e2e/lib.sh"
needs_sim
needs_cmd openssl python3

S=$PROVBOX_STATE
# snapshot NAME: a copy of the state dir
snapshot() { rm -rf "$1"; cp -a "$S" "$1"; }
# same_but_nv SNAPSHOT: the state dir equals it, except tpm/permall
same_but_nv() {
	diff -r -x permall "$1" "$S" > diff.out || { cat diff.out >&2; fail "state dir changed ($2)"; }
}
state_is() { assert_eq "$(pb lifecycle status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')" "$1" "${2:-state}"; }

note "a fresh device is assembly; nothing is recorded by status"
pb lifecycle status > st.txt
grep -q "^state: assembly (PSA 0x1000), provisioning mode$" st.txt || { cat st.txt; fail "fresh status"; }
grep -q "^rollback protection: " st.txt || fail "no rollback protection line"
pb lifecycle status --json > st.json
python3 - <<'EOF' || fail "status --json"
import json
s = json.load(open("st.json"))
assert s["state"] == "assembly" and s["psa"] == "0x1000" and s["authority"] == "tpm", s
assert s["authority_recorded"] is False and s["provisioning_mode"] is True, s
EOF
[ ! -e "$S/lifecycle/authority" ] || fail "status recorded the authority"
snapshot snap-assembly
pb pki-gen init --profile trustme --out pki > /dev/null

note "advance: forward through each state, the same again changes nothing, backward is exit 3"
expect_exit 2 pb lifecycle advance production
expect_exit 2 pb lifecycle advance
pb lifecycle advance provisioning | grep -q "assembly -> provisioning" || fail "advance"
assert_mode "$S/lifecycle/authority" 600
state_is provisioning
snapshot snap-prov0
pb lifecycle advance provisioning | grep -q "unchanged" || fail "same state again"
same_but_nv snap-prov0 "advance to the current state"
expect_exit 3 pb lifecycle advance assembly
expect_one_line_error lifecycle
expect_stderr "only moves forward"
same_but_nv snap-prov0 "backward advance"
state_is provisioning

note "provisioning: anchors, device key and certificate, token"
pb certstore add --kind device pki/gen_rootca.crt > /dev/null
pb certstore add --kind guestos pki/gen_rootca.crt > /dev/null
pb csr --key tpm:0x81000002 --create --subject /CN=serial:2026-0001 --out dev.csr
pb pki-gen issue --ca pki/dev_subca --csr dev.csr --profile device --days 30 --out dev.crt > /dev/null
pb certstore install --cert dev.crt --key tpm:0x81000002 --chain pki/dev_subca.crt > /dev/null
pb token create --dev > /dev/null 2>&1
PROVBOX_PIN=trustme pb token wrap --name core0
snapshot snap-prov

note "complete: secured"
pb lifecycle complete | grep -q "provisioning -> secured" || fail "complete"
state_is secured
pb lifecycle complete | grep -q unchanged || fail "complete again"
expect_exit 3 pb lifecycle advance provisioning
snapshot snap-secured

note "every provisioning-only operation is exit 3, one line, nothing changed"
refused() {
	expect_exit 3 "$@"
	expect_one_line_error "$2"
	expect_stderr "refused: device is secured (provisioning completed)"
	same_but_nv snap-secured "$*"
}
refused pb certstore add --kind device pki/dev_subca.crt
grep -qx "provbox: certstore: add: refused: device is secured (provisioning completed)" "$PB_WORK/stderr" \
	|| fail "the one message"
refused pb certstore add --kind device pki/gen_rootca.crt
refused pb certstore remove --kind device "$(openssl x509 -in pki/gen_rootca.crt -outform DER | sha256sum | cut -c1-64)"
refused pb certstore install --cert dev.crt --key tpm:0x81000002 --chain pki/dev_subca.crt
refused pb csr --key tpm:0x81000003 --create --subject /CN=x --out x.csr
refused pb csr --key tee:key9 --create --subject /CN=x --out x.csr
refused pb token create --dev
refused pb token remove --force
[ ! -e x.csr ] || fail "a refused csr wrote its output"
# a file: key is a provisioning station's software key, not the device's: not gated
pb csr --key file:station.key --create --subject /CN=station --out station.csr

note "normal operation still works"
pb certstore list > /dev/null
pb certstore verify --kind device dev.crt --chain pki/dev_subca.crt > /dev/null
pb csr --key tpm:0x81000002 --subject /CN=serial:2026-0001 --out again.csr
PROVBOX_PIN=trustme pb token unlock
PROVBOX_PIN=trustme pb token unwrap --name core0 --hex > /dev/null
same_but_nv snap-secured "normal operations"

note "the options do not choose the backend once the authority is recorded"
pb lifecycle status --tpm device:/nonexistent/tpm | grep -q "^state: secured" || fail "--tpm changed the authority"
expect_exit 3 pb certstore add --kind device pki/dev_subca.crt --tpm device:/nonexistent/tpm
pb lifecycle status --json --tpm device:/nonexistent/tpm | grep -q '"authority_uri": "sim"' || fail "authority uri"

note "restoring old copies of every file but the TPM NV does not reopen provisioning"
cp "$S/tpm/permall" nv.now
for old in snap-assembly snap-prov0 snap-prov; do
	rm -rf "$S"; cp -a "$old" "$S"; cp nv.now "$S/tpm/permall"
	state_is secured "after restoring $old"
	expect_exit 3 pb certstore add --kind device pki/dev_subca.crt
	expect_exit 3 pb csr --key tpm:0x81000003 --create --subject /CN=x --out x.csr
done

note "tampering with the authority record is exit 5"
rm -rf "$S"; cp -a snap-secured "$S"
rm "$S/lifecycle/authority"
expect_exit 5 pb lifecycle status
expect_one_line_error lifecycle
expect_stderr "no lifecycle authority record"
expect_exit 5 pb certstore add --kind device pki/dev_subca.crt
expect_exit 5 pb lifecycle advance provisioning
[ ! -e "$S/lifecycle/authority" ] || fail "a tampered state dir got a new authority record"
cp snap-secured/lifecycle/authority "$S/lifecycle/authority"
sed -i 's/^uri sim$/uri swtpm:host=127.0.0.1,port=1/' "$S/lifecycle/authority"
expect_exit 5 pb lifecycle status
expect_stderr "checksum does not match"
printf 'junk\n' > "$S/lifecycle/authority"
expect_exit 5 pb certstore add --kind device pki/dev_subca.crt
cp snap-secured/lifecycle/authority "$S/lifecycle/authority"
state_is secured "restored authority record"
