# Concurrent writers on one state directory lose nothing: every state
# file's read-modify-write holds its lock (core/base/lock.h). Rounds of
# parallel writers of each kind: simulated-TPM key creation, token
# container wraps, wrong-PIN attempts; then --lock-timeout.
. "$PB_TESTS/e2e/lib.sh"
needs_sim
needs_cmd flock

# 20 rounds; 5 under the sanitizers (each process is ~10x slower there)
ROUNDS=20
[ "${PB_E2E_SANITIZED:-0}" = 1 ] && ROUNDS=5
WRITERS=4

# wait_all PID...: every one must exit 0
wait_all() {
	bad=0
	for p in "$@"; do wait "$p" || bad=$((bad + 1)); done
	[ "$bad" = 0 ] || fail "$bad parallel writer(s) failed"
}

note "TPM: $WRITERS parallel 'csr --key tpm:H --create' per state dir, $ROUNDS rounds: every key kept"
r=0
while [ "$r" -lt "$ROUNDS" ]; do
	st="$PB_WORK/tpm.$r"
	pids=""
	i=0
	while [ "$i" -lt "$WRITERS" ]; do
		pb csr --state "$st" --key "tpm:0x8100002$i" --create --subject "/CN=r$r-k$i" \
			--out "c.$r.$i.csr" 2>>"$PB_WORK/tpm.err" &
		pids="$pids $!"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	wait_all $pids
	i=0
	while [ "$i" -lt "$WRITERS" ]; do
		# the key must still be in the TPM, and be the key of the first CSR
		pb csr --state "$st" --key "tpm:0x8100002$i" --subject /CN=again --out "a.$r.$i.csr" \
			2>>"$PB_WORK/tpm.err" || fail "round $r: key 0x8100002$i lost"
		openssl req -in "c.$r.$i.csr" -pubkey -noout > p1.pem
		openssl req -in "a.$r.$i.csr" -pubkey -noout > p2.pem
		cmp -s p1.pem p2.pem || fail "round $r: key 0x8100002$i replaced"
		i=$((i + 1))
	done
	assert_mode "$st/tpm/permall.lock" 600
	r=$((r + 1))
done

note "token: $WRITERS parallel 'token wrap' per round: every container kept"
export PROVBOX_PIN=trustme
pb token create --dev 2>/dev/null >/dev/null
r=0
while [ "$r" -lt "$ROUNDS" ]; do
	pids=""
	i=0
	while [ "$i" -lt "$WRITERS" ]; do
		pb token wrap --name "c$r-$i" > /dev/null 2>>"$PB_WORK/token.err" &
		pids="$pids $!"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	wait_all $pids
	r=$((r + 1))
done
n=$(pb token list | tr '\t' '\n' | sed -n 's/^containers=//p' | tr ',' '\n' | grep -c .)
assert_eq "$n" "$((ROUNDS * WRITERS))" "containers after parallel wraps"
pb token unwrap --name "c0-0" --hex > /dev/null
pb token unwrap --name "c$((ROUNDS - 1))-$((WRITERS - 1))" --hex > /dev/null
assert_mode "$PROVBOX_STATE/tokens/device.lock" 600

note "token: 3 parallel wrong PINs per round (a fresh token each): all 3 counted"
# 3: the attempts free of back-off (PB_TOKEN_FREE_FAILURES)
r=0
while [ "$r" -lt "$ROUNDS" ]; do
	PROVBOX_PIN=trustme pb token create --name "w$r" --dev 2>/dev/null >/dev/null
	pids=""
	for i in 1 2 3; do
		( rc=0; PROVBOX_PIN="wrong$i" pb token unlock --name "w$r" 2>/dev/null || rc=$?; [ "$rc" = 4 ] ) &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait_all $pids
	pb token list --json > list.json
	grep -q "\"name\": \"w$r\", \"failed_attempts\": 3," list.json \
		|| { cat list.json >&2; fail "round $r: a wrong PIN was not counted"; }
	r=$((r + 1))
done

# hold PATH.lock with flock(1) in the background until the file $2 goes
hold_lock() {
	flock "$1" sh -c "touch '$PB_WORK/held'; while [ -e '$2' ]; do sleep 0.05; done" &
	holder=$!
	while [ ! -e "$PB_WORK/held" ]; do sleep 0.02; done
	rm -f "$PB_WORK/held"
}

note "--lock-timeout: the TPM's lock held elsewhere: note after 1 s, exit 1 at the timeout"
touch go
hold_lock "$PB_WORK/tpm.0/tpm/permall.lock" go
expect_exit 1 pb csr --state "$PB_WORK/tpm.0" --key tpm:0x81000020 --subject /CN=t --lock-timeout 2
expect_stderr "^provbox: waiting for the lock on $PB_WORK/tpm.0/tpm/permall (held by another provbox process)$"
expect_stderr "^provbox: csr: $PB_WORK/tpm.0/tpm/permall: lock not acquired within 2 s (--lock-timeout)$"
assert_eq "$(grep -c . "$PB_WORK/stderr")" 2 "lines on stderr"
expect_exit 1 pb csr --state "$PB_WORK/tpm.0" --key tpm:0x81000020 --subject /CN=t --lock-timeout 0
expect_one_line_error csr
expect_stderr "lock not acquired within 0 s"
rm go
wait "$holder"

note "a waiter gets the lock once the holder lets go"
touch go
hold_lock "$PB_WORK/tpm.0/tpm/permall.lock" go
pb csr --state "$PB_WORK/tpm.0" --key tpm:0x81000020 --subject /CN=t --out late.csr 2>late.err &
waiter=$!
sleep 0.3
[ ! -s late.csr ] || fail "the CSR was made while the lock was held"
rm go
wait "$holder"
wait "$waiter" || { cat late.err >&2; fail "the waiter failed after the lock was released"; }
openssl req -in late.csr -verify -noout 2>&1 | grep -q "verify OK" || fail "late CSR"

note "--lock-timeout on the token's lock; bad values are usage errors"
touch go
hold_lock "$PROVBOX_STATE/tokens/device.lock" go
expect_exit 1 pb token unwrap --name c0-0 --lock-timeout 1
expect_stderr "tokens/device: lock not acquired within 1 s (--lock-timeout)"
rm go
wait "$holder"
expect_exit 2 pb token list --lock-timeout 86401
expect_stderr "out of range"
expect_exit 2 pb token list --lock-timeout -1
expect_exit 2 pb token list --lock-timeout 1 --lock-timeout 2
expect_stderr "given twice"

# the parallel writers printed nothing but (on a slow machine) the wait note
if grep -v "^provbox: waiting for the lock on " "$PB_WORK/tpm.err" "$PB_WORK/token.err"; then
	fail "parallel writers printed errors"
fi
