#!/bin/sh
# examples/provision-psa.sh - the Nordic/PSA flow on the simulated KMU;
# `make demo FLOW=kmu` runs it. The device part follows nRF Connect SDK's
# identity_key_generate sample (its lines are the results of those steps):
# verify the PSA lifecycle is ASSEMBLY, move to PROVISIONING, write the
# hardware unique keys (MKEK, MEXT) and the identity key (secp256r1,
# encrypted under MKEK) into KMU slots, check it is written. Then what the
# sample leaves to others: a CSR signed by kmu:identity, a certificate for
# it, SECURED, and the identity proven over TLS.
#   WORK     the work dir: PKI, CSR, certificate, the state in $WORK/state
#            (default: a new temp dir); SERIAL the device serial
# One line per step, re-runnable on the same $WORK: every step checks
# first whether it holds, a second run changes nothing and exits 0; on a
# SECURED device the provisioning steps are skipped. (ERASEALL, `kmu
# erase-all --yes`, takes a device back to ASSEMBLY with every key gone;
# this script does not run it.) Command output: $WORK/log/provision.log.
set -eu
: "${PROVBOX:=provbox}"
: "${SERIAL:=nrf-2026-0001}"
: "${WORK:=$(mktemp -d "${TMPDIR:-/tmp}/provbox-psa.XXXXXX")}"
KEY=kmu:identity
# step, done_, fail, pb, pb_out, expect, s_server, connect_check ...; into $WORK
. "$(dirname "$0")/lib.sh"

# the PSA lifecycle value the KMU holds, e.g. 0x2000
psa() { "$PROVBOX" kmu status --json 2>> "$log" | sed -n 's/.*"psa_lifecycle": "\(0x[0-9a-f]*\)".*/\1/p'; }
expect_psa() { [ "$(psa)" = "$1" ] || fail "PSA lifecycle is $(psa), expected $1 ($2)"; }

echo "provbox $("$PROVBOX" --version | cut -d' ' -f2-): Nordic/PSA flow, simulated KMU, work dir $WORK"
echo "Identity key generation sample started"

step device "kmu status"
pb kmu status
state=$(psa)
case $state in
0x1000) secured=0; done_ "Successfully verified PSA lifecycle state ASSEMBLY!" ;;
0x2000) secured=0; done_ "PROVISIONING (0x2000): an earlier run got this far, it goes on" ;;
0x3000) secured=1; done_ "SECURED (0x3000): the provisioning steps are skipped, the checks run" ;;
*) fail "PSA lifecycle $state" ;;
esac

if [ "$secured" = 0 ]; then
	step device "lifecycle advance provisioning --kmu sim"
	pb lifecycle advance provisioning --kmu sim
	expect_psa 0x2000 PROVISIONING
	[ "$state" = 0x2000 ] && done_ "holds: PROVISIONING" ||
		done_ "Successfully switched to PSA lifecycle state PROVISIONING!"

	step device "kmu gen-huk"
	if "$PROVBOX" kmu status --json 2>> "$log" | grep -q '"name": "mkek"'; then
		done_ "holds: MKEK and MEXT are written"
	else
		pb kmu gen-huk
		done_ "Generating random HUK keys (MKEK in KMU slots 2-3, MEXT in 4-5)"
	fi

	step device "kmu gen-identity"
	if "$PROVBOX" kmu is-written >> "$log" 2>&1; then
		done_ "holds: the identity key is written"
	else
		pb kmu gen-identity
		done_ "Writing the identity key to KMU (KIDENT, slots 6-7, encrypted under MKEK)"
	fi

	step device "kmu is-written"
	pb kmu is-written
	done_ "yes (exit 0)"

	step device "kmu gen-identity (again)"
	expect 1 kmu gen-identity
	done_ "refused by the KMU itself (exit 1): the slots are write-once"

	step device "csr --key $KEY --subject /CN=serial:$SERIAL --out dev.csr"
	"$PROVBOX" kmu read-identity --out log/identity.pem 2>> "$log"
	if [ -f dev.csr ] && openssl req -in dev.csr -noout -verify 2>> "$log" &&
		[ "$(pubkey_of_csr dev.csr)" = "$(cat log/identity.pem)" ]; then
		done_ "holds: dev.csr carries the identity key"
	else
		pb csr --key "$KEY" --subject "/CN=serial:$SERIAL" --out dev.csr
		openssl req -in dev.csr -noout -verify >> "$log" 2>&1 || fail "openssl req -verify"
		[ "$(pubkey_of_csr dev.csr)" = "$(cat log/identity.pem)" ] || fail "the CSR's key is not read-identity's"
		done_ "signed inside the KMU; its key is read-identity's (only the public key leaves)"
	fi

	step station "pki-gen init --profile simple --out pki"
	if [ -f pki/ca.crt ]; then
		done_ "holds: pki/ is there"
	else
		pb pki-gen init --profile simple --out pki
		done_ "ca and the TLS server certificate system"
	fi

	step station "pki-gen issue --ca pki/ca --csr dev.csr --profile device --out dev.crt"
	if [ -f dev.crt ] && [ "$(pubkey_of_crt dev.crt)" = "$(pubkey_of_csr dev.csr)" ]; then
		done_ "holds: dev.crt carries the identity key"
	else
		pb pki-gen issue --ca pki/ca --csr dev.csr --profile device --days 365 --out dev.crt
		openssl verify -CAfile pki/ca.crt dev.crt >> "$log" 2>&1 || fail "openssl verify"
		done_ "issued; openssl verify: OK"
	fi

	step device "lifecycle complete --kmu sim"
	pb lifecycle complete --kmu sim
	expect_psa 0x3000 SECURED
	done_ "SECURED (0x3000): an OTP marker, key generation is closed for good"
fi

step device "kmu gen-identity"
expect 3 kmu gen-identity
done_ "refused, exit 3: the device is SECURED"

step device "kmu is-written"
pb kmu is-written
done_ "yes: the identity key is there"

port=$(free_port)
step station "openssl s_server -Verify 1 -verify_return_error -accept 127.0.0.1:$port"
s_server pki/ca.crt pki/system.crt pki/system.key
done_ "listening with pki/system.crt; trusts client certificates from pki/ca"

step device "connect --host 127.0.0.1 --port $port --key $KEY --cert dev.crt --ca pki/ca.crt"
connect_check --key "$KEY" --cert dev.crt --ca pki/ca.crt
done_ "$suite; the server saw CN=serial:$SERIAL, signed inside the KMU"

echo "Success! Key $KEY (KMU slots 6-7), certificate $WORK/dev.crt, PSA lifecycle SECURED; log $log"
