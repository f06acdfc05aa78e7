# The tee backend over a real PKCS#11 module: SoftHSM2 with its own
# SOFTHSM2_CONF and token directory. The Welma sequence (init token, init
# PIN, key0 + CSR, issue), and interop both ways with pkcs11-tool and
# openssl's pkcs11 engine on the same token.
. "$PB_TESTS/e2e/lib.sh"
gate_tpm
needs_cmd openssl pkcs11-tool
M=/usr/lib/softhsm/libsofthsm2.so
ENGINE=$(ls /usr/lib/*/engines-3/pkcs11.so 2>/dev/null | head -1)
[ -r "$M" ] || fail "SoftHSM2 missing (make deps installs softhsm2)"
[ -n "$ENGINE" ] || fail "openssl pkcs11 engine missing (make deps installs libengine-pkcs11-openssl)"
mkdir -p hsm/tokens
printf 'directories.tokendir = %s/hsm/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$PB_WORK" > hsm/conf
export SOFTHSM2_CONF="$PB_WORK/hsm/conf"
TEE="pkcs11:$M,token=token0"
SO=so-pin-1234
tee_so() { PROVBOX_SO_PIN=$SO "$PROVBOX" tee "$@" $PB_TPM_OPT; }
with_pin() { p=$1; shift; PROVBOX_PIN=$p "$PROVBOX" "$@"; }
p11() { pkcs11-tool --module "$M" "$@"; }

note "init takes the first uninitialised token; a re-run changes nothing"
tee_so init --tee "pkcs11:$M" --label token0 > out
grep -q "token 'token0': initialised" out || fail "init output: $(cat out)"
serial=$(p11 --list-token-slots 2>/dev/null | awk '/serial num/ {print $4; exit}')
[ -n "$serial" ] || fail "no serial from pkcs11-tool"
tee_so init --tee "$TEE" --label token0 > /dev/null
assert_eq "$(p11 --list-token-slots 2>/dev/null | grep -c 'token label *: token0')" 1 "token0 once"
expect_exit 4 env PROVBOX_SO_PIN=wrong "$PROVBOX" tee init --tee "$TEE" --label token0 $PB_TPM_OPT
expect_one_line_error tee
expect_stderr CKR_PIN_INCORRECT

note "init-pin as SO; status names the token"
PROVBOX_SO_PIN=$SO PROVBOX_NEW_PIN=1234 pb tee init-pin --tee "$TEE" > /dev/null
pb tee status --tee "$TEE" > status
grep -q "'token0' serial $serial .*user PIN set" status || { cat status; fail "status"; }

note "the Welma key: csr --key tee:key0 --create (RSA-2048), openssl accepts the CSR"
with_pin 1234 csr --tee "$TEE" --key tee:key0 --create --alg rsa-2048 \
	--subject "/CN=serial:202600000000001" --out dev.csr $PB_TPM_OPT
openssl req -in dev.csr -noout -verify 2>&1 | grep -q "verify OK" || fail "openssl req -verify"
openssl req -in dev.csr -noout -subject | grep -q "CN *= *serial:202600000000001" || fail "subject"

note "pkcs11-tool sees key0 private, sensitive, never extractable, local"
p11 --token-label token0 --login --pin 1234 --list-objects > objs 2>&1
awk '/^Private Key Object/ {p=1} p && /label:/ {l=$2} p && /Access:/ {print l": "$0; p=0}' objs > access
grep -q "^key0: .*sensitive, always sensitive, never extractable, local" access || { cat objs; fail "key0 attributes"; }
with_pin 1234 tee list --tee "$TEE" --json > list.json
grep -q '"label": "key0", "class": "private-key", "key_type": "RSA", "alg": "rsa-2048", "sensitive": true, "extractable": false, "local": true' list.json \
	|| { cat list.json; fail "tee list --json"; }

note "openssl req -engine pkcs11 on key0 makes a CSR with the same public key"
cat > engine.cnf <<EOF
openssl_conf = oc
[oc]
engines = es
[es]
pkcs11 = p11
[p11]
engine_id = pkcs11
dynamic_path = $ENGINE
MODULE_PATH = $M
init = 0
[req]
distinguished_name = dn
[dn]
EOF
OPENSSL_CONF=$PB_WORK/engine.cnf openssl req -new -engine pkcs11 -keyform engine \
	-key "pkcs11:token=token0;object=key0;type=private;pin-value=1234" \
	-subj "/CN=serial:202600000000001" -out eng.csr 2>engine.err || { cat engine.err; fail "openssl req -engine pkcs11"; }
openssl req -in eng.csr -noout -verify 2>&1 | grep -q "verify OK" || fail "engine CSR"
assert_eq "$(openssl req -in eng.csr -noout -pubkey)" "$(openssl req -in dev.csr -noout -pubkey)" "public key of key0"

note "a key pair made by pkcs11-tool is used by csr --key tee:LABEL"
p11 --token-label token0 --login --pin 1234 --keypairgen --key-type EC:prime256v1 --label p11made --id 4242 > /dev/null 2>&1
with_pin 1234 csr --tee "$TEE" --key tee:p11made --subject "/CN=other" --out p11made.csr
openssl req -in p11made.csr -noout -verify 2>&1 | grep -q "verify OK" || fail "CSR of the pkcs11-tool key"
p11 --token-label token0 --read-object --type pubkey --label p11made -o p11made.der > /dev/null 2>&1
assert_eq "$(openssl pkey -pubin -inform DER -in p11made.der)" "$(openssl req -in p11made.csr -noout -pubkey)" \
	"public key of the pkcs11-tool key"

note "an RSA private key without its public key object: found once the user logs in"
p11 --token-label token0 --login --pin 1234 --keypairgen --key-type rsa:2048 --label privonly --id 4343 > /dev/null 2>&1
p11 --token-label token0 --login --pin 1234 --delete-object --type pubkey --label privonly > /dev/null 2>&1
with_pin 1234 csr --tee "$TEE" --key tee:privonly --subject "/CN=privonly" --out privonly.csr
openssl req -in privonly.csr -noout -verify 2>&1 | grep -q "verify OK" || fail "CSR of a private-only key"

note "the station issues the certificate; it carries key0's public key"
pb pki-gen init --profile simple --out pki > /dev/null
pb pki-gen issue --ca pki/ca --csr dev.csr --profile device --days 365 --out dev.crt > /dev/null
openssl verify -CAfile pki/ca.crt dev.crt > /dev/null || fail "openssl verify dev.crt"
assert_eq "$(openssl x509 -in dev.crt -noout -pubkey)" "$(openssl req -in dev.csr -noout -pubkey)" "certificate key"
if pb --list | grep -qx certstore; then
	note "certstore install takes the certificate for tee:key0 (and refuses another key's)"
	pb certstore add --kind device pki/ca.crt $PB_TPM_OPT > /dev/null
	pb certstore install --tee "$TEE" --cert dev.crt --key tee:key0 $PB_TPM_OPT > /dev/null
	expect_exit 5 pb certstore install --tee "$TEE" --cert dev.crt --key tee:p11made $PB_TPM_OPT
fi

note "wrong user PIN: exit 4, one line"
expect_exit 4 with_pin 9999 csr --tee "$TEE" --key tee:key0 --subject /CN=x --out x.csr
expect_one_line_error csr
expect_stderr CKR_PIN_INCORRECT
[ ! -e x.csr ] || fail "a CSR was written with a wrong PIN"

note "an existing key is refused without --force"
expect_exit 1 with_pin 1234 csr --tee "$TEE" --key tee:key0 --create --subject /CN=x --out x.csr $PB_TPM_OPT
expect_stderr "key tee:key0 exists"

note "token not found by label: exit 1 naming the labels there are"
expect_exit 1 pb tee status --tee "pkcs11:$M,token=nosuch" 
expect_exit 1 with_pin 1234 tee list --tee "pkcs11:$M,token=nosuch"
expect_one_line_error tee
expect_stderr "no token labelled nosuch"
expect_stderr "'token0' (serial $serial)"

note "found by serial; a slot number is refused"
with_pin 1234 tee list --tee "pkcs11:$M,serial=$serial" | grep -q "^key0 " || fail "list by serial"
expect_exit 2 pb tee status --tee "pkcs11:$M,slot=0"
expect_stderr "token=LABEL or serial=S"

note "a second token: init takes the next uninitialised one, then neither is implied"
tee_so init --tee "pkcs11:$M" --label token1 > /dev/null
expect_exit 1 with_pin 1234 tee list --tee "pkcs11:$M"
expect_stderr "2 tokens match"

note "not a PKCS#11 module: exit 1, no crash"
libc=$(ldd "$PROVBOX" | awk '/libc\.so/ {print $3; exit}')
[ -r "$libc" ] || fail "no libc path from ldd"
expect_exit 1 pb tee status --tee "pkcs11:$libc"
expect_one_line_error tee
expect_stderr "not a PKCS#11 module"
echo "not a library" > fake.so
expect_exit 1 pb tee status --tee "pkcs11:$PB_WORK/fake.so"
expect_one_line_error tee
expect_stderr "cannot load"

note "reset: C_InitToken again with the SO PIN; every key is gone"
expect_exit 4 env PROVBOX_SO_PIN=wrong "$PROVBOX" tee reset --tee "$TEE" $PB_TPM_OPT
p11 --token-label token0 --login --pin 1234 --list-objects 2>&1 | grep -q "label: *key0" || fail "a wrong SO PIN reset"
tee_so reset --tee "$TEE" > /dev/null
p11 --token-label token0 --login --so-pin $SO --login-type so --list-objects 2>&1 | grep -q "label:" && fail "keys left after reset"
PROVBOX_SO_PIN=$SO PROVBOX_NEW_PIN=1234 pb tee init-pin --tee "$TEE" > /dev/null
expect_exit 1 with_pin 1234 csr --tee "$TEE" --key tee:key0 --subject /CN=x --out x.csr
expect_stderr "not found"
exit 0
