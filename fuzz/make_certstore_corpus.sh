#!/bin/sh
# Regenerate fuzz/corpus/certstore_index from real index files provbox
# writes (empty after a remove, anchors of each kind, with a device
# certificate and chain) plus a few broken ones (bad checksum, truncated,
# out of order, unknown record).
# Usage: PROVBOX=build/provbox fuzz/make_certstore_corpus.sh
set -eu
: "${PROVBOX:?set PROVBOX to the binary}"
PROVBOX=$(cd "$(dirname "$PROVBOX")" && pwd)/$(basename "$PROVBOX")
c=$(cd "$(dirname "$0")" && pwd)/corpus/certstore_index
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export PROVBOX_STATE="$tmp/state"
mkdir -p "$c"
pb() { "$PROVBOX" "$@" > /dev/null; }
ix="$PROVBOX_STATE/certstore/index"

pb pki-gen init --profile trustme --out pki
pb certstore add --kind device pki/gen_rootca.crt
cp "$ix" "$c/one-anchor"
pb certstore add --kind software pki/ssig_rootca.crt
pb certstore add --kind guestos pki/gen_rootca.crt
cp "$ix" "$c/three-anchors"
pb csr --key file:dev.key --create --subject /CN=serial:fuzz --out dev.csr
pb pki-gen issue --ca pki/dev_subca --csr dev.csr --profile device --days 30 --out dev.crt
pb certstore install --cert dev.crt --key file:dev.key --chain pki/dev_subca.crt
cp "$ix" "$c/device-cert"
pb certstore remove --kind software "$(openssl x509 -in pki/ssig_rootca.crt -outform DER | sha256sum | cut -c1-64)"
cp "$ix" "$c/after-remove"
chmod 644 "$c"/*
# broken ones
sed 's/^sha256 ./sha256 0/' "$c/three-anchors" > "$c/bad-checksum"
head -c 100 "$c/three-anchors" > "$c/truncated"
printf 'provbox-certstore 2\nsha256 %064d\n' 0 > "$c/version-2"
{ sed -n 1p "$c/device-cert"; grep '^device-cert' "$c/device-cert"; grep '^anchor' "$c/device-cert"; } > "$c/out-of-order"
{ sed -n 1p "$c/one-anchor"; echo "anchor firmware 00"; } > "$c/unknown-kind"
