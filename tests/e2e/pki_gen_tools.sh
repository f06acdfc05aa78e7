# pki-gen selfsign, esl and sign against openssl and efitools.
. "$PB_TESTS/e2e/lib.sh"
needs_cmd openssl cert-to-efi-sig-list

pb pki-gen init --profile trustme --out pki > /dev/null

note "selfsign with a file: key made by openssl, for every algorithm"
for k in "ec -pkeyopt ec_paramgen_curve:P-256" "ec -pkeyopt ec_paramgen_curve:P-384" "rsa -pkeyopt rsa_keygen_bits:2048"; do
	openssl genpkey -algorithm $k -out dev.key 2>/dev/null
	pb pki-gen selfsign --key file:dev.key --subject "/CN=serial:2026-0001/O=dev" --days 7 --out dev.crt
	assert_mode dev.crt 644
	openssl verify -x509_strict -CAfile dev.crt dev.crt > /dev/null || fail "selfsigned ($k) does not verify"
	assert_eq "$(openssl x509 -in dev.crt -noout -subject -nameopt compat)" "subject=/CN=serial:2026-0001/O=dev" "subject"
	a=$(openssl pkey -in dev.key -pubout | sha256sum); b=$(openssl x509 -in dev.crt -noout -pubkey | sha256sum)
	assert_eq "$a" "$b" "selfsigned key"
done
openssl x509 -in dev.crt -noout -ext extendedKeyUsage | grep -q "Client Authentication" || fail "default profile device"
pb pki-gen selfsign --key file:dev.key --subject /CN=root --profile rootca --der > root.der
openssl x509 -inform DER -in root.der -noout -ext basicConstraints | grep -q "CA:TRUE" || fail "rootca profile"
expect_exit 2 pb pki-gen selfsign --key file:dev.key --subject CN=x
expect_one_line_error pki-gen
expect_exit 2 pb pki-gen selfsign --subject /CN=x
expect_exit 1 pb pki-gen selfsign --key file:nosuch.key --subject /CN=x --out x.crt
[ ! -e x.crt ] || fail "x.crt written"

note "esl: byte-identical to cert-to-efi-sig-list, default and given owner"
guid=11111111-2222-3333-4444-555566667777
pb pki-gen esl --cert pki/ssig_subca.crt --out mine.esl
cert-to-efi-sig-list pki/ssig_subca.crt theirs.esl
cmp mine.esl theirs.esl || fail "esl differs (default owner)"
assert_mode mine.esl 644
pb pki-gen esl --cert pki/ssig_subca.crt --owner $guid --out mine-g.esl
cert-to-efi-sig-list -g $guid pki/ssig_subca.crt theirs-g.esl
cmp mine-g.esl theirs-g.esl || fail "esl differs (owner $guid)"
openssl x509 -in pki/ssig_subca.crt -outform DER -out ssig.der
pb pki-gen esl --cert ssig.der --owner $guid --out der-in.esl
cmp der-in.esl theirs-g.esl || fail "esl from a DER certificate differs"
expect_exit 2 pb pki-gen esl --cert pki/ssig_subca.crt --owner not-a-guid --out x.esl
printf garbage > junk.crt
expect_exit 5 pb pki-gen esl --cert junk.crt --out x.esl
expect_one_line_error pki-gen
[ ! -e x.esl ] || fail "x.esl written"

note "sign: detached signature that openssl dgst -sha256 -verify accepts"
head -c 300000 /dev/urandom > guestos.img
pb pki-gen sign --key file:pki/ssig_subca.key --cert pki/ssig_subca.crt guestos.img --out guestos.img.sig
assert_mode guestos.img.sig 644
openssl x509 -in pki/ssig_subca.crt -noout -pubkey > ssig.pub
openssl dgst -sha256 -verify ssig.pub -signature guestos.img.sig guestos.img | grep -q "Verified OK" \
	|| fail "openssl does not verify the signature"
printf x >> guestos.img
if openssl dgst -sha256 -verify ssig.pub -signature guestos.img.sig guestos.img >/dev/null 2>&1; then
	fail "signature verifies over changed data"
fi
for alg in ec-p384 rsa-2048; do
	pb pki-gen init --profile trustme --alg $alg --out pki-$alg > /dev/null
	pb pki-gen sign --key file:pki-$alg/ssig_subca.key --cert pki-$alg/ssig_subca.crt guestos.img --out s.sig
	openssl x509 -in pki-$alg/ssig_subca.crt -noout -pubkey > s.pub
	openssl dgst -sha256 -verify s.pub -signature s.sig guestos.img | grep -q "Verified OK" || fail "$alg signature"
done

note "sign refuses a key that is not the certificate's, and a certificate without digitalSignature"
expect_exit 1 pb pki-gen sign --key file:pki/gen_rootca.key --cert pki/ssig_subca.crt guestos.img --out bad.sig
expect_stderr "not the key"
expect_exit 1 pb pki-gen sign --key file:pki/dev_subca.key --cert pki/dev_subca.crt guestos.img --out bad.sig
expect_stderr "digitalSignature"
expect_exit 2 pb pki-gen sign --key file:pki/ssig_subca.key --cert pki/ssig_subca.crt --out bad.sig
[ ! -e bad.sig ] || fail "bad.sig written"
