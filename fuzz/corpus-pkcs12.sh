#!/bin/sh
# Regenerate the seed corpus of fuzz/fuzz_pkcs12.c with the openssl CLI:
# every protection openssl 3 writes (default, -legacy, 3DES, AES variants,
# no MAC, no encryption), EC and RSA keys, password "fuzz". Most files use
# -noiter -nomaciter (one iteration) so that the fuzzer gets past the MAC
# fast; the 2048-iteration ones exercise the outer parse (fuzz builds cap
# iteration counts, see core/crypto/pbe.h). With $PROVBOX set, our own tokens are
# added too. Usage: PROVBOX=build/provbox fuzz/corpus-pkcs12.sh
set -eu
[ -z "${PROVBOX:-}" ] || PROVBOX=$(cd "$(dirname "$PROVBOX")" && pwd)/$(basename "$PROVBOX")
out=$(cd "$(dirname "$0")" && pwd)/corpus/pkcs12
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.crt \
	-subj /CN=fuzz-ec -days 3650 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.crt -subj /CN=fuzz-rsa -days 3650 2>/dev/null
p12() { name=$1; key=$2; shift 2
	openssl pkcs12 -export -inkey "$key.key" -in "$key.crt" -passout pass:fuzz -out "$out/$name.p12" "$@"
}
for k in ec rsa; do
	p12 "$k-default" $k
	p12 "$k-default-iter1" $k -noiter -nomaciter
	p12 "$k-legacy-iter1" $k -legacy -noiter -nomaciter
	p12 "$k-3des-sha1-iter1" $k -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 -noiter -nomaciter
	p12 "$k-aes256-sha256-iter1" $k -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 -noiter -nomaciter
done
p12 ec-legacy ec -legacy
p12 ec-3des-sha1 ec -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1
p12 ec-aes256-iter10000 ec -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 -iter 10000
p12 ec-aes128-sha512-iter1 ec -keypbe AES-128-CBC -certpbe AES-192-CBC -macalg sha512 -noiter -nomaciter
p12 ec-pbes2-3des-iter1 ec -keypbe DES-EDE3-CBC -certpbe DES-EDE3-CBC -noiter -nomaciter
p12 ec-2des-iter1 ec -keypbe PBE-SHA1-2DES -certpbe PBE-SHA1-2DES -noiter -nomaciter
p12 ec-plain-iter1 ec -keypbe NONE -certpbe NONE -nomaciter
p12 ec-nomac ec -nomac
p12 ec-name-chain-iter1 ec -name "fuzz token" -certfile rsa.crt -noiter -nomaciter
openssl pkcs12 -export -nokeys -in ec.crt -passout pass:fuzz -out "$out/ec-certonly-iter1.p12" -noiter -nomaciter
# our own tokens, as `token create` makes them
if [ -n "${PROVBOX:-}" ]; then
	PROVBOX_STATE=$tmp/state PROVBOX_PIN=fuzz "$PROVBOX" token create > /dev/null
	PROVBOX_STATE=$tmp/state PROVBOX_PIN=fuzz "$PROVBOX" token create --name rsa --alg rsa-2048 > /dev/null
	cp "$tmp/state/tokens/device.p12" "$out/provbox-token-ec.p12"
	cp "$tmp/state/tokens/rsa.p12" "$out/provbox-token-rsa.p12"
fi
