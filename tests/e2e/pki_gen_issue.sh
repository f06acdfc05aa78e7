# pki-gen issue: certificates for CSRs made by openssl req, for every
# profile and algorithm, verified by openssl; bad CSRs refused (exit 5,
# nothing written); batches from a directory and repeated --csr.
. "$PB_TESTS/e2e/lib.sh"
needs_cmd openssl

ext() { openssl x509 -in "$1" -noout -ext "$2" | tail -n +2 | tr -d ' '; }

# newcsr ALG NAME [openssl req options]: NAME.key + NAME.csr by openssl
newcsr() {
	alg=$1 name=$2; shift 2
	case $alg in
	ec-p256) k="-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
	ec-p384) k="-newkey ec -pkeyopt ec_paramgen_curve:P-384" ;;
	rsa-2048) k="-newkey rsa:2048" ;;
	rsa-3072) k="-newkey rsa:3072" ;;
	esac
	openssl req -new $k -nodes -keyout "$name.key" -subj "/O=trustme/CN=serial:${name##*/}" -out "$name.csr" "$@" 2>/dev/null
}

for alg in ec-p256 ec-p384 rsa-2048 rsa-3072; do
	note "$alg: trust|me PKI, one certificate per profile"
	pb pki-gen init --profile trustme --alg $alg --out pki > /dev/null --force
	newcsr $alg dev
	pb pki-gen issue --ca pki/dev_subca --csr dev.csr --profile device --days 30 --out dev.crt
	assert_mode dev.crt 644
	openssl x509 -in dev.crt -noout -text > dev.txt || fail "openssl cannot read dev.crt"
	openssl verify -x509_strict -purpose sslclient -CAfile pki/gen_rootca.crt -untrusted pki/dev_subca.crt dev.crt \
		>/dev/null || fail "$alg device chain"
	assert_eq "$(ext dev.crt keyUsage)" "DigitalSignature" "device keyUsage"
	assert_eq "$(ext dev.crt extendedKeyUsage)" "TLSWebClientAuthentication" "device EKU"
	assert_eq "$(ext dev.crt basicConstraints)" "CA:FALSE" "device basicConstraints"
	assert_eq "$(openssl x509 -in dev.crt -noout -serial | cut -d= -f2 | tr -d '\n' | wc -c)" 32 "16-byte serial"
	assert_eq "$(openssl x509 -in dev.crt -noout -subject -nameopt compat)" "subject=/O=trustme/CN=serial:dev" "subject"
	a=$(openssl pkey -in dev.key -pubout | sha256sum); b=$(openssl x509 -in dev.crt -noout -pubkey | sha256sum)
	assert_eq "$a" "$b" "certificate key is not the CSR's"
	assert_eq "$(ext pki/dev_subca.crt subjectKeyIdentifier)" "$(ext dev.crt authorityKeyIdentifier)" "AKI"

	newcsr $alg srv -addext "subjectAltName=DNS:srv.example,DNS:alt.example"
	pb pki-gen issue --ca pki/dev_subca --csr srv.csr --profile server --out srv.crt
	openssl verify -purpose sslserver -CAfile pki/gen_rootca.crt -untrusted pki/dev_subca.crt srv.crt >/dev/null \
		|| fail "$alg server chain"
	assert_eq "$(ext srv.crt subjectAltName)" "DNS:srv.example,DNS:alt.example" "SAN from the CSR"
	assert_eq "$(ext srv.crt extendedKeyUsage)" "TLSWebServerAuthentication" "server EKU"
	pb pki-gen issue --ca pki/dev_subca --csr srv.csr --profile server --san DNS:given.example --san URI:urn:x \
		--out srv2.crt
	assert_eq "$(ext srv2.crt subjectAltName)" "DNS:given.example,URI:urn:x" "--san wins"

	newcsr $alg gos
	pb pki-gen issue --ca pki/guestos_subca --csr gos.csr --profile guestos --out gos.crt
	openssl verify -CAfile pki/gen_rootca.crt -untrusted pki/guestos_subca.crt gos.crt >/dev/null \
		|| fail "$alg guestos chain"
	assert_eq "$(ext gos.crt extendedKeyUsage)" "CodeSigning" "guestos EKU"

	newcsr $alg sub
	pb pki-gen issue --ca pki/gen_rootca --csr sub.csr --profile subca --out sub.crt
	assert_eq "$(ext sub.crt basicConstraints)" "CA:TRUE,pathlen:0" "subca basicConstraints"
	newcsr $alg leaf
	pb pki-gen issue --ca sub --ca-key file:sub.key --csr leaf.csr --profile device --out leaf.crt
	openssl verify -x509_strict -CAfile pki/gen_rootca.crt -untrusted sub.crt leaf.crt >/dev/null \
		|| fail "$alg root -> new subca -> leaf"
done

note "pathlen 0 is real: pki-gen refuses a sub CA under dev_subca, openssl a chain through one"
pb pki-gen init --profile trustme --out pki --force > /dev/null
newcsr ec-p256 deep
expect_exit 1 pb pki-gen issue --ca pki/dev_subca --csr deep.csr --profile subca --out deep.crt
expect_stderr "pathlen 0"
[ ! -e deep.crt ] || fail "deep.crt written"
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n' > ca.ext
openssl x509 -req -in deep.csr -CA pki/dev_subca.crt -CAkey pki/dev_subca.key -set_serial 7 -days 1 \
	-extfile ca.ext -out deep.crt 2>/dev/null
newcsr ec-p256 deepleaf
pb pki-gen issue --ca deep --csr deepleaf.csr --profile device --out deepleaf.crt
cat pki/dev_subca.crt deep.crt > untrusted.pem
if openssl verify -CAfile pki/gen_rootca.crt -untrusted untrusted.pem deepleaf.crt > verify.out 2>&1; then
	fail "openssl accepted a chain that breaks pathlen 0"
fi
grep -q "path length" verify.out || fail "unexpected verify failure: $(cat verify.out)"

note "a CSR whose signature is bad: exit 5, nothing written"
newcsr ec-p256 tamper
openssl req -in tamper.csr -outform DER -out tamper.der
# CN "serial:tamper" -> "serial:tampex": still well-formed, no longer signed
sed 's/serial:tamper/serial:tampex/' tamper.der > bad.der
cmp -s tamper.der bad.der && fail "tampering did not change the CSR"
expect_exit 5 pb pki-gen issue --ca pki/dev_subca --csr bad.der --profile device --out bad.crt
expect_one_line_error pki-gen
expect_stderr "bad.der"
expect_stderr "signature"
[ ! -e bad.crt ] || fail "a certificate was written for a bad CSR"

note "malformed CSRs: exit 5, nothing written"
head -c 100 tamper.der > trunc.der
printf 'not a csr' > junk.csr
cp pki/dev_subca.crt cert-not-csr.csr
for f in trunc.der junk.csr cert-not-csr.csr; do
	expect_exit 5 pb pki-gen issue --ca pki/dev_subca --csr $f --profile device --out bad.crt
	expect_one_line_error pki-gen
	[ ! -e bad.crt ] || fail "a certificate was written for $f"
done

note "batch: a directory of CSRs, one bad one reported by name and skipped"
mkdir csrs
for i in 1 2 3 4 5; do newcsr ec-p256 csrs/d$i; done
cp bad.der csrs/evil.csr
rm csrs/*.key
expect_exit 5 pb pki-gen issue --ca pki/dev_subca --csr csrs --profile device --out certs --jobs 3
expect_stderr "evil.csr"
n=$(grep -c . "$PB_WORK/stderr")
[ "$n" -le 2 ] || { cat "$PB_WORK/stderr"; fail "too much on stderr"; }
for i in 1 2 3 4 5; do
	openssl verify -CAfile pki/gen_rootca.crt -untrusted pki/dev_subca.crt certs/d$i.crt >/dev/null || fail "d$i.crt"
	assert_mode certs/d$i.crt 644
done
[ ! -e certs/evil.crt ] || fail "certificate written for the bad CSR"
[ -z "$(ls certs | grep -v '\.crt$')" ] || fail "stray files in certs: $(ls certs)"
# every certificate has its own serial
assert_eq "$(for f in certs/*.crt; do openssl x509 -in $f -noout -serial; done | sort -u | wc -l)" 5 "serials"

note "batch: repeated --csr, DER output, all good -> exit 0"
rm csrs/evil.csr
pb pki-gen issue --ca pki/dev_subca --csr csrs/d1.csr --csr csrs/d2.csr --profile device --out der-certs --der
openssl x509 -inform DER -in der-certs/d1.crt -noout || fail "--der output"
[ ! -e der-certs/d3.crt ] || fail "issued a CSR that was not asked for"
expect_exit 2 pb pki-gen issue --ca pki/dev_subca --csr csrs/d1.csr --csr csrs/d2.csr --profile device
note "one CSR into an existing directory: NAME.crt there"
pb pki-gen issue --ca pki/dev_subca --csr csrs/d3.csr --profile device --out der-certs
openssl x509 -in der-certs/d3.crt -noout || fail "d3.crt not in the output directory"

note "the CA must be a CA and the key its own"
newcsr ec-p256 x
expect_exit 1 pb pki-gen issue --ca dev --csr x.csr --profile device --out x.crt
expect_stderr "not a CA"
expect_exit 1 pb pki-gen issue --ca pki/dev_subca --ca-key file:pki/gen_rootca.key --csr x.csr --profile device --out x.crt
expect_stderr "does not match"
expect_exit 2 pb pki-gen issue --ca pki/dev_subca --csr x.csr --profile nosuch --out x.crt
expect_exit 2 pb pki-gen issue --ca pki/dev_subca --csr x.csr --profile device --san FOO:x
[ ! -e x.crt ] || fail "x.crt written"

note "notAfter is capped at the CA's, with one warning"
pb pki-gen init --profile trustme --out short --days 10 > /dev/null
ca_end=$(openssl x509 -in short/dev_subca.crt -noout -enddate)
newcsr ec-p256 capped
pb pki-gen issue --ca short/dev_subca --csr capped.csr --profile device --days 365 --out capped.crt 2> cap.err
assert_eq "$(openssl x509 -in capped.crt -noout -enddate)" "$ca_end" "notAfter not capped at the CA's"
grep -q "^provbox: pki-gen: warning: notAfter capped at the CA's (" cap.err || fail "no cap warning: $(cat cap.err)"
openssl verify -CAfile short/gen_rootca.crt -untrusted short/dev_subca.crt capped.crt > /dev/null || fail "capped chain"
note "a batch warns once"
pb pki-gen issue --ca short/dev_subca --csr csrs --profile device --days 365 --out capped-certs 2> cap.err
assert_eq "$(grep -c 'notAfter capped' cap.err)" 1 "warnings over a batch"
for f in capped-certs/*.crt; do
	assert_eq "$(openssl x509 -in "$f" -noout -enddate)" "$ca_end" "$f notAfter"
done
note "within the CA's validity: no cap, no warning"
pb pki-gen issue --ca short/dev_subca --csr capped.csr --profile device --days 5 --out five.crt 2> cap.err
[ ! -s cap.err ] || fail "unexpected stderr: $(cat cap.err)"
end=$(openssl x509 -in five.crt -noout -enddate | cut -d= -f2)
[ $(( $(date -d "$end" +%s) - $(date +%s) )) -le $((5 * 86400)) ] || fail "--days 5 not honoured: $end"
note "sub CAs of init end no later than their root"
for pair in gen_rootca:dev_subca gen_rootca:guestos_subca ssig_rootca:ssig_subca; do
	r=$(openssl x509 -in "short/${pair%%:*}.crt" -noout -enddate | cut -d= -f2)
	s=$(openssl x509 -in "short/${pair##*:}.crt" -noout -enddate | cut -d= -f2)
	[ "$(date -d "$s" +%s)" -le "$(date -d "$r" +%s)" ] || fail "${pair##*:} outlives ${pair%%:*}"
done
