#!/bin/sh
# Seed corpus of fuzz/fuzz_chain.c: DER certificates back to back (leaf,
# intermediates, anchor) from real PKIs made by provbox and openssl, right
# and wrong: good paths for every profile and algorithm, missing or
# reordered intermediates, a foreign anchor, a sub CA under a pathlen 0 CA,
# a non-CA as issuer, a leaf whose EKU lacks the purpose, v1 CA certificates.
# Usage: PROVBOX=build/provbox fuzz/make_chain_corpus.sh
set -eu
: "${PROVBOX:?set PROVBOX to the binary}"
PROVBOX=$(cd "$(dirname "$PROVBOX")" && pwd)/$(basename "$PROVBOX")
out=$(cd "$(dirname "$0")" && pwd)/corpus/chain
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export PROVBOX_STATE="$work/state"
mkdir -p "$out"
der() { openssl x509 -in "$1" -outform DER; }
keep() { name=$1; shift; for c in "$@"; do der "$c"; done > "$out/$name"; }
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out leaf.key 2>/dev/null
"$PROVBOX" csr --key file:leaf.key --subject /CN=chain-leaf --out leaf.csr
for alg in ec-p256 ec-p384 rsa-2048; do
	p=pki-$alg
	"$PROVBOX" pki-gen init --profile trustme --alg $alg --out $p > /dev/null
	for prof in device server guestos subca; do
		"$PROVBOX" pki-gen issue --ca $p/dev_subca --csr leaf.csr --profile $prof --san DNS:leaf.example \
			--out $prof-$alg.crt > /dev/null 2>&1 || continue
		keep good-$prof-$alg $prof-$alg.crt $p/dev_subca.crt $p/gen_rootca.crt
	done
	keep missing-inter-$alg device-$alg.crt $p/gen_rootca.crt
	keep reordered-$alg device-$alg.crt $p/gen_rootca.crt $p/dev_subca.crt $p/gen_rootca.crt
	keep subca-as-anchor-$alg device-$alg.crt $p/dev_subca.crt
	keep guestos-$alg $p/guestos_subca.crt $p/gen_rootca.crt
	keep ssig-$alg $p/ssig_subca.crt $p/ssig_rootca.crt
	keep foreign-anchor-$alg device-$alg.crt $p/dev_subca.crt $p/ssig_rootca.crt
done
# a sub CA issued under a pathlen 0 sub CA (by openssl, which lets it), then a leaf under it
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out sub2.key 2>/dev/null
openssl req -new -key sub2.key -subj /CN=too-deep -out sub2.csr
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
openssl x509 -req -in sub2.csr -CA pki-ec-p256/dev_subca.crt -CAkey pki-ec-p256/dev_subca.key \
	-CAcreateserial -days 30 -extfile ca.ext -out sub2.crt 2>/dev/null
openssl req -new -key leaf.key -subj /CN=deep-leaf -out deep.csr
openssl x509 -req -in deep.csr -CA sub2.crt -CAkey sub2.key -CAcreateserial -days 30 -out deep.crt 2>/dev/null
keep pathlen-exceeded deep.crt sub2.crt pki-ec-p256/dev_subca.crt pki-ec-p256/gen_rootca.crt
# a leaf "issued" by a non-CA, and a v1 root
openssl x509 -req -in deep.csr -CA device-ec-p256.crt -CAkey leaf.key -CAcreateserial -days 30 -out bynonca.crt 2>/dev/null
keep issued-by-non-ca bynonca.crt device-ec-p256.crt pki-ec-p256/dev_subca.crt pki-ec-p256/gen_rootca.crt
openssl req -new -key sub2.key -subj /CN=v1-root -out v1.csr
openssl x509 -req -in v1.csr -signkey sub2.key -days 30 -out v1root.crt 2>/dev/null
openssl x509 -req -in deep.csr -CA v1root.crt -CAkey sub2.key -CAcreateserial -days 30 -out v1leaf.crt 2>/dev/null
keep v1-root v1leaf.crt v1root.crt
# codeSigning leaf checked for serverAuth lives in the seeds above (purpose from the bytes)
ls "$out" | wc -l
