# token: create, unlock, PIN sources, change-pin, wrap/unwrap, list, remove.
. "$PB_TESTS/e2e/lib.sh"
gate_tpm
needs_cmd openssl
T=$PROVBOX_STATE/tokens
# PINs for one command only (an assignment before a shell function may stay set)
with_pin() { p=$1; shift; PROVBOX_PIN=$p "$PROVBOX" "$@"; }
with_pins() { p=$1; n=$2; shift 2; PROVBOX_PIN=$p PROVBOX_NEW_PIN=$n "$PROVBOX" "$@"; }

note "create --dev: PIN trustme, with a warning; files 0600 in a 0700 dir"
pb token create $PB_TPM_OPT --dev > out 2> err
grep -q "warning: development token: the PIN is the default 'trustme'" err || fail "no --dev warning"
grep -q "token device created" out || fail "create output: $(cat out)"
assert_mode "$T" 700
assert_mode "$T/device.p12" 600
assert_mode "$T/device.state" 600

note "a second create is refused, --force replaces"
expect_exit 1 pb token create $PB_TPM_OPT --dev
expect_one_line_error token
expect_stderr "exists"
before=$(openssl pkcs12 -in "$T/device.p12" -passin pass:trustme -nokeys | openssl x509 -noout -fingerprint)
pb token create $PB_TPM_OPT --dev --force > /dev/null 2>&1
after=$(openssl pkcs12 -in "$T/device.p12" -passin pass:trustme -nokeys | openssl x509 -noout -fingerprint)
[ "$before" != "$after" ] || fail "--force did not make a new token"

note "PIN sources: --pin-fd, --pin-file, \$PROVBOX_PIN; no source and no tty is exit 2"
echo trustme > pin.txt
pb token unlock --pin-file pin.txt | grep -q "PIN correct (ec-p256 key, certificate /CN=provbox token device)" \
	|| fail "unlock --pin-file"
pb token unlock --pin-fd 3 3< pin.txt > /dev/null
with_pin trustme token unlock > /dev/null
expect_exit 2 pb token unlock < /dev/null
expect_one_line_error token
expect_exit 2 pb token unlock --pin-fd 3 --pin-fd 4 3< pin.txt 4< pin.txt

note "create without --dev needs a PIN of 4 characters at least"
expect_exit 2 with_pin abc token create $PB_TPM_OPT --name short
[ ! -e "$T/short.p12" ] || fail "a token with a short PIN was created"
with_pin longer-pin token create $PB_TPM_OPT --name second --alg rsa-2048 > /dev/null
openssl pkcs12 -in "$T/second.p12" -passin pass:longer-pin -nokeys -noout || fail "openssl: second token"

note "wrap / unwrap: 32 random bytes, same every time, different per container"
export PROVBOX_PIN=trustme
pb token wrap --name rootfs | grep -q "wrapped under token device" || fail "wrap output"
assert_mode "$T/device.containers/rootfs.wrap" 600
assert_mode "$T/device.containers" 700
pb token unwrap --name rootfs > k1.bin
assert_eq "$(wc -c < k1.bin)" 32 "raw key size"
k1=$(pb token unwrap --name rootfs --hex)
assert_eq "$k1" "$(od -An -tx1 k1.bin | tr -d ' \n')" "hex and raw differ"
pb token unwrap --name rootfs --out-fd 5 5> k2.bin
cmp -s k1.bin k2.bin || fail "--out-fd differs"
pb token unwrap --name rootfs --out k3.bin
cmp -s k1.bin k3.bin || fail "--out differs"
assert_mode k3.bin 600
pb token wrap --name data > /dev/null
[ "$(pb token unwrap --name data --hex)" != "$k1" ] || fail "two containers, one key"
expect_exit 1 pb token wrap --name rootfs
expect_stderr "exists"
assert_eq "$(pb token unwrap --name rootfs --hex)" "$k1" "a refused wrap changed the key"
expect_exit 1 pb token unwrap --name nosuch --hex
expect_exit 2 pb token unwrap --name rootfs --out x --out-fd 1

note "container and token names cannot escape"
for bad in ../x .x a/b "" x..y/z; do
	expect_exit 2 pb token wrap --name "$bad"
	expect_exit 2 pb token unlock --name "$bad"
done
[ ! -e "$PROVBOX_STATE/x.wrap" ] && [ ! -e "$T/x.wrap" ] || fail "a file escaped"

note "wrap on the second token: --token picks it; keys are per token"
with_pin longer-pin token wrap --token second --name rootfs > /dev/null
[ "$(with_pin longer-pin token unwrap --token second --name rootfs --hex)" != "$k1" ] \
	|| fail "two tokens, one key"

note "change-pin: new PIN from \$PROVBOX_NEW_PIN, --new-pin-fd, --new-pin-file"
with_pins trustme pin-number-2 token change-pin | grep -q "PIN changed" || fail "change-pin output"
expect_exit 4 pb token unlock
assert_eq "$(with_pin pin-number-2 token unwrap --name rootfs --hex)" "$k1" "key lost by change-pin"
echo pin-number-3 > new.txt
with_pin pin-number-2 token change-pin --new-pin-file new.txt > /dev/null
printf 'pin-number-3\npin-number-4\n' > both.txt
pb token change-pin --pin-fd 3 --new-pin-fd 3 3< both.txt > /dev/null
assert_eq "$(with_pin pin-number-4 token unwrap --name rootfs --hex)" "$k1" "key lost"
expect_exit 2 with_pins pin-number-4 abc token change-pin
expect_stderr "at least 4"
with_pin pin-number-4 token unlock > /dev/null
expect_exit 4 with_pin pin-number-3 token unlock

note "list: tokens, failed attempts, containers; --json"
pb token list > list.txt
grep -q "^device	failed-attempts=1	containers=data,rootfs$" list.txt || { cat list.txt; fail "list"; }
grep -q "^second	failed-attempts=0	containers=rootfs$" list.txt || { cat list.txt; fail "list second"; }
pb token list --json > list.json
python3 -c 'import json, sys; t = {x["name"]: x for x in json.load(sys.stdin)["tokens"]}
assert t["device"] == {"name": "device", "failed_attempts": 1, "containers": ["data", "rootfs"]}, t
assert t["second"]["containers"] == ["rootfs"], t' < list.json || { cat list.json; fail "list --json"; }

note "remove: refused while container keys exist, --force removes them too"
expect_exit 1 pb token remove $PB_TPM_OPT --name second
expect_stderr "still wraps 1 container key"
pb token remove $PB_TPM_OPT --name second --force | grep -q "removed" || fail "remove output"
[ ! -e "$T/second.p12" ] && [ ! -e "$T/second.containers" ] || fail "remove left files"
expect_exit 1 pb token remove $PB_TPM_OPT --name second
pb token list | grep -q "^second" && fail "removed token still listed"
true
