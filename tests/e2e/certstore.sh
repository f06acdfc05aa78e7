# certstore add/remove/list, a damaged index, install and verify-signed.
. "$PB_TESTS/e2e/lib.sh"
needs_sim   # add and install ask the lifecycle gate, which asks the (simulated) TPM
needs_cmd openssl python3

ix="$PROVBOX_STATE/certstore/index"
fp() { openssl x509 -in "$1" -outform DER | sha256sum | cut -c1-64; }

pb pki-gen init --profile trustme --out pki > /dev/null

note "add: kinds, the same anchor again changes nothing, a non-CA is refused"
pb certstore add --kind device pki/gen_rootca.crt | grep -q ": added$" || fail "add"
pb certstore add --kind guestos pki/gen_rootca.crt > /dev/null
pb certstore add --kind software pki/ssig_rootca.crt > /dev/null
assert_mode "$ix" 600
assert_mode "$PROVBOX_STATE/certstore/certs/$(fp pki/gen_rootca.crt).der" 600
cp "$ix" ix.before
pb certstore add --kind device pki/gen_rootca.crt | grep -q "already present" || fail "re-add"
cmp "$ix" ix.before || fail "re-adding changed the index"
openssl x509 -in pki/gen_rootca.crt -outform DER -out root.der
pb certstore add --kind device root.der | grep -q "already present" || fail "DER re-add"
pb csr --key file:dev.key --create --subject /CN=serial:2026-0001 --out dev.csr
pb pki-gen issue --ca pki/dev_subca --csr dev.csr --profile device --days 30 --out dev.crt > /dev/null
expect_exit 5 pb certstore add --kind device dev.crt
expect_one_line_error certstore
expect_stderr "not a CA"
printf 'junk' > junk.crt
expect_exit 5 pb certstore add --kind device junk.crt
expect_exit 2 pb certstore add dev.crt
expect_exit 2 pb certstore add --kind firmware pki/gen_rootca.crt
cmp "$ix" ix.before || fail "a refused add changed the index"

note "list and list --json"
pb certstore list > list.txt
grep -q "^device .* $(fp pki/gen_rootca.crt) /O=trustme/CN=General Root CA$" list.txt || { cat list.txt; fail "list"; }
pb certstore list --json > list.json
python3 - <<'EOF' || fail "list --json"
import json
j = json.load(open("list.json"))
l = j["anchors"]
assert [a["kind"] for a in l] == ["device", "guestos", "software"], l
assert all(set(a) == {"kind", "subject", "sha256", "not_after"} for a in l), l
assert l[2]["subject"] == "/O=trustme/CN=Software Signing Root CA", l
assert j["device_certificate"] is None and j["device_chain"] == [], j
EOF

note "remove, by the fingerprint list shows (with or without colons)"
pb certstore remove --kind guestos "$(fp pki/gen_rootca.crt)" > /dev/null
expect_exit 1 pb certstore remove --kind guestos "$(fp pki/gen_rootca.crt)"
expect_exit 2 pb certstore remove --kind guestos 1234
colons=$(openssl x509 -in pki/ssig_rootca.crt -noout -fingerprint -sha256 | cut -d= -f2)
pb certstore remove --kind software "$colons" > /dev/null
[ -e "$PROVBOX_STATE/certstore/certs/$(fp pki/ssig_rootca.crt).der" ] && fail "unreferenced file left"
[ -e "$PROVBOX_STATE/certstore/certs/$(fp pki/gen_rootca.crt).der" ] || fail "file of a kept anchor removed"
assert_eq "$(pb certstore list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["anchors"]))')" 1 "anchors left"

note "a damaged index is exit 5 and is never rewritten"
cp "$ix" good.ix
for damage in flip truncate version; do
	cp good.ix "$ix"
	case $damage in
	flip) python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[30]^=1; open(sys.argv[1],"wb").write(b)' "$ix" ;;
	truncate) head -c 60 good.ix > "$ix" ;;
	version) sed -i 's/^provbox-certstore 1$/provbox-certstore 9/' "$ix" ;;
	esac
	cp "$ix" damaged.ix
	expect_exit 5 pb certstore list
	expect_one_line_error certstore
	expect_exit 5 pb certstore add --kind software pki/ssig_rootca.crt
	expect_exit 5 pb certstore verify --kind device dev.crt --chain pki/dev_subca.crt
	cmp "$ix" damaged.ix || fail "$damage: the damaged index was rewritten"
done
cp good.ix "$ix"
mv "$PROVBOX_STATE/certstore/certs/$(fp pki/gen_rootca.crt).der" saved.der
expect_exit 5 pb certstore list
expect_stderr "missing"
printf x >> saved.der; cp saved.der "$PROVBOX_STATE/certstore/certs/$(fp pki/gen_rootca.crt).der"
expect_exit 5 pb certstore verify --kind device dev.crt --chain pki/dev_subca.crt
expect_stderr "does not match its digest"
openssl x509 -in pki/gen_rootca.crt -outform DER -out "$PROVBOX_STATE/certstore/certs/$(fp pki/gen_rootca.crt).der"
pb certstore list > /dev/null

note "install: chain to a device anchor and the HAL key's public key"
pb certstore verify --kind device dev.crt --chain pki/dev_subca.crt > /dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key 2>/dev/null
cp "$ix" ix.before
expect_exit 5 pb certstore install --cert dev.crt --key file:other.key --chain pki/dev_subca.crt
expect_stderr "is not the key of file:other.key"
expect_exit 5 pb certstore install --cert dev.crt --key file:dev.key
expect_exit 1 pb certstore install --cert dev.crt --key file:nosuch.key --chain pki/dev_subca.crt
expect_exit 2 pb certstore install --cert dev.crt
cmp "$ix" ix.before || fail "a refused install changed the index"
pb certstore install --cert dev.crt --key file:dev.key --chain pki/dev_subca.crt | grep -q ": installed$" || fail "install"
cp "$ix" ix.installed
pb certstore install --cert dev.crt --key file:dev.key --chain pki/dev_subca.crt | grep -q "already installed" || fail "re-install"
cmp "$ix" ix.installed || fail "re-install changed the index"
pb pki-gen issue --ca pki/dev_subca --csr dev.csr --profile device --days 60 --out dev2.crt > /dev/null
expect_exit 1 pb certstore install --cert dev2.crt --key file:dev.key --chain pki/dev_subca.crt
expect_stderr "another device certificate"
cmp "$ix" ix.installed || fail "a refused replacement changed the index"
pb certstore install --cert dev2.crt --key file:dev.key --chain pki/dev_subca.crt --force > /dev/null
pb certstore list --json > dev.json
python3 - "$(fp dev2.crt)" "$(fp pki/dev_subca.crt)" <<'EOF' || fail "replaced device cert"
import json, sys
j = json.load(open("dev.json"))
d = j["device_certificate"]
assert d["sha256"] == sys.argv[1] and d["key"] == "file:dev.key" and d["subject"] == "/CN=serial:2026-0001", j
assert [c["sha256"] for c in j["device_chain"]] == [sys.argv[2]], j
EOF

if [ "${PB_E2E_TARGET:-0}" != 1 ]; then
	note "install with a key in the simulated TPM"
	pb csr --key tpm:0x81000002 --create --subject /CN=serial:2026-0002 --out tpm.csr
	pb pki-gen issue --ca pki/dev_subca --csr tpm.csr --profile device --days 30 --out tpm.crt > /dev/null
	expect_exit 5 pb certstore install --cert dev.crt --key tpm:0x81000002 --chain pki/dev_subca.crt --force
	pb certstore install --cert tpm.crt --key tpm:0x81000002 --chain pki/dev_subca.crt --force > /dev/null
	pb certstore install --cert tpm.crt --key tpm:0x81000002 --chain pki/dev_subca.crt | grep -q "already installed" \
		|| fail "re-install (tpm)"
fi

note "verify-signed: pki-gen sign output, by a guestos leaf"
pb certstore add --kind guestos pki/gen_rootca.crt > /dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out gos.key 2>/dev/null
pb csr --key file:gos.key --subject /CN=guestos-signer --out gos.csr
pb pki-gen issue --ca pki/guestos_subca --csr gos.csr --profile guestos --days 30 --out gos.crt > /dev/null
head -c 100000 /dev/urandom > guestos.img
pb pki-gen sign --key file:gos.key --cert gos.crt guestos.img --out guestos.img.sig
pb certstore verify-signed --kind guestos guestos.img guestos.img.sig gos.crt --chain pki/guestos_subca.crt \
	| grep -q "signature OK" || fail "verify-signed"
cp guestos.img bad.img; printf x >> bad.img
expect_exit 5 pb certstore verify-signed --kind guestos bad.img guestos.img.sig gos.crt --chain pki/guestos_subca.crt
expect_one_line_error certstore
expect_exit 5 pb certstore verify-signed --kind software guestos.img guestos.img.sig gos.crt --chain pki/guestos_subca.crt
expect_exit 5 pb certstore verify-signed --kind guestos guestos.img guestos.img.sig gos.crt
expect_exit 2 pb certstore verify-signed guestos.img guestos.img.sig gos.crt
