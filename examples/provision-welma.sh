#!/bin/sh
# examples/provision-welma.sh - the Welma flow (a TEE's secure storage over
# PKCS#11) end to end, the tutorial's five steps: initialise the token (SO
# PIN), set the user PIN, key0 and a CSR CN=serial:..., a CA signs it, install
# the device certificate and the CA certificate; then key0 proves the identity
# over TLS. `make demo FLOW=tee` runs it.
#   TEE      sim (default): the simulated secure storage in the state dir;
#            softhsm: SoftHSM2 with a token directory in $WORK/hsm;
#            pkcs11:/usr/lib/libckteec.so.0 on a target (OP-TEE)
#   WORK     the work dir: PKI, CSR, certificates, the state in $WORK/state
#            (default: a new temp dir); SERIAL the device serial
# One line per step, re-runnable on the same $WORK: every step checks
# first whether it holds, a second run changes nothing and exits 0.
# Command output goes to $WORK/log/provision.log. PINs come from the
# environment here; a real script reads them from files or descriptors
# (--so-pin-file, --pin-fd ...), never from argv.
set -eu
: "${PROVBOX:=provbox}"
: "${SERIAL:=202600000000001}"
: "${TEE:=sim}"
: "${WORK:=$(mktemp -d "${TMPDIR:-/tmp}/provbox-welma.XXXXXX")}"
KEY=tee:key0
export PROVBOX_SO_PIN=so-pin-2026 PROVBOX_NEW_PIN=user-pin-2026 PROVBOX_PIN=user-pin-2026
# step, done_, fail, pb, pb_out, expect, s_server, connect_check ...; into $WORK
. "$(dirname "$0")/lib.sh"

# --tee for tee init (finds the token by label, else takes a free one) and
# for everything after it (the token by label)
case $TEE in
sim) tee_init=sim tee_tok=sim what="simulated secure storage" ;;
softhsm)
	module=/usr/lib/softhsm/libsofthsm2.so
	[ -r "$module" ] || { echo "SoftHSM2 missing: make deps" >&2; exit 1; }
	mkdir -p hsm/tokens
	printf 'directories.tokendir = %s/hsm/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$WORK" > hsm/softhsm2.conf
	export SOFTHSM2_CONF="$WORK/hsm/softhsm2.conf"
	tee_init=pkcs11:$module tee_tok=pkcs11:$module,token=token0 what="SoftHSM2" ;;
pkcs11:*) tee_init=$TEE tee_tok=$TEE,token=token0 what="PKCS#11 ${TEE#pkcs11:}" ;;
*) echo "TEE is sim, softhsm or pkcs11:MODULE" >&2; exit 2 ;;
esac

token_status() { "$PROVBOX" tee status --tee "$tee_init" 2>> "$log" | grep "'token0'" || true; }

echo "provbox $("$PROVBOX" --version | cut -d' ' -f2-): Welma flow, TEE $what, work dir $WORK"

step device "tee init --tee $tee_init --label token0"
if [ -n "$(token_status)" ]; then
	done_ "holds: token0 is initialised"
else
	pb tee init --tee "$tee_init" --label token0
	[ -n "$(token_status)" ] || fail "no token0"
	done_ "token0 initialised with the SO PIN"
fi

step device "tee init-pin --tee $tee_tok"
case $(token_status) in
*"user PIN set"*) done_ "holds: the user PIN is set" ;;
*)
	pb tee init-pin --tee "$tee_tok"
	case $(token_status) in *"user PIN set"*) ;; *) fail "user PIN not set" ;; esac
	done_ "user PIN set" ;;
esac

step device "csr --key $KEY --create --alg rsa-2048 --subject /CN=serial:$SERIAL --out device.csr"
if "$PROVBOX" tee list --tee "$tee_tok" --json 2>> "$log" | grep -q '"label": "key0"'; then
	if [ -f device.csr ] && openssl req -in device.csr -noout -verify 2>> "$log" &&
		[ "$(pubkey_of_csr device.csr)" = "$("$PROVBOX" csr --tee "$tee_tok" --key "$KEY" --subject /CN=probe | openssl req -noout -pubkey)" ]; then
		done_ "holds: key0 and its CSR are there"
	else
		pb csr --tee "$tee_tok" --key "$KEY" --subject "/CN=serial:$SERIAL" --out device.csr
		done_ "key0 exists: a new CSR from it"
	fi
else
	pb csr --tee "$tee_tok" --key "$KEY" --create --alg rsa-2048 --subject "/CN=serial:$SERIAL" --out device.csr
	openssl req -in device.csr -noout -verify >> "$log" 2>&1 || fail "openssl req -verify"
	done_ "RSA-2048 key0 made in the TEE (never extractable), CSR signed by it"
fi

step station "pki-gen init --profile simple --out pki"
if [ -f pki/ca.crt ]; then
	done_ "holds: pki/ is there"
else
	pb pki-gen init --profile simple --out pki
	done_ "ca and the TLS server certificate system"
fi

step station "pki-gen issue --ca pki/ca --csr device.csr --profile device --out device.crt"
if [ -f device.crt ] && [ "$(pubkey_of_crt device.crt)" = "$(pubkey_of_csr device.csr)" ]; then
	done_ "holds: device.crt carries key0's public key"
else
	pb pki-gen issue --ca pki/ca --csr device.csr --profile device --days 365 --out device.crt
	openssl verify -CAfile pki/ca.crt device.crt >> "$log" 2>&1 || fail "openssl verify"
	done_ "issued; openssl verify: OK; key0's public key"
fi

step device "certstore add --kind device pki/ca.crt"
add_anchor device pki/ca.crt

step device "certstore install --cert device.crt --key $KEY"
install_cert "installed (chains to the CA, carries key0's public key)" \
	--tee "$tee_tok" --cert device.crt --key "$KEY"

port=$(free_port)
step station "openssl s_server -Verify 1 -verify_return_error -accept 127.0.0.1:$port"
s_server pki/ca.crt pki/system.crt pki/system.key
done_ "listening with pki/system.crt; trusts client certificates from pki/ca"

step device "connect --host 127.0.0.1 --port $port --key $KEY --cert device.crt"
# no --ca: the server must chain to the certstore's device anchor (pki/ca)
connect_check --tee "$tee_tok" --key "$KEY" --cert device.crt
done_ "$suite; the server saw CN=serial:$SERIAL, signed inside the TEE"

echo "Welma device provisioned: key $KEY in token0 ($what), certificate $WORK/device.crt (installed); log $log"
