#!/bin/sh
# examples/provision-sim.sh - provision one simulated device end to end, the
# way an initramfs script would; `make demo` runs it. Every step is a plain
# provbox call: copy this file as the start of a real provisioning script
# (drop --tpm sim for device:/dev/tpmrm0 on the target).
set -eu
: "${PROVBOX:=provbox}"
work=$(mktemp -d "${TMPDIR:-/tmp}/provbox-demo.XXXXXX")
export PROVBOX_STATE="$work/state"
cd "$work"
step() { printf '\n==> %s\n' "$*"; }
pb() { printf '$ provbox %s\n' "$*"; "$PROVBOX" "$@"; }
check() { printf '$ %s\n' "$*"; "$@"; }

step "provbox $("$PROVBOX" --version | cut -d' ' -f2-), state in $PROVBOX_STATE"
"$PROVBOX" --list | tr '\n' ' '; echo

step "Provisioning station: build the trust|me PKI (Software Signing and Customer hierarchies)"
pb pki-gen init --profile trustme --out pki --alg ec-p256
ls pki

step "Device: a fresh device is in lifecycle 'assembly'; enter provisioning mode"
pb lifecycle status
pb lifecycle advance provisioning

step "Device: the trust anchors (software, guestos and device kinds), re-runnable"
pb certstore add --kind software pki/ssig_rootca.crt
pb certstore add --kind guestos pki/gen_rootca.crt
pb certstore add --kind device pki/gen_rootca.crt
pb certstore add --kind device pki/gen_rootca.crt
pb certstore list

step "Device: create the identity key inside the (simulated) TPM and a CSR signed by it"
pb csr --key tpm:0x81000002 --create --alg ec-p256 --subject "/CN=serial:2026-0001/O=provbox demo" --out dev.csr
pb csr --verify dev.csr
pb csr --show dev.csr

step "Station: the Device Sub CA checks the CSR's signature and issues the device certificate"
pb pki-gen issue --ca pki/dev_subca --csr dev.csr --profile device --days 365 --out dev.crt
check openssl verify -CAfile pki/gen_rootca.crt -untrusted pki/dev_subca.crt dev.crt

step "Device: install the certificate: it must chain to a device anchor and carry the TPM key"
pb certstore verify --kind device dev.crt --chain pki/dev_subca.crt --purpose clientAuth
pb certstore install --cert dev.crt --key tpm:0x81000002 --chain pki/dev_subca.crt

step "Device: the TPM key survives the process; it signs an artifact, openssl checks it"
echo "container manifest v1" > manifest
pb pki-gen sign --key tpm:0x81000002 --cert dev.crt manifest --out manifest.sig
check openssl x509 -in dev.crt -pubkey -noout -out dev.pub
check openssl dgst -sha256 -verify dev.pub -signature manifest.sig manifest

step "Device: the softtoken (development PIN), a new PIN, a wrapped container key"
pb token create --dev
printf '$ PROVBOX_PIN=... PROVBOX_NEW_PIN=... provbox token change-pin\n'
PROVBOX_PIN=trustme PROVBOX_NEW_PIN=demo-pin-2026 "$PROVBOX" token change-pin
printf '$ PROVBOX_PIN=... provbox token wrap --name core0\n'
PROVBOX_PIN=demo-pin-2026 "$PROVBOX" token wrap --name core0
printf '$ PROVBOX_PIN=... provbox token unwrap --name core0 --hex\n'
PROVBOX_PIN=demo-pin-2026 "$PROVBOX" token unwrap --name core0 --hex
pb token list
printf '$ openssl pkcs12 -in %s -passin pass:... -nokeys -info\n' "$PROVBOX_STATE/tokens/device.p12"
openssl pkcs12 -in "$PROVBOX_STATE/tokens/device.p12" -passin pass:demo-pin-2026 -nokeys -info \
	2>&1 | grep -E 'PKCS7|PBES2|MAC|subject'

step "A wrong PIN is refused (exit 4) and counted"
set +e
PROVBOX_PIN=wrong-pin "$PROVBOX" token unlock
rc=$?
set -e
echo "exit code $rc"
[ "$rc" = 4 ]

step "Station: a GuestOS image signed by a signer under the GuestOS Signing Sub CA"
echo "GuestOS image" > guestos.img
pb csr --key file:guestos-signer.key --create --subject "/CN=GuestOS signer" --out gos.csr
pb pki-gen issue --ca pki/guestos_subca --csr gos.csr --profile guestos --days 365 --out gos.crt
pb pki-gen sign --key file:guestos-signer.key --cert gos.crt guestos.img --out guestos.img.sig

step "Device: complete provisioning (lifecycle secured, in the TPM's NV: for good)"
pb lifecycle complete
pb lifecycle status

step "Provisioning operations are now refused (exit 3); normal operation still works"
expect3() {
	printf '$ provbox %s\n' "$*"
	set +e
	"$PROVBOX" "$@"
	rc=$?
	set -e
	echo "exit code $rc"
	[ "$rc" = 3 ]
}
expect3 certstore add --kind device pki/dev_subca.crt
expect3 csr --key tpm:0x81000003 --create --subject /CN=another --out other.csr
expect3 token create --dev
printf '$ PROVBOX_PIN=... provbox token unwrap --name core0 --hex\n'
PROVBOX_PIN=demo-pin-2026 "$PROVBOX" token unwrap --name core0 --hex
pb certstore verify --kind device dev.crt --chain pki/dev_subca.crt
pb certstore verify-signed --kind guestos guestos.img guestos.img.sig gos.crt --chain pki/guestos_subca.crt

echo
echo "Provisioned and secured: TPM key tpm:0x81000002, certificate $work/dev.crt (installed),"
echo "token $PROVBOX_STATE/tokens/device.p12; lifecycle secured (connect comes in the next wave)"
