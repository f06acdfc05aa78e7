# pki-gen init: the trust|me and simple PKIs, for every algorithm, read
# and verified by openssl; ESL byte-identical to efitools; no overwrite.
. "$PB_TESTS/e2e/lib.sh"
needs_cmd openssl cert-to-efi-sig-list

# ext FILE NAME: openssl's text of one extension
ext() { openssl x509 -in "$1" -noout -ext "$2" | tail -n +2 | tr -d ' '; }

check_trustme() {
	d=$1
	for n in ssig_rootca ssig_subca gen_rootca guestos_subca dev_subca; do
		assert_mode "$d/$n.key" 600
		assert_mode "$d/$n.crt" 644
		openssl x509 -in "$d/$n.crt" -noout -text > "$n.txt" || fail "openssl cannot read $n.crt"
		grep -q "Version: 3" "$n.txt" || fail "$n is not v3"
		# the key file is the certificate's key
		a=$(openssl pkey -in "$d/$n.key" -pubout | sha256sum)
		b=$(openssl x509 -in "$d/$n.crt" -noout -pubkey | sha256sum)
		assert_eq "$a" "$b" "$n.key does not match $n.crt"
	done
	for n in ssig_rootca gen_rootca; do
		assert_eq "$(ext $d/$n.crt basicConstraints)" "CA:TRUE,pathlen:1" "$n basicConstraints"
		assert_eq "$(ext $d/$n.crt keyUsage)" "CertificateSign,CRLSign" "$n keyUsage"
		openssl verify -x509_strict -CAfile "$d/$n.crt" "$d/$n.crt" >/dev/null || fail "$n not self-signed"
	done
	for n in ssig_subca guestos_subca dev_subca; do
		assert_eq "$(ext $d/$n.crt basicConstraints)" "CA:TRUE,pathlen:0" "$n basicConstraints"
	done
	assert_eq "$(ext $d/ssig_subca.crt keyUsage)" "DigitalSignature,CertificateSign,CRLSign" "ssig_subca keyUsage"
	assert_eq "$(ext $d/dev_subca.crt keyUsage)" "CertificateSign,CRLSign" "dev_subca keyUsage"
	openssl x509 -in "$d/ssig_subca.crt" -noout -ext basicConstraints,keyUsage | grep -c critical | grep -q 2 \
		|| fail "basicConstraints and keyUsage must be critical"
	# the two hierarchies
	openssl verify -x509_strict -CAfile "$d/ssig_rootca.crt" "$d/ssig_subca.crt" >/dev/null || fail "ssig chain"
	openssl verify -x509_strict -CAfile "$d/gen_rootca.crt" "$d/guestos_subca.crt" "$d/dev_subca.crt" >/dev/null \
		|| fail "customer chain"
	if openssl verify -CAfile "$d/ssig_rootca.crt" "$d/dev_subca.crt" >/dev/null 2>&1; then
		fail "dev_subca must not chain to the software signing root"
	fi
	# SKI of the issuer = AKI of the subject
	assert_eq "$(ext $d/gen_rootca.crt subjectKeyIdentifier)" "$(ext $d/dev_subca.crt authorityKeyIdentifier)" "AKI"
	assert_eq "$(ext $d/ssig_rootca.crt subjectKeyIdentifier)" "$(ext $d/ssig_subca.crt authorityKeyIdentifier)" "AKI"
	# the ESL is efitools' and its sha256 was printed
	cert-to-efi-sig-list "$d/ssig_subca.crt" theirs.esl
	cmp theirs.esl "$d/ssig_subca.esl" || fail "ssig_subca.esl differs from cert-to-efi-sig-list"
	grep -q "$(sha256sum < "$d/ssig_subca.esl" | cut -d' ' -f1)" init.out || fail "esl sha256 not printed"
}

for alg in ec-p256 ec-p384 rsa-2048 rsa-3072; do
	note "init --profile trustme --alg $alg"
	pb pki-gen init --profile trustme --alg $alg --out "pki-$alg" > init.out
	check_trustme "pki-$alg"
	case $alg in
	ec-p256) sig="ecdsa-with-SHA256"; key="256 bit" ;;
	ec-p384) sig="ecdsa-with-SHA384"; key="384 bit" ;;
	rsa-2048) sig="sha256WithRSAEncryption"; key="2048 bit" ;;
	rsa-3072) sig="sha256WithRSAEncryption"; key="3072 bit" ;;
	esac
	grep -q "Signature Algorithm: $sig" dev_subca.txt || fail "$alg: signature algorithm"
	grep -q "Public-Key: ($key)" dev_subca.txt || fail "$alg: key size"
done

note "--days sets the validity"
pb pki-gen init --profile trustme --out pki-days --days 10 > /dev/null
end=$(openssl x509 -in pki-days/gen_rootca.crt -noout -enddate | cut -d= -f2)
[ $(( $(date -d "$end" +%s) - $(date +%s) )) -le $((10 * 86400)) ] || fail "--days 10 not honoured: $end"
[ $(( $(date -d "$end" +%s) - $(date +%s) )) -gt $((9 * 86400)) ] || fail "--days 10 too short: $end"

note "an existing PKI is refused without --force, and left alone"
before=$(sha256sum pki-ec-p256/* | sha256sum)
expect_exit 1 pb pki-gen init --profile trustme --out pki-ec-p256
expect_one_line_error pki-gen
expect_stderr "force"
assert_eq "$(sha256sum pki-ec-p256/* | sha256sum)" "$before" "refused init changed files"
pb pki-gen init --profile trustme --out pki-ec-p256 --force > init.out
check_trustme pki-ec-p256
[ "$(sha256sum pki-ec-p256/* | sha256sum)" != "$before" ] || fail "--force did not replace the PKI"

note "init --profile simple: ca + system server certificate"
for alg in ec-p256 rsa-2048; do
	pb pki-gen init --profile simple --alg $alg --out simple-$alg > /dev/null
	assert_mode simple-$alg/ca.key 600
	assert_mode simple-$alg/system.key 600
	assert_eq "$(ext simple-$alg/ca.crt basicConstraints)" "CA:TRUE,pathlen:0" "simple ca"
	openssl verify -x509_strict -purpose sslserver -CAfile simple-$alg/ca.crt simple-$alg/system.crt >/dev/null \
		|| fail "system is not a TLS server certificate of ca ($alg)"
	ext simple-$alg/system.crt subjectAltName | grep -q "DNS:localhost" || fail "system SAN"
done

note "usage errors"
expect_exit 2 pb pki-gen init --profile nosuch --out x
expect_one_line_error pki-gen
expect_exit 2 pb pki-gen init --profile trustme
expect_exit 2 pb pki-gen init --profile trustme --out x --alg ec-p521
expect_exit 2 pb pki-gen init --profile trustme --out x --days 0
[ ! -e x ] || fail "a failed init left x behind"
