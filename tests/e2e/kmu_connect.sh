# The KMU identity proves itself over TLS: connect --key kmu:identity
# against openssl s_server -Verify 1 -verify_return_error, the client
# signature made inside the simulated KMU; s_server sees the device's CN.
. "$PB_TESTS/e2e/lib.sh"
needs_sim
needs_cmd openssl timeout
for a in lifecycle connect; do
	"$PROVBOX" --list | grep -qx $a || skip "needs the $a applet, not in this build yet"
done
spid=""
cleanup() { [ -z "$spid" ] || kill "$spid" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

pb pki-gen init --profile trustme --out pki > /dev/null
pb pki-gen init --profile simple --out srv > /dev/null
pb lifecycle advance provisioning --kmu sim > /dev/null
pb kmu gen-huk > /dev/null
pb kmu gen-identity > /dev/null
pb csr --key kmu:identity --subject "/CN=serial:nrf-2026-0001" --out dev.csr
pb pki-gen issue --ca pki/dev_subca --csr dev.csr --profile device --days 30 --out dev.crt
pb lifecycle advance secured --kmu sim > /dev/null

port=$(free_port)
openssl s_server -accept "127.0.0.1:$port" -Verify 1 -verify_return_error -CAfile pki/gen_rootca.crt \
	-rev -cert srv/system.crt -key srv/system.key > s.log 2>&1 < /dev/null &
spid=$!
i=0
until grep -q '^ACCEPT' s.log 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat s.log >&2; fail "s_server did not start"; }
	sleep 0.1
done
note "connect --key kmu:identity (device secured: connect is always allowed)"
echo "hello nordic" | timeout 30 "$PROVBOX" connect --host 127.0.0.1 --port "$port" --servername localhost \
	--key kmu:identity --cert dev.crt --chain pki/dev_subca.crt --ca srv/ca.crt --linger 1 > out.txt
grep -q "ECDHE-ECDSA" out.txt || { cat out.txt; fail "no ECDHE-ECDSA suite"; }
grep -q "cidron olleh" out.txt || { cat out.txt; fail "no echo from s_server -rev"; }
grep -q "serial:nrf-2026-0001" s.log || { cat s.log; fail "s_server did not see the device certificate"; }
