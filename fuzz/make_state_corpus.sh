#!/bin/sh
# Regenerate the seed corpora of the state-file harnesses from real files:
#   fuzz/corpus/token_state  tokens/N.state as provbox writes it (fresh, after
#                            failed PINs, after a PIN change)
#   fuzz/corpus/container    tokens/N.containers/C.wrap as provbox writes it,
#                            and files wrapped by openssl under the harness's
#                            fixed key (00 01 .. 1f), so unwrapping succeeds
#   fuzz/corpus/tpm_state    tpm/permall of the simulated TPM (fresh, with a
#                            persistent key)
# Usage: PROVBOX=build/provbox fuzz/make_state_corpus.sh
set -eu
: "${PROVBOX:?set PROVBOX to the binary}"
PROVBOX=$(cd "$(dirname "$PROVBOX")" && pwd)/$(basename "$PROVBOX")
c=$(cd "$(dirname "$0")" && pwd)/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export PROVBOX_STATE="$tmp/state"
mkdir -p "$c/token_state" "$c/container" "$c/tpm_state"
pb() { "$PROVBOX" "$@" > /dev/null 2>&1; }
tok="$PROVBOX_STATE/tokens"

PROVBOX_PIN=pin-a pb token create
cp "$tok/device.state" "$c/token_state/fresh"
PROVBOX_PIN=wrong pb token unlock || true
cp "$tok/device.state" "$c/token_state/one-failure"
PROVBOX_PIN=wrong pb token unlock || true
PROVBOX_PIN=wrong pb token unlock || true
cp "$tok/device.state" "$c/token_state/three-failures"
PROVBOX_PIN=pin-a PROVBOX_NEW_PIN=pin-b pb token change-pin
cp "$tok/device.state" "$c/token_state/after-change-pin"
# the two-digest form a PIN change in flight leaves: our writer's encoding
printf '\060\122\002\001\001\002\001\000\002\004\147\000\000\000\060\104\004\040' > "$c/token_state/two-digests"
head -c 32 /dev/zero >> "$c/token_state/two-digests"
printf '\004\040' >> "$c/token_state/two-digests"
head -c 32 /dev/urandom >> "$c/token_state/two-digests"

for n in 1 2 3; do
	PROVBOX_PIN=pin-b pb token wrap --name c$n
	cp "$tok/device.containers/c$n.wrap" "$c/container/provbox-$n"
done
kek=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
for n in 1 2 3; do
	head -c 32 /dev/urandom > key
	{ printf 'provbox-ckey-v1\n'; openssl enc -id-aes256-wrap-pad -K $kek -iv A65959A6 -in key; } \
		> "$c/container/fixed-key-$n"
done

pb csr --key tpm:0x81000002 --create --subject /CN=fuzz --out x.csr
cp "$PROVBOX_STATE/tpm/permall" "$c/tpm_state/with-key"
rm -rf "$PROVBOX_STATE/tpm"
PROVBOX_PIN=pin-b pb csr --key tpm:0x81000003 --create --alg rsa-2048 --subject /CN=fuzz --out y.csr
cp "$PROVBOX_STATE/tpm/permall" "$c/tpm_state/rsa-key"
head -c 64 "$c/tpm_state/with-key" > "$c/tpm_state/truncated"
