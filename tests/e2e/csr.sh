# The csr applet with software keys (file:), checked by openssl: any HAL
# key signs a CSR the same way. --show, --verify, --der, bad input.
. "$PB_TESTS/e2e/lib.sh"
needs_cmd openssl

for alg in ec-p256 rsa-2048; do
	note "file key $alg: create, CSR, openssl accepts it"
	pb csr --key "file:$alg.pem" --create --alg "$alg" --subject "/CN=serial:F-1/O=Acme/C=DE" --out "$alg.csr"
	assert_mode "$alg.pem" 600
	assert_mode "$alg.csr" 644
	openssl req -in "$alg.csr" -verify -noout 2>&1 | grep -q "verify OK" || fail "openssl req -verify $alg"
	openssl req -in "$alg.csr" -noout -subject | grep -q "CN = serial:F-1, O = Acme, C = DE" || fail "subject"
	openssl pkey -in "$alg.pem" -pubout | cmp -s - "$(openssl req -in "$alg.csr" -pubkey -noout > pub.pem; echo pub.pem)" \
		|| fail "CSR key is not the file's key"
done

note "an openssl key (SEC1 PEM) works without --create"
openssl ecparam -name prime256v1 -genkey -noout -out ossl.pem 2>/dev/null
pb csr --key file:ossl.pem --subject /CN=ossl > ossl.csr
openssl req -in ossl.csr -verify -noout 2>&1 | grep -q "verify OK" || fail "stdout CSR"

note "--der, --show, --verify"
pb csr --key file:ec-p256.pem --subject /CN=der --out der.csr --der
openssl req -inform DER -in der.csr -verify -noout 2>&1 | grep -q "verify OK" || fail "DER CSR"
pb csr --show der.csr > show.txt
grep -q "^subject: /CN=der$" show.txt || fail "--show subject"
grep -q "^key: ec-p256$" show.txt || fail "--show key"
grep -q "^signature: ecdsa-with-SHA256$" show.txt || fail "--show signature"
pb csr --verify der.csr | grep -q "der.csr: self-signature OK"

note "--verify of a tampered CSR: exit 5, one line"
openssl req -in ec-p256.csr -outform DER -out t.der
# flip a bit inside the subject's CN value (signed data, still well-formed)
off=$(grep -abo 'serial:F-1' t.der | head -1 | cut -d: -f1)
printf 'X' | dd of=t.der bs=1 seek="$off" conv=notrunc 2>/dev/null
expect_exit 5 pb csr --verify t.der
expect_one_line_error csr
expect_stderr "t.der: CSR"
# (openssl req -verify exits 0 either way; its message tells)
openssl req -inform DER -in t.der -verify -noout 2>&1 | grep -q "verify failure" || fail "openssl accepts the tampered CSR"

note "not a CSR: exit 5; no file: exit 1"
echo garbage > junk.csr
expect_exit 5 pb csr --show junk.csr
expect_one_line_error csr
expect_exit 1 pb csr --verify missing.csr
expect_one_line_error csr

note "mixing modes is a usage error"
expect_exit 2 pb csr --show der.csr --verify der.csr
expect_exit 2 pb csr --show der.csr --key file:ec-p256.pem
expect_exit 2 pb csr --key file:ec-p256.pem --subject /CN=x extra-arg
expect_one_line_error csr

note "--create refuses an existing file key"
expect_exit 1 pb csr --key file:ec-p256.pem --create --subject /CN=x --out x.csr
expect_stderr "key exists"
[ ! -e x.csr ] || fail "refused create wrote a CSR"
