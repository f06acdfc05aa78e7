# token failures: wrong PINs are counted (exit 4) and slowed, damaged
# token and container files are exit 5 and stay as they were.
. "$PB_TESTS/e2e/lib.sh"
gate_tpm
needs_cmd openssl od dd cmp
T=$PROVBOX_STATE/tokens
with_pin() { p=$1; shift; PROVBOX_PIN=$p "$PROVBOX" "$@"; }
failures() { pb token list | awk -F'\t' -v n="$1" '$1 == n { sub("failed-attempts=", "", $2); print $2 }'; }
# flip FILE OFFSET: invert the low bit of one byte in place
flip() {
	b=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

with_pin right-pin token create $PB_TPM_OPT > /dev/null
with_pin right-pin token wrap --name c1 > /dev/null
k1=$(with_pin right-pin token unwrap --name c1 --hex)
cp "$T/device.p12" good.p12
cp "$T/device.containers/c1.wrap" good.wrap

note "wrong PIN: exit 4, one line, the count grows across runs, nothing else changes"
count=0   # (lib.sh's helpers use $n)
for cmd in "wrap --name c2" "unwrap --name c1 --hex" "unlock"; do
	count=$((count + 1))
	expect_exit 4 with_pin wrong-pin token $cmd
	expect_one_line_error token
	expect_stderr "wrong PIN ($count failed attempt"
	assert_eq "$(failures device)" "$count" "failed attempts after $count"
	cmp -s good.p12 "$T/device.p12" || fail "a wrong PIN changed the token"
done
expect_stderr "3 failed attempts; the next one waits 1s"
[ ! -e "$T/device.containers/c2.wrap" ] || fail "wrap with a wrong PIN made a key"
cmp -s good.wrap "$T/device.containers/c1.wrap" || fail "container file changed"

note "the right PIN (after the back-off) opens and resets the count"
assert_eq "$(with_pin right-pin token unwrap --name c1 --hex)" "$k1" "container key"
assert_eq "$(failures device)" 0 "count after success"

note "back-off schedule: free, then 1 2 4 ... s, capped at 60 s (unit tests check the function)"
pb token --help | grep -q "after 3 in a row each attempt waits 1, 2, 4 ... 60 s" || fail "help"

# check_damaged NAME: the damaged token file gives exit 5 with the right
# and a wrong PIN, and is left as it was; then the good file goes back.
check_damaged() {
	cp "$T/device.p12" damaged.p12
	for pin in right-pin wrong-pin; do
		expect_exit 5 with_pin $pin token unlock
		expect_one_line_error token
		cmp -s damaged.p12 "$T/device.p12" || fail "$1: the damaged file was changed"
	done
	cp good.p12 "$T/device.p12"
	with_pin right-pin token unlock > /dev/null
}

note "truncated token files: exit 5"
size=$(wc -c < good.p12)
for cut in 0 1 10 $((size / 2)) $((size - 1)); do
	head -c $cut good.p12 > "$T/device.p12"
	check_damaged "cut at $cut"
done
cp good.p12 "$T/device.p12"
printf 'x' >> "$T/device.p12"
check_damaged "a byte appended"

note "bit flips anywhere (header, safes, key bag, MAC, iterations): exit 5"
for off in 1 5 40 $((size / 3)) $((size / 2)) $((size - 60)) $((size - 30)) $((size - 1)); do
	cp good.p12 "$T/device.p12"
	flip "$T/device.p12" $off
	check_damaged "bit flip at $off"
done

note "a damaged state file is exit 5 too"
cp "$T/device.state" good.state
head -c 5 good.state > "$T/device.state"
expect_exit 5 with_pin right-pin token unlock
expect_one_line_error token
cp good.state "$T/device.state"

note "container files: flipped, renamed or from another token are exit 5"
cp good.wrap "$T/device.containers/c1.wrap"
flip "$T/device.containers/c1.wrap" 30
expect_exit 5 with_pin right-pin token unwrap --name c1 --hex
expect_one_line_error token
expect_stderr "integrity check failed"
cp good.wrap "$T/device.containers/other.wrap"
expect_exit 5 with_pin right-pin token unwrap --name other --hex
flip "$T/device.containers/other.wrap" 2
expect_exit 5 with_pin right-pin token unwrap --name other --hex
expect_stderr "not a provbox wrapped key"
with_pin pin-two token create $PB_TPM_OPT --name two > /dev/null
mkdir -p "$T/two.containers"
cp good.wrap "$T/two.containers/c1.wrap"
expect_exit 5 with_pin pin-two token unwrap --token two --name c1 --hex
expect_stderr "wrapped under another token"
cp good.wrap "$T/device.containers/c1.wrap"
assert_eq "$(with_pin right-pin token unwrap --name c1 --hex)" "$k1" "good file back"

note "a token that does not exist: exit 1"
expect_exit 1 with_pin right-pin token unlock --name nosuch
expect_one_line_error token
