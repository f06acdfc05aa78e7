# connect against openssl s_server -Verify 1 -verify_return_error on
# loopback: client keys file: EC P-256 / P-384 / RSA-2048, tpm: (sim) and
# tee: (sim) P-256 / RSA-2048, server certificates P-256 and RSA-2048; accepted with a
# Device Sub CA certificate (the server logs CN=serial:...), echo through
# s_server -rev; refused with the right exit code and message otherwise.
# The target flavour (no simulators) runs everything with file: keys.
. "$PB_TESTS/e2e/lib.sh"
needs_cmd openssl python3 timeout
gate_tpm    # csr --create and certstore add ask the lifecycle gate: a swtpm in the target flavour

pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	if command -v stop_swtpm >/dev/null 2>&1; then stop_swtpm; fi
	for p in $pids; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

# start_server NAME ARGS...: s_server on a free loopback port, waiting
# until it listens; sets $port and logs to NAME.log.
start_server() {
	name=$1; shift
	port=$(free_port)
	openssl s_server -accept "127.0.0.1:$port" -Verify 1 -verify_return_error -CAfile pki/gen_rootca.crt \
		-rev "$@" >"$name.log" 2>&1 <empty &
	pids="$pids $!"
	i=0
	until grep -q '^ACCEPT' "$name.log" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat "$name.log" >&2; fail "s_server $name did not start"; }
		sleep 0.1
	done
	eval "port_$name=$port"
}

# conn PORT KEY CERT [ARGS...]: connect with the Device Sub CA chain
# (servername $SN or localhost, anchors $CA or the P-256 server's CA),
# bounded in time whatever happens; output in out.txt.
conn() {
	p=$1 k=$2 c=$3; shift 3
	timeout 30 "$PROVBOX" connect --host 127.0.0.1 --port "$p" --servername "${SN:-localhost}" --key "$k" \
		--cert "$c" --chain pki/dev_subca.crt --ca "${CA:-srv/ca.crt}" --linger 1 "$@" >out.txt
}

: > empty   # stdin with nothing to send (not /dev/null: other jobs on this machine have replaced it)
note "PKI: trust|me hierarchy (Device Sub CA) and two TLS servers (P-256, RSA-2048)"
pb pki-gen init --profile trustme --out pki >/dev/null
pb pki-gen init --profile simple --out srv >/dev/null
pb pki-gen init --profile simple --alg rsa-2048 --out srvrsa >/dev/null
cat srvrsa/ca.crt >> both-cas.crt; cat srv/ca.crt >> both-cas.crt

note "device keys and certificates from the Device Sub CA"
keys="file:ec.pem,ec-p256,F-EC file:rsa.pem,rsa-2048,F-RSA file:p384.pem,ec-p384,F-P384"
# the P-256 key of the one-off checks below: in the TPM where there is one
sign_key=file:ec.pem sign_crt=F-EC.crt
if [ "${PB_E2E_TARGET:-0}" != 1 ]; then
	keys="$keys tpm:0x81000002,ec-p256,T-EC tpm:0x81000003,rsa-2048,T-RSA"
	sign_key=tpm:0x81000002 sign_crt=T-EC.crt
	# the simulated TEE's token, its user PIN for every tee: key operation
	PROVBOX_SO_PIN=12345678 pb tee init --label token0 >/dev/null
	PROVBOX_SO_PIN=12345678 PROVBOX_NEW_PIN=1234 pb tee init-pin >/dev/null
	export PROVBOX_PIN=1234
	keys="$keys tee:key0,ec-p256,E-EC tee:key1,rsa-2048,E-RSA"
fi
for kas in $keys; do
	k=${kas%%,*}; rest=${kas#*,}; alg=${rest%%,*}; sn=${rest#*,}
	pb csr --key "$k" --create --alg "$alg" --subject "/CN=serial:$sn" --out "$sn.csr" $PB_TPM_OPT
	pb pki-gen issue --ca pki/dev_subca --csr "$sn.csr" --profile device --days 30 --out "$sn.crt"
done

start_server ec -cert srv/system.crt -key srv/system.key
start_server rsa -cert srvrsa/system.crt -key srvrsa/system.key

for srv in ec rsa; do
	eval "p=\$port_$srv"
	for kas in $keys; do
		k=${kas%%,*}; sn=${kas##*,}
		note "server $srv, client $k: accepted, server sees CN=serial:$sn, echo"
		printf 'hello %s\n' "$sn" | CA=both-cas.crt conn "$p" "$k" "$sn.crt" \
			|| { cat out.txt; fail "connect $srv $k"; }
		grep -q "^connected: 127.0.0.1:$p TLSv1.2 ECDHE-" out.txt || fail "no summary line"
		grep -q "^server: /O=provbox/CN=system$" out.txt || fail "server subject"
		grep -q "^$(printf 'hello %s' "$sn" | rev)$" out.txt || { cat out.txt; fail "no reversed echo"; }
		grep -q "CN = serial:$sn" "$srv.log" || fail "server log lacks CN = serial:$sn"
	done
done
grep -q "Ciphersuite: ECDHE-RSA-AES" rsa.log || fail "RSA server: not an ECDHE-RSA suite"
grep -q "Ciphersuite: ECDHE-ECDSA-AES" ec.log || fail "EC server: not an ECDHE-ECDSA suite"
# the P-384 key signs its CertificateVerify with SHA-384, the others SHA-256
grep -A2 "CN = serial:F-P384" ec.log | grep -q "Hash used: SHA384" || fail "P-384 key: not SHA-384"

if [ "${PB_E2E_TARGET:-0}" != 1 ]; then
	note "a tee: key without a PIN source: exit 2 naming it (stdin is the data, never read for it)"
	unset PROVBOX_PIN
	expect_exit 2 conn "$port_ec" tee:key0 E-EC.crt <empty
	expect_one_line_error connect
	expect_stderr "PROVBOX_PIN"
	echo 1234 > pin
	conn "$port_ec" tee:key0 E-EC.crt --pin-file pin <empty || fail "--pin-file"
fi

note "--json and <empty: summary only, clean close"
conn "$port_ec" "$sign_key" "$sign_crt" --json <empty
python3 -c 'import json, sys
d = json.loads(open("out.txt").read())
want = {"peer": "127.0.0.1:" + sys.argv[1], "protocol": "TLSv1.2", "suite": "ECDHE-ECDSA-AES128-GCM-SHA256",
	"server_subject": "/O=provbox/CN=system", "server_issuer": "/O=provbox/CN=CA"}
sys.exit(0 if d == want else "--json: %r" % d)' "$port_ec" || fail "--json"

note "client certificate from another CA: the server refuses it (exit 5)"
pb pki-gen issue --ca srv/ca --csr F-EC.csr --profile device --out other.crt
expect_exit 5 conn "$port_ec" file:ec.pem other.crt <empty
expect_one_line_error connect
expect_stderr "handshake: server rejected our certificate (alert 48 unknown_ca)"

note "certificate of another key: refused before connecting (exit 5)"
expect_exit 5 conn "$port_ec" "$sign_key" F-RSA.crt <empty
expect_one_line_error connect
expect_stderr "F-RSA.crt is not the certificate of key $sign_key"

note "server certificate not from --ca (exit 5)"
CA=srvrsa/ca.crt
expect_exit 5 conn "$port_ec" file:ec.pem F-EC.crt <empty
unset CA
expect_one_line_error connect
expect_stderr "handshake: server certificate: not signed by a trusted CA"

note "--servername the certificate does not carry, and an IP it does not carry (exit 5)"
SN=wrong.example
expect_exit 5 conn "$port_ec" file:ec.pem F-EC.crt <empty
unset SN
expect_one_line_error connect
expect_stderr "server certificate: not issued for 'wrong.example'"
expect_exit 5 timeout 30 "$PROVBOX" connect --host 127.0.0.1 --port "$port_ec" --key file:ec.pem \
	--cert F-EC.crt --ca srv/ca.crt <empty
expect_stderr "server certificate: not issued for '127.0.0.1'"

note "a server certificate with iPAddress 127.0.0.1 matches --host 127.0.0.1"
openssl ecparam -name prime256v1 -genkey -noout -out ip.key 2>/dev/null
openssl req -new -key ip.key -subj "/CN=ip" -out ip.csr
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n' > ip.ext
openssl x509 -req -in ip.csr -CA srv/ca.crt -CAkey srv/ca.key -CAcreateserial -days 2 -extfile ip.ext \
	-out ip.crt 2>/dev/null
start_server ip -cert ip.crt -key ip.key
timeout 30 "$PROVBOX" connect --host 127.0.0.1 --port "$port_ip" --key file:ec.pem --cert F-EC.crt \
	--chain pki/dev_subca.crt --ca srv/ca.crt <empty | grep -q "^server: /CN=ip$" || fail "IP SAN"

note "the server accepts only SHA-384 signatures; a P-256 key signs SHA-256 only"
start_server sha384 -cert srv/system.crt -key srv/system.key -client_sigalgs ECDSA+SHA384:RSA+SHA384
expect_exit 1 conn "$port_sha384" "$sign_key" "$sign_crt" <empty
expect_one_line_error connect
expect_stderr "the server accepts no signature algorithm our key makes (ECDSA with SHA-256)"
conn "$port_sha384" file:p384.pem F-P384.crt <empty || fail "P-384 key with SHA-384"

note "a server that asks to renegotiate (with a client certificate): refused, exit 1"
# s_server reads commands on stdin ("R": renegotiate, asking for a client
# certificate); both stdins are FIFOs held open here, so "R" goes in only
# once the connection is up and connect's stdin stays open meanwhile.
mkfifo reneg.cmd reneg.in
exec 3<>reneg.cmd 4<>reneg.in
port_reneg=$(free_port)
openssl s_server -accept "127.0.0.1:$port_reneg" -Verify 1 -verify_return_error -CAfile pki/gen_rootca.crt \
	-cert srv/system.crt -key srv/system.key -naccept 1 <reneg.cmd >reneg.log 2>&1 &
pids="$pids $!"
i=0
until grep -q '^ACCEPT' reneg.log 2>/dev/null; do i=$((i + 1)); [ $i -lt 100 ] || fail "s_server reneg"; sleep 0.1; done
conn "$port_reneg" "$sign_key" "$sign_crt" <reneg.in 2>"$PB_WORK/stderr" &
cpid=$!; pids="$pids $cpid"
i=0
until grep -q '^CIPHER is' reneg.log; do i=$((i + 1)); [ $i -lt 300 ] || fail "no connection"; sleep 0.1; done
echo R >&3
set +e
wait $cpid
rc=$?
set -e
exec 3>&- 4>&-
assert_eq "$rc" 1 "exit code after a refused renegotiation"
expect_one_line_error connect
expect_stderr "connection: the server ended it with alert"
grep -q "no renegotiation" reneg.log || fail "the server did not see our refusal"

note "a server that never answers: handshake timeout, no hang (exit 1)"
python3 -c 'import socket,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(8)
print(s.getsockname()[1], flush=True); time.sleep(120)' > silent.port &
pids="$pids $!"
i=0; until [ -s silent.port ]; do i=$((i + 1)); [ $i -lt 100 ] || fail "listener"; sleep 0.1; done
expect_exit 1 conn "$(cat silent.port)" file:ec.pem F-EC.crt --timeout 2 <empty
expect_one_line_error connect
expect_stderr "handshake: no answer from the server within 2 s"

note "a server that hangs up at once: exit 1, said so"
python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(8)
print(s.getsockname()[1], flush=True)
while True:
	c, _ = s.accept(); c.close()' > hangup.port &
pids="$pids $!"
i=0; until [ -s hangup.port ]; do i=$((i + 1)); [ $i -lt 100 ] || fail "listener"; sleep 0.1; done
expect_exit 1 conn "$(cat hangup.port)" file:ec.pem F-EC.crt <empty
expect_one_line_error connect
expect_stderr "handshake: the server closed the connection"

note "nobody listening: exit 1"
dead=$(free_port)
expect_exit 1 conn "$dead" file:ec.pem F-EC.crt <empty
expect_stderr "TCP connect to 127.0.0.1 port $dead: Connection refused"

note "no --ca: the certificate store's device anchors, none yet is a usage error"
expect_exit 2 pb connect --host 127.0.0.1 --port "$port_ec" --key file:ec.pem --cert F-EC.crt <empty
expect_stderr "no --ca and no device anchor in the certificate store"
# an anchor of another kind does not count
pb certstore add --kind guestos srv/ca.crt $PB_TPM_OPT >/dev/null
expect_exit 2 timeout 30 "$PROVBOX" connect --host 127.0.0.1 --port "$port_ec" --servername localhost \
	--key file:ec.pem --cert F-EC.crt --chain pki/dev_subca.crt <empty
expect_stderr "no --ca and no device anchor"
pb certstore add --kind device srvrsa/ca.crt $PB_TPM_OPT >/dev/null
expect_exit 5 timeout 30 "$PROVBOX" connect --host 127.0.0.1 --port "$port_ec" --servername localhost \
	--key file:ec.pem --cert F-EC.crt --chain pki/dev_subca.crt <empty
expect_stderr "server certificate: not signed by a trusted CA"
pb certstore add --kind device srv/ca.crt $PB_TPM_OPT >/dev/null
timeout 30 "$PROVBOX" connect --host 127.0.0.1 --port "$port_ec" --servername localhost \
	--key file:ec.pem --cert F-EC.crt --chain pki/dev_subca.crt <empty >out.txt || fail "device anchors"
grep -q "^server: /O=provbox/CN=system$" out.txt || fail "device anchors: no summary"

note "usage: bad port, a CSR as --cert"
expect_exit 2 pb connect --host 127.0.0.1 --port 0 --key file:ec.pem --cert F-EC.crt --ca srv/ca.crt
expect_exit 5 pb connect --host 127.0.0.1 --port 1 --key file:ec.pem --cert F-EC.csr --ca srv/ca.crt
pb connect --help | grep -q "TLS 1.2 only" || fail "--help says TLS 1.2 only"
