# The tee backend's simulated secure storage (--tee sim, the default): the
# Welma sequence, PINs that lock, integrity and rollback of object files,
# reset.
. "$PB_TESTS/e2e/lib.sh"
needs_sim
gate_tpm
needs_cmd openssl sha256sum
S=$PROVBOX_STATE/tee
with_pin() { p=$1; shift; PROVBOX_PIN=$p "$PROVBOX" "$@"; }
so() { p=$1; shift; PROVBOX_SO_PIN=$p "$PROVBOX" "$@"; }
# flip FILE OFFSET: invert the low bit of one byte in place
flip() {
	b=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
snap() { (cd "$S" && sha256sum * | sort); }

note "init, re-run, init-pin: files 0600 in a 0700 directory"
so 12345678 tee init --label token0 > /dev/null
so 12345678 tee init --label token0 > /dev/null
expect_exit 1 env PROVBOX_SO_PIN=12345678 "$PROVBOX" tee init --label other
expect_stderr "initialised already as 'token0'"
echo 12345678 > so.pin
echo 1234 | pb tee init-pin --so-pin-file so.pin --new-pin-fd 0 > /dev/null
assert_mode "$S" 700
for f in "$S"/*; do assert_mode "$f" 600; done
pb tee status | grep -q "'token0' serial [0-9a-f]\{16\}, user PIN set, 3 tries left, SO PIN 3 tries left, 0 keys" || { pb tee status; fail "status"; }

note "the Welma key and CSR; openssl accepts it; the station issues it"
with_pin 1234 csr --key tee:key0 --create --alg rsa-2048 --subject "/CN=serial:202600000000001" --out dev.csr
openssl req -in dev.csr -noout -verify 2>&1 | grep -q "verify OK" || fail "openssl req -verify"
pb pki-gen init --profile simple --out pki > /dev/null
pb pki-gen issue --ca pki/ca --csr dev.csr --profile device --days 365 --out dev.crt > /dev/null
openssl verify -CAfile pki/ca.crt dev.crt > /dev/null || fail "openssl verify"
assert_eq "$(openssl x509 -in dev.crt -noout -pubkey)" "$(openssl req -in dev.csr -noout -pubkey)" "certificate key"
if pb --list | grep -qx certstore; then
	note "certstore install takes the certificate for tee:key0 (and refuses another key's)"
	pb certstore add --kind device pki/ca.crt $PB_TPM_OPT > /dev/null
	pb certstore install --cert dev.crt --key tee:key0 $PB_TPM_OPT > /dev/null
	with_pin 1234 tee keygen --key tee:other > /dev/null
	expect_exit 5 pb certstore install --cert dev.crt --key tee:other $PB_TPM_OPT
fi
with_pin 1234 tee list --json | grep -q '"label": "key0", "class": "private-key", "key_type": "RSA", "alg": "rsa-2048", "sensitive": true, "extractable": false, "local": true' \
	|| fail "tee list --json"
grep -rq "BEGIN" "$S" && fail "a PEM (private key?) in the secure storage"
with_pin 1234 csr --key tee:key0 --subject "/CN=again" --out again.csr
assert_eq "$(openssl req -in again.csr -noout -pubkey)" "$(openssl req -in dev.csr -noout -pubkey)" "same key0"

note "wrong user PIN: exit 4 with the tries left; locked after 3; the SO unlocks"
expect_exit 4 with_pin 9999 csr --key tee:key0 --subject /CN=x --out x.csr
expect_one_line_error csr
expect_stderr "wrong user PIN (2 tries left)"
expect_exit 4 with_pin 9999 csr --key tee:key0 --subject /CN=x --out x.csr
expect_exit 4 with_pin 9999 csr --key tee:key0 --subject /CN=x --out x.csr
expect_exit 4 with_pin 1234 csr --key tee:key0 --subject /CN=x --out x.csr
expect_stderr "user PIN is locked"
PROVBOX_SO_PIN=12345678 PROVBOX_NEW_PIN=1234 pb tee init-pin > /dev/null
with_pin 1234 csr --key tee:key0 --subject /CN=x --out x.csr
expect_exit 2 pb csr --key tee:key0 --subject /CN=x --out y.csr </dev/null
expect_stderr "PROVBOX_PIN"

note "a bit-flipped object file: exit 5, nothing touched"
cp "$S/obj.1" good.obj
flip "$S/obj.1" 100
before=$(snap)
expect_exit 5 with_pin 1234 csr --key tee:key0 --subject /CN=x --out z.csr
expect_one_line_error csr
expect_stderr "obj.1"
assert_eq "$(snap)" "$before" "files after a failed read"
[ ! -e z.csr ] || fail "CSR written from a damaged key"
cp good.obj "$S/obj.1"

note "an old copy of an object file put back: exit 5"
cp "$S/obj.1" old.obj
ls "$S" | grep '^obj\.' > objs.before
with_pin 1234 csr --key tee:key0 --create --force --subject /CN=x --out new.csr
new=$(ls "$S" | grep '^obj\.' | grep -vxF -f objs.before)
[ -n "$new" ] && [ ! -e "$S/obj.1" ] || fail "--force: new object '$new', old one still there?"
cp old.obj "$S/$new"
expect_exit 5 with_pin 1234 csr --key tee:key0 --subject /CN=x --out z.csr
expect_stderr "not the one the index records"

note "reset wipes every key (no PIN, as emptying /var/lib/tee); the token starts over"
pb tee reset > /dev/null
ls "$S" | grep -q '^obj\.' && fail "object files left"
expect_exit 1 with_pin 1234 tee list
expect_stderr "not initialised"
so 12345678 tee init --label token0 > /dev/null
PROVBOX_SO_PIN=12345678 PROVBOX_NEW_PIN=1234 pb tee init-pin > /dev/null
expect_exit 1 with_pin 1234 csr --key tee:key0 --subject /CN=x --out x.csr
expect_stderr "not found"
with_pin 1234 tee keygen --key tee:key1 --alg ec-p256 > /dev/null
with_pin 1234 tee list | grep -q "^key1 .* EC .*ec-p256 .*yes .*no .*yes" || fail "keygen + list"
exit 0
