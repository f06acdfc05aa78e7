# token against the openssl CLI, both ways: openssl opens our tokens and
# re-exports them, derives the container key independently, and makes the
# PKCS#12 files token import reads.
. "$PB_TESTS/e2e/lib.sh"
gate_tpm
needs_cmd openssl od
T=$PROVBOX_STATE/tokens
with_pin() { p=$1; shift; PROVBOX_PIN=$p "$PROVBOX" "$@"; }
pubkey_of_key() { openssl pkey -in "$1" -pubout; }
pubkey_of_cert() { openssl x509 -in "$1" -noout -pubkey; }
hex() { od -An -tx1 | tr -d ' \n'; }

note "openssl opens the token: key and certificate of that key, OpenSSL 3 default protection"
pb token create $PB_TPM_OPT --dev > /dev/null 2>&1
openssl pkcs12 -in "$T/device.p12" -passin pass:trustme -nodes -out all.pem -info 2> info.txt
grep -q "BEGIN PRIVATE KEY" all.pem || fail "no key in openssl's output"
grep -q "BEGIN CERTIFICATE" all.pem || fail "no certificate in openssl's output"
openssl x509 -in all.pem -noout -subject | grep -q "CN = provbox token device" || fail "subject"
assert_eq "$(pubkey_of_key all.pem)" "$(pubkey_of_cert all.pem)" "certificate is not of the key"
openssl verify -CAfile all.pem all.pem > /dev/null || fail "self-signature does not verify"
grep -q "MAC: sha256, Iteration 2048" info.txt || { cat info.txt; fail "MAC"; }
[ "$(grep -c "PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256" info.txt)" = 2 ] \
	|| { cat info.txt; fail "key and certificate protection"; }
expect_exit 1 openssl pkcs12 -in "$T/device.p12" -passin pass:wrong -noout

note "the container key, derived by openssl from the token key as documented, unwraps the file"
PROVBOX_PIN=trustme pb token wrap --name rootfs > /dev/null
k1=$(with_pin trustme token unwrap --name rootfs --hex)
openssl pkcs8 -topk8 -nocrypt -outform DER -in all.pem -out key.der
w=$(openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt "hexkey:$(hex < key.der)" \
	-kdfopt "info:provbox token wrap secret v1" HKDF | tr -d ':')
kek=$(openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt "hexkey:$w" \
	-kdfopt "info:provbox container key v1 rootfs" HKDF | tr -d ':')
head -c 16 "$T/device.containers/rootfs.wrap" | grep -q "^provbox-ckey-v1$" || fail "file magic"
tail -c 40 "$T/device.containers/rootfs.wrap" | openssl enc -d -id-aes256-wrap-pad -K "$kek" -iv A65959A6 > k.bin
assert_eq "$(hex < k.bin)" "$k1" "openssl's unwrap differs"

note "the seed's procedure: openssl re-export under NEW; unlock with NEW, same container key"
openssl pkcs12 -export -in all.pem -passout pass:NEW -out "$T/device.p12"
expect_exit 5 with_pin not-new token unlock
expect_stderr "changed outside provbox"
with_pin NEW token unlock | grep -q "PIN correct" || fail "unlock after re-export"
expect_exit 4 with_pin not-new token unlock
assert_eq "$(with_pin NEW token unwrap --name rootfs --hex)" "$k1" "key lost by re-export"
PROVBOX_PIN=NEW PROVBOX_NEW_PIN=after-reexport pb token change-pin > /dev/null
openssl pkcs12 -in "$T/device.p12" -passin pass:after-reexport -noout || fail "openssl after change-pin"
assert_eq "$(with_pin after-reexport token unwrap --name rootfs --hex)" "$k1" "key lost"

note "re-export with 3DES and a SHA-1 MAC still opens; -legacy (RC2) says re-export with AES"
openssl pkcs12 -export -in all.pem -passout pass:tdes-pin -out "$T/device.p12" \
	-keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1
assert_eq "$(with_pin tdes-pin token unwrap --name rootfs --hex)" "$k1" "3DES re-export"
openssl pkcs12 -export -legacy -in all.pem -passout pass:rc2-pin -out "$T/device.p12"
cp "$T/device.p12" legacy.p12
expect_exit 5 with_pin rc2-pin token unlock
expect_one_line_error token
expect_stderr "pbeWithSHAAnd40BitRC2-CBC is not supported: re-export with AES"
cmp -s legacy.p12 "$T/device.p12" || fail "the refused file was changed"

note "unicode PINs: ours opens in openssl, openssl's in ours (BMPString MAC, UTF-8 PBES2)"
printf 'p\303\244ssw\303\266rd\342\202\254\n' > utf8.pin
pb token create $PB_TPM_OPT --name uni --pin-file utf8.pin > /dev/null
openssl pkcs12 -in "$T/uni.p12" -passin file:utf8.pin -nodes -out uni.pem || fail "openssl: UTF-8 PIN"
openssl pkcs12 -export -in uni.pem -passout file:utf8.pin -out uni-openssl.p12
pb token import $PB_TPM_OPT uni-openssl.p12 --name uni2 --pin-file utf8.pin > /dev/null
printf 'caf\351\n' > latin1.pin
openssl pkcs12 -export -in uni.pem -passout file:latin1.pin -out latin1.p12
pb token import $PB_TPM_OPT latin1.p12 --name latin1 --pin-file latin1.pin > /dev/null
pb token create $PB_TPM_OPT --name latin1b --pin-file latin1.pin > /dev/null
openssl pkcs12 -in "$T/latin1b.p12" -passin file:latin1.pin -noout || fail "openssl: Latin-1 PIN"

note "import: what openssl pkcs12 -export makes, default and AES/SHA-256; the key is kept"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout own.key -out own.crt \
	-subj /CN=own-token -days 30 2>/dev/null
openssl pkcs12 -export -inkey own.key -in own.crt -passout pass:own-pin -out own-default.p12
openssl pkcs12 -export -inkey own.key -in own.crt -passout pass:own-pin -out own-aes.p12 \
	-keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256
openssl pkcs12 -export -inkey own.key -in own.crt -passout pass:own-pin -out own-3des.p12 \
	-keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1
for v in default aes 3des; do
	with_pin own-pin token import $PB_TPM_OPT own-$v.p12 --name own-$v | grep -q imported || fail "import $v"
	openssl pkcs12 -in "$T/own-$v.p12" -passin pass:own-pin -nodes -out back.pem
	assert_eq "$(pubkey_of_key back.pem)" "$(pubkey_of_key own.key)" "import $v: another key"
	openssl x509 -in back.pem -noout -subject | grep -q own-token || fail "import $v: certificate"
	with_pin own-pin token wrap --token own-$v --name c > /dev/null
done
assert_eq "$(with_pin own-pin token unwrap --token own-default --name c --hex | wc -c)" 65 "unwrap"

note "import refuses: wrong password (4), existing token without --force, RC2, no MAC, no certificate"
expect_exit 4 with_pin bad-pin token import $PB_TPM_OPT own-default.p12 --name refused
expect_exit 1 with_pin own-pin token import $PB_TPM_OPT own-aes.p12 --name own-default
expect_stderr "exists"
openssl pkcs12 -export -legacy -inkey own.key -in own.crt -passout pass:own-pin -out own-legacy.p12
expect_exit 5 with_pin own-pin token import $PB_TPM_OPT own-legacy.p12 --name refused
expect_stderr "re-export with AES"
openssl pkcs12 -export -nomac -inkey own.key -in own.crt -passout pass:own-pin -out own-nomac.p12
expect_exit 5 with_pin own-pin token import $PB_TPM_OPT own-nomac.p12 --name refused
expect_stderr "no MAC"
openssl pkcs12 -export -nocerts -inkey own.key -passout pass:own-pin -out own-nocert.p12
expect_exit 5 with_pin own-pin token import $PB_TPM_OPT own-nocert.p12 --name refused
expect_stderr "no certificate"
[ ! -e "$T/refused.p12" ] || fail "a refused import left a token"

note "import --force replaces; the container keys follow the key pair, not the file"
with_pin own-pin token import $PB_TPM_OPT own-aes.p12 --name own-default --force > /dev/null
assert_eq "$(with_pin own-pin token unwrap --token own-default --name c --hex | wc -c)" 65 "same key"
pb token import $PB_TPM_OPT uni-openssl.p12 --name own-default --force --pin-file utf8.pin > /dev/null
expect_exit 5 pb token unwrap --token own-default --name c --hex --pin-file utf8.pin
expect_one_line_error token
expect_stderr "wrapped under another token"
