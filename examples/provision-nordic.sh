#!/bin/sh
# examples/provision-nordic.sh - the Nordic/PSA flow on the simulated KMU,
# step by step as nRF Connect SDK's identity_key_generate sample prints it;
# `make demo FLOW=kmu` runs it. The device: verify the PSA lifecycle is
# ASSEMBLY, move to PROVISIONING, write the hardware unique keys (MKEK,
# MEXT) and the identity key (secp256r1, encrypted under MKEK) into KMU
# slots, check it is written. Then what the sample leaves to others: a
# CSR signed by the identity key, a certificate for it, SECURED, and
# ERASEALL, the one way back.
set -eu
: "${PROVBOX:=provbox}"
work=$(mktemp -d "${TMPDIR:-/tmp}/provbox-nordic.XXXXXX")
export PROVBOX_STATE="$work/state"
cd "$work"
step() { printf '\n==> %s\n' "$*"; }
pb() { printf '$ provbox %s\n' "$*"; "$PROVBOX" "$@"; }
check() { printf '$ %s\n' "$*"; "$@"; }
# the PSA lifecycle value the KMU holds, e.g. 0x2000
psa() { "$PROVBOX" kmu status --json | sed -n 's/.*"psa_lifecycle": "\(0x[0-9a-f]*\)".*/\1/p'; }
expect_psa() {
	[ "$(psa)" = "$1" ] || { echo "PSA lifecycle is $(psa), expected $1 ($2)" >&2; exit 1; }
}

step "provbox $("$PROVBOX" --version | cut -d' ' -f2-), state in $PROVBOX_STATE (simulated KMU)"
echo "Identity key generation sample started"

step "The device is in PSA lifecycle state ASSEMBLY (0x1000)"
pb kmu status
expect_psa 0x1000 ASSEMBLY
echo "Successfully verified PSA lifecycle state ASSEMBLY!"

step "Move to PROVISIONING (0x2000): an OTP marker (left_assembly) that never clears"
pb lifecycle advance provisioning --kmu sim
pb lifecycle status
expect_psa 0x2000 PROVISIONING
echo "Successfully switched to PSA lifecycle state PROVISIONING!"

step "Generating random HUK keys (MKEK in KMU slots 2-3, MEXT in 4-5)"
pb kmu gen-huk

step "Writing the identity key to KMU (KIDENT, slots 6-7, encrypted under MKEK)"
pb kmu gen-identity
pb kmu is-written
pb kmu status

step "Both steps are one-time: a second run is refused by the KMU itself"
set +e
pb kmu gen-identity
rc=$?
set -e
echo "exit code $rc"
[ "$rc" = 1 ]

step "Only the public key ever leaves the KMU; a CSR signed by kmu:identity"
pb kmu read-identity --out identity.pem
check cat identity.pem
pb csr --key kmu:identity --subject "/CN=serial:nrf-2026-0001" --out dev.csr
check openssl req -in dev.csr -verify -noout
check sh -c 'openssl req -in dev.csr -pubkey -noout | cmp - identity.pem && echo "CSR key = read-identity key"'

step "Station: a CA issues the device certificate"
pb pki-gen init --profile simple --out pki
pb pki-gen issue --ca pki/ca --csr dev.csr --profile device --days 365 --out dev.crt
check openssl verify -CAfile pki/ca.crt dev.crt

step "SECURED (0x3000): key generation is closed for good"
pb lifecycle advance secured --kmu sim
expect_psa 0x3000 SECURED
set +e
pb kmu gen-identity
rc=$?
set -e
echo "exit code $rc"
[ "$rc" = 3 ]

step "ERASEALL: every key destroyed, back to ASSEMBLY"
pb kmu erase-all --yes
pb lifecycle status
expect_psa 0x1000 ASSEMBLY
set +e
pb kmu is-written
rc=$?
set -e
echo "exit code $rc"
[ "$rc" = 1 ]

echo
echo "Success!"
