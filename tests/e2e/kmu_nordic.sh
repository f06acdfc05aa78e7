# The Nordic identity_key_generate sequence on the simulated KMU: verify
# assembly, advance to provisioning, HUKs, identity key, is-written; the
# second gen-* refused; a CSR signed by kmu:identity that openssl verifies
# and whose key is read-identity's; secured closes gen-*; erase-all goes
# back to assembly and the next identity is a new one.
. "$PB_TESTS/e2e/lib.sh"
needs_sim
needs_cmd openssl
"$PROVBOX" --list | grep -qx lifecycle ||
	skip "needs the lifecycle applet (lifecycle advance --kmu sim), not in this build yet"
slots="$PROVBOX_STATE/kmu/slots"

note "a new device is in assembly (PSA 0x1000)"
pb kmu status > st.txt
grep -q '^lifecycle: assembly (PSA 0x1000)$' st.txt || { cat st.txt; fail "not assembly"; }
pb kmu status --json | grep -q '"psa_lifecycle": "0x1000"' || fail "json lacks 0x1000"
expect_exit 3 pb kmu gen-huk
expect_one_line_error kmu
expect_stderr "refused: device is assembly"

note "advance to provisioning (PSA 0x2000)"
pb lifecycle advance provisioning --kmu sim
pb kmu status | grep -q '^lifecycle: provisioning (PSA 0x2000)$' || fail "not provisioning"

note "identity before HUKs: MKEK missing"
expect_exit 1 pb kmu gen-identity
expect_stderr "MKEK missing"
expect_exit 1 pb kmu is-written

note "gen-huk, gen-identity, is-written"
pb kmu gen-huk > /dev/null
pb kmu gen-identity > /dev/null
pb kmu is-written > out.txt
grep -q "written" out.txt || fail "is-written says nothing"
pb kmu status > st.txt
grep -q '^slots 2-3 MKEK: derive-only, push-only, write-once$' st.txt || { cat st.txt; fail "MKEK slots"; }
grep -q '^slots 4-5 MEXT: derive-only, push-only, write-once$' st.txt || fail "MEXT slots"
grep -q '^slots 6-7 KIDENT: sign-only, push-only, write-once$' st.txt || fail "KIDENT slots"
assert_mode "$slots" 600
pb kmu status --json > st.json
python3 - st.json <<'PY' || { cat st.json; fail "status --json"; }
import json, sys
j = json.load(open(sys.argv[1]))
assert j["lifecycle"] == "provisioning" and j["psa_lifecycle"] == "0x2000", j
assert [(k["name"], k["slots"], k["usage"]) for k in j["keys"]] == \
	[("mkek", "2-3", "derive"), ("mext", "4-5", "derive"), ("identity", "6-7", "sign")], j
assert all(k["push_only"] is True and k["write_once"] is True for k in j["keys"]), j
PY

note "a second gen-identity and a second gen-huk are refused, changing nothing"
cp "$slots" slots.before
expect_exit 1 pb kmu gen-identity
expect_one_line_error kmu
expect_stderr "already written"
expect_exit 1 pb kmu gen-huk
expect_stderr "already written"
cmp -s "$slots" slots.before || fail "a refused gen-* changed STATE/kmu/slots"

note "CSR from kmu:identity: openssl verifies it, its key is read-identity's"
pb csr --key kmu:identity --subject "/CN=serial:2026-0001" --out dev.csr
openssl req -in dev.csr -verify -noout 2>&1 | grep -q "verify OK" || fail "openssl req -verify"
pb kmu read-identity --out id.pem
openssl pkey -pubin -in id.pem -noout -text | grep -q "NIST CURVE: P-256" || fail "identity is not P-256"
openssl req -in dev.csr -pubkey -noout > csr-pub.pem
cmp -s csr-pub.pem id.pem || fail "CSR key differs from read-identity"
grep -q PRIVATE id.pem && fail "read-identity wrote a private key"
cmp -s "$slots" slots.before || fail "signing changed STATE/kmu/slots"
note "read-identity --der"
pb kmu read-identity --der --out id.der
openssl pkey -pubin -inform DER -in id.der -noout || fail "DER public key"

note "pki-gen sign with kmu:identity: openssl checks the artifact signature"
pb pki-gen init --profile simple --out pki > /dev/null
pb pki-gen issue --ca pki/ca --csr dev.csr --profile device --days 30 --out dev.crt
echo "firmware 1.0" > fw.bin
pb pki-gen sign --key kmu:identity --cert dev.crt fw.bin --out fw.sig
openssl dgst -sha256 -verify id.pem -signature fw.sig fw.bin > /dev/null || fail "artifact signature"

note "secured: gen-* exit 3, signing still works"
pb lifecycle advance secured --kmu sim
pb kmu status | grep -q '^lifecycle: secured (PSA 0x3000)$' || fail "not secured"
expect_exit 3 pb kmu gen-identity
expect_one_line_error kmu
expect_stderr "refused: device is secured"
expect_exit 3 pb kmu gen-huk
cmp -s "$slots" slots.before && fail "advance did not set an OTP marker"
cp "$slots" slots.secured
pb csr --key kmu:identity --subject "/CN=serial:2026-0001" --out dev2.csr
openssl req -in dev2.csr -verify -noout 2>/dev/null || fail "CSR after secured"
note "backward is exit 3 and changes nothing"
expect_exit 3 pb lifecycle advance provisioning --kmu sim
cmp -s "$slots" slots.secured || fail "a refused advance changed STATE/kmu/slots"

note "erase-all: refused without --yes; with it, identity gone, assembly again"
expect_exit 2 pb kmu erase-all
expect_stderr "--yes"
cmp -s "$slots" slots.secured || fail "a refused erase-all changed STATE/kmu/slots"
pb kmu erase-all --yes > /dev/null
expect_exit 1 pb kmu is-written
pb kmu status | grep -q '^lifecycle: assembly (PSA 0x1000)$' || fail "not assembly after erase-all"
expect_exit 1 pb kmu read-identity --out gone.pem
[ ! -e gone.pem ] || fail "read-identity wrote a file for a missing key"

note "the next identity is a new one"
pb lifecycle advance provisioning --kmu sim
pb kmu gen-huk > /dev/null
pb kmu gen-identity > /dev/null
pb kmu read-identity --out id2.pem
cmp -s id.pem id2.pem && fail "the new identity equals the erased one"
pb kmu is-written > /dev/null
