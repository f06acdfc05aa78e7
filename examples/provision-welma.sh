#!/bin/sh
# examples/provision-welma.sh - the Welma flow (TEE secure storage over
# PKCS#11) end to end; `make demo FLOW=tee` runs it. In the demo the TEE is
# SoftHSM2 with a token directory of its own; on a target it is OP-TEE's
# PKCS#11 library:  TEE=pkcs11:/usr/lib/libckteec.so.0  (token found by label).
# PINs come from the environment here; a real script reads them from files
# or descriptors (--so-pin-file, --pin-fd ...), never from argv.
set -eu
: "${PROVBOX:=provbox}"
: "${SERIAL:=202600000000001}"
work=$(mktemp -d "${TMPDIR:-/tmp}/provbox-welma.XXXXXX")
export PROVBOX_STATE="$work/state"
cd "$work"
step() { printf '\n==> %s\n' "$*"; }
pb() { printf '$ provbox %s\n' "$*"; "$PROVBOX" "$@"; }
check() { printf '$ %s\n' "$*"; "$@"; }

if [ -z "${TEE:-}" ]; then
	module=/usr/lib/softhsm/libsofthsm2.so
	[ -r "$module" ] || { echo "SoftHSM2 missing: make deps" >&2; exit 1; }
	mkdir -p hsm/tokens
	printf 'directories.tokendir = %s/hsm/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$work" > hsm/softhsm2.conf
	export SOFTHSM2_CONF="$work/hsm/softhsm2.conf"
	TEE="pkcs11:$module"
fi
export PROVBOX_SO_PIN=so-pin-2026 PROVBOX_NEW_PIN=user-pin-2026

step "provbox $("$PROVBOX" --version | cut -d' ' -f2-): Welma flow, TEE $TEE, state in $PROVBOX_STATE"

step "Device: initialise the TEE's token (SO PIN) and set the user PIN"
pb tee init --tee "$TEE" --label token0
pb tee init-pin --tee "$TEE,token=token0"
pb tee status --tee "$TEE,token=token0"

step "Device: generate the non-extractable key0 in secure storage and the CSR CN=serial:$SERIAL"
export PROVBOX_PIN=$PROVBOX_NEW_PIN
pb csr --tee "$TEE,token=token0" --key tee:key0 --create --alg rsa-2048 \
	--subject "/CN=serial:$SERIAL" --out device.csr
check openssl req -in device.csr -noout -verify -subject
pb tee list --tee "$TEE,token=token0"

step "Provisioning station: a CA (Welma's simple PKI) issues the device certificate"
pb pki-gen init --profile simple --out pki
pb pki-gen issue --ca pki/ca --csr device.csr --profile device --days 365 --out device.crt
check openssl verify -CAfile pki/ca.crt device.crt

step "Device: the certificate holds key0's public key (the private key never left the TEE)"
openssl req -in device.csr -noout -pubkey > csr.pub
openssl x509 -in device.crt -noout -pubkey > crt.pub
check cmp csr.pub crt.pub
echo "same public key"

if "$PROVBOX" --list | grep -qx certstore; then
	step "Device: install the CA as device anchor and the device certificate"
	pb certstore add --kind device pki/ca.crt
	pb certstore install --tee "$TEE,token=token0" --cert device.crt --key tee:key0
	pb certstore list
	installed="installed in the certstore"
else
	installed="issued (certstore not in this build yet: install step skipped)"
fi

echo
echo "Provisioned: key tee:key0 in token0 ($TEE), certificate $work/device.crt $installed"
