#!/bin/sh
# examples/provision-trustme.sh - provision one trust|me device end to end,
# the way an initramfs script would; `make demo` runs it on the simulated
# TPM (on a target, add --tpm device:/dev/tpmrm0 to the device steps).
#
# One line per step: what runs and what it found. Every step first checks
# whether it already holds, so the script is re-runnable on the same
# $WORK: a second run changes nothing and exits 0; once the device is
# secured, the provisioning steps are skipped and only the checks and the
# TLS proof run. Command output goes to $WORK/log/provision.log.
#   WORK     the work dir: the station's PKI, the CSR and certificates, and
#            the device state in $WORK/state (default: a new temp dir)
#   SERIAL   the device serial in its certificate (default 2026-0001)
# PINs come from the environment here; a real script reads them from files
# or descriptors (--pin-fd, --new-pin-file ...), never from argv.
set -eu
: "${PROVBOX:=provbox}"
: "${SERIAL:=2026-0001}"
: "${WORK:=$(mktemp -d "${TMPDIR:-/tmp}/provbox-trustme.XXXXXX")}"
PIN=demo-pin-2026    # the token's PIN after change-pin
KEY=tpm:0x81000002   # the device identity key, inside the TPM
unset PROVBOX_PIN PROVBOX_NEW_PIN 2>/dev/null || true
# step, done_, fail, pb, pb_out, expect, s_server, connect_check ...; into $WORK
. "$(dirname "$0")/lib.sh"

lifecycle() { "$PROVBOX" lifecycle status --json 2>> "$log" | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p'; }
# does the TPM hold the key? (a CSR from it to stdout; no --create)
have_key() { "$PROVBOX" csr --key "$KEY" --subject /CN=probe > /dev/null 2>> "$log"; }

echo "provbox $("$PROVBOX" --version | cut -d' ' -f2-): trust|me flow, simulated TPM, work dir $WORK"

step station "pki-gen init --profile trustme --out pki"
if [ -f pki/gen_rootca.crt ]; then
	done_ "holds: pki/ is there"
else
	pb pki-gen init --profile trustme --out pki --alg ec-p256
	[ -f pki/ssig_subca.esl ] && [ -f pki/dev_subca.key ] || fail "no PKI"
	done_ "2 roots, 3 sub CAs, ssig_subca.esl"
fi

step device "lifecycle status"
state=$(lifecycle)
case $state in
assembly|provisioning) secured=0; done_ "$state: provisioning mode" ;;
secured) secured=1; done_ "secured: the provisioning steps are skipped, the checks run" ;;
*) fail "lifecycle state '$state'" ;;
esac

if [ "$secured" = 0 ]; then
	step device "lifecycle advance provisioning"
	pb lifecycle advance provisioning
	[ "$(lifecycle)" = provisioning ] || fail "lifecycle is $(lifecycle)"
	[ "$state" = provisioning ] && done_ "holds: provisioning" || done_ "$state -> provisioning (PSA 0x2000)"

	for ka in software:ssig_rootca guestos:gen_rootca device:gen_rootca; do
		step device "certstore add --kind ${ka%%:*} pki/${ka#*:}.crt"
		add_anchor "${ka%%:*}" "pki/${ka#*:}.crt"
	done

	step device "csr --key $KEY --create --subject /CN=serial:$SERIAL --out dev.csr"
	if have_key; then
		if [ -f dev.csr ] && openssl req -in dev.csr -noout -verify 2>> "$log" &&
			[ "$(pubkey_of_csr dev.csr)" = "$("$PROVBOX" csr --key "$KEY" --subject /CN=probe | openssl req -noout -pubkey)" ]; then
			done_ "holds: the TPM key and its CSR are there"
		else
			# the key exists (an interrupted run): a CSR from it, no new key
			pb csr --key "$KEY" --subject "/CN=serial:$SERIAL/O=provbox demo" --out dev.csr
			done_ "the TPM key exists: a new CSR from it"
		fi
	else
		pb csr --key "$KEY" --create --alg ec-p256 --subject "/CN=serial:$SERIAL/O=provbox demo" --out dev.csr
		pb csr --verify dev.csr
		done_ "P-256 key made in the TPM, CSR signed by it"
	fi

	step station "pki-gen issue --ca pki/dev_subca --csr dev.csr --profile device --out dev.crt"
	if [ -f dev.crt ] && [ "$(pubkey_of_crt dev.crt)" = "$(pubkey_of_csr dev.csr)" ]; then
		done_ "holds: dev.crt carries the CSR's key"
	else
		pb pki-gen issue --ca pki/dev_subca --csr dev.csr --profile device --days 365 --out dev.crt
		openssl verify -CAfile pki/gen_rootca.crt -untrusted pki/dev_subca.crt dev.crt >> "$log" 2>&1 ||
			fail "openssl verify dev.crt"
		done_ "issued; openssl verify: OK"
	fi

	step device "certstore install --cert dev.crt --key $KEY --chain pki/dev_subca.crt"
	install_cert "installed (chains to the device anchor, carries the TPM key)" \
		--cert dev.crt --key "$KEY" --chain pki/dev_subca.crt

	step device "token create --dev"
	if "$PROVBOX" token list --json 2>> "$log" | grep -q '"name": "device"'; then
		created=0; done_ "holds: token device exists"
	else
		pb token create --dev
		created=1; done_ "token device, development PIN"
	fi

	step device "token change-pin"
	# a token made just now has the development PIN; one found here has
	# the new PIN unless an earlier run stopped before this step
	if [ "$created" = 0 ] && PROVBOX_PIN=$PIN "$PROVBOX" token unlock >> "$log" 2>&1; then
		done_ "holds: the PIN is already changed"
	else
		printf '$ PROVBOX_PIN=trustme PROVBOX_NEW_PIN=... provbox token change-pin\n' >> "$log"
		PROVBOX_PIN=trustme PROVBOX_NEW_PIN=$PIN "$PROVBOX" token change-pin >> "$log" 2>&1
		done_ "PIN changed"
	fi

	step device "token wrap --name core0"
	if "$PROVBOX" token list --json 2>> "$log" | grep -q '"containers": \[[^]]*"core0"'; then
		done_ "holds: container key core0 is wrapped"
	else
		printf '$ PROVBOX_PIN=... provbox token wrap --name core0\n' >> "$log"
		PROVBOX_PIN=$PIN "$PROVBOX" token wrap --name core0 >> "$log" 2>&1
		done_ "a random 256-bit key, wrapped under the token"
	fi

	step device "lifecycle complete"
	pb lifecycle complete
	[ "$(lifecycle)" = secured ] || fail "lifecycle is $(lifecycle)"
	done_ "secured (PSA 0x3000), in the TPM's NV: for good"
fi

step device "certstore add --kind device pki/dev_subca.crt"
expect 3 certstore add --kind device pki/dev_subca.crt
done_ "refused, exit 3: the device is secured"

step device "token unwrap --name core0 --hex"
printf '$ PROVBOX_PIN=... provbox token unwrap --name core0 --hex\n' >> "$log"
k=$(PROVBOX_PIN=$PIN "$PROVBOX" token unwrap --name core0 --hex 2>> "$log")
[ "${#k}" = 64 ] || fail "not a 256-bit key: '$k'"
done_ "works: a 256-bit key ($(printf %s "$k" | cut -c1-8)...)"

step device "certstore verify --kind device dev.crt --chain pki/dev_subca.crt --purpose clientAuth"
pb certstore verify --kind device dev.crt --chain pki/dev_subca.crt --purpose clientAuth
done_ "OK"

step station "pki-gen issue --ca pki/gen_rootca --csr server.csr --profile server --out server.crt"
if [ -f server.crt ] && [ "$(pubkey_of_crt server.crt)" = "$(pubkey_of_csr server.csr 2>/dev/null)" ]; then
	done_ "holds: the TLS server certificate is there"
else
	# the station's own key is a file (csr --create of a file: key is not a device step)
	pb csr --key file:server.key --create --subject /CN=localhost --out server.csr --force
	pb pki-gen issue --ca pki/gen_rootca --csr server.csr --profile server --san DNS:localhost --days 365 --out server.crt
	done_ "TLS server certificate CN=localhost from the General Root CA"
fi

port=$(free_port)
step station "openssl s_server -Verify 1 -verify_return_error -accept 127.0.0.1:$port"
s_server pki/gen_rootca.crt server.crt server.key
done_ "listening; trusts client certificates under the General Root CA"

step device "connect --host 127.0.0.1 --port $port --key $KEY --cert dev.crt --chain pki/dev_subca.crt"
# no --ca: the server must chain to the certstore's device anchors
connect_check --key "$KEY" --cert dev.crt --chain pki/dev_subca.crt
done_ "$suite; the server saw CN=serial:$SERIAL, signed by the TPM key"

echo "trust|me device provisioned and secured: key $KEY, certificate $WORK/dev.crt (installed),"
echo "token $PROVBOX_STATE/tokens/device.p12; log $log"
