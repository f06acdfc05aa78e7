#!/bin/sh
# Regenerate the seed corpora of fuzz_x509, fuzz_csr and fuzz_esl from real
# files: certificates and CSRs made by openssl and by provbox, signature
# lists made by efitools. Files are named by their SHA-1, like libFuzzer's.
# Usage: PROVBOX=build/provbox fuzz/make_pki_corpus.sh
set -eu
: "${PROVBOX:?set PROVBOX to a built provbox}"
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

keep() {   # keep KIND FILE
	mkdir -p "$top/fuzz/corpus/$1"
	cp "$2" "$top/fuzz/corpus/$1/$(sha1sum < "$2" | cut -c1-40)"
}

i=0
for k in "ec -pkeyopt ec_paramgen_curve:P-256" "ec -pkeyopt ec_paramgen_curve:P-384" "rsa -pkeyopt rsa_keygen_bits:2048" \
	 "rsa -pkeyopt rsa_keygen_bits:3072"; do
	i=$((i + 1))
	openssl genpkey -algorithm $k -out k$i.pem 2>/dev/null
	openssl req -new -key k$i.pem -subj "/C=DE/O=fuzz $i/OU=unit/CN=csr$i" -out r$i.pem
	openssl req -new -key k$i.pem -subj "/CN=san$i" -addext "subjectAltName=DNS:a$i.example,URI:urn:x:$i,email:a@b.example,IP:10.0.0.$i" \
		-addext "keyUsage=digitalSignature" -outform DER -out r$i-san.der
	openssl req -x509 -key k$i.pem -subj "/CN=root$i/serialNumber=$i" -days 30 -out c$i.pem
	openssl req -x509 -key k$i.pem -subj "/CN=leaf$i" -days 30 -outform DER -out c$i-leaf.der \
		-addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature,keyEncipherment" \
		-addext "extendedKeyUsage=serverAuth,clientAuth,codeSigning,emailProtection" \
		-addext "subjectAltName=DNS:leaf$i.example,IP:::1"
	openssl x509 -req -in r$i.pem -key k$i.pem -days 5 -out v1-$i.pem 2>/dev/null
	for f in r$i.pem r$i-san.der; do keep csr $f; done
	for f in c$i.pem c$i-leaf.der v1-$i.pem; do keep x509 $f; done
	cert-to-efi-sig-list c$i.pem e$i.esl
	cert-to-efi-sig-list -g 12345678-1234-1234-1234-1234567890a$i c$i-leaf.der e$i-g.esl 2>/dev/null || \
		{ openssl x509 -inform DER -in c$i-leaf.der -out c$i-leaf.pem; \
		  cert-to-efi-sig-list -g 12345678-1234-1234-1234-1234567890a$i c$i-leaf.pem e$i-g.esl; }
	keep esl e$i.esl
	keep esl e$i-g.esl
done
cat e1.esl e2-g.esl e3.esl > multi.esl
keep esl multi.esl
cat e1.esl e2.esl e3.esl e4.esl e1-g.esl e2-g.esl e3-g.esl e4-g.esl > all.esl
keep esl all.esl

for alg in ec-p256 ec-p384 rsa-2048; do
	"$PROVBOX" pki-gen init --profile trustme --alg $alg --out pki-$alg > /dev/null
	for n in ssig_rootca ssig_subca gen_rootca guestos_subca dev_subca; do
		keep x509 pki-$alg/$n.crt
		i=$((i + 1))
		"$PROVBOX" pki-gen esl --cert pki-$alg/$n.crt --owner "00000000-0000-0000-0000-$(printf %012d $i)" --out $n.esl
		keep esl $n.esl
	done
	keep esl pki-$alg/ssig_subca.esl
	"$PROVBOX" pki-gen issue --ca pki-$alg/dev_subca --csr r1-san.der --profile server --out s-$alg.crt --der
	keep x509 s-$alg.crt
	"$PROVBOX" pki-gen esl --cert s-$alg.crt --owner 01234567-89ab-cdef-0123-456789abcdef --out s-$alg.esl
	keep esl s-$alg.esl
done
"$PROVBOX" pki-gen init --profile simple --out simple > /dev/null
keep x509 simple/ca.crt
keep x509 simple/system.crt
for j in 1 2 3 4 5 6; do
	openssl req -new -key k1.pem -subj "/CN=dev$j/O=trustme/C=DE" -out d$j.pem
	openssl req -new -key k3.pem -subj "/CN=serial:2026-000$j" -addext "subjectAltName=DNS:d$j.local" \
		-addext "challengePassword=pw$j" -outform DER -out d$j.der 2>/dev/null || \
		openssl req -new -key k3.pem -subj "/CN=serial:2026-000$j" -addext "subjectAltName=DNS:d$j.local" -outform DER -out d$j.der
	keep csr d$j.pem
	keep csr d$j.der
done
openssl req -new -key k2.pem -subj "/CN=utf8 Ümlaut/L=München" -utf8 -out u.pem
keep csr u.pem
