# certstore add and lifecycle advance killed with SIGKILL at random instants:
# afterwards the store and the lifecycle read cleanly and hold the old state
# or the new one. 200 trials each (PB_CRASH_TRIALS); 40 under the sanitizers
# (PB_E2E_SANITIZED=1), where each run is several times slower.
. "$PB_TESTS/e2e/lib.sh"
needs_sim
needs_cmd openssl awk
if [ "${PB_E2E_SANITIZED:-0}" = 1 ]; then TRIALS=${PB_CRASH_TRIALS:-40}; else TRIALS=${PB_CRASH_TRIALS:-200}; fi
now_us() { echo $(( $(date +%s%N) / 1000 )); }
# kill_within SPAN_US CMD...: run CMD, SIGKILL it after a random delay in 0..SPAN_US
kill_within() {
	span=$1; shift
	delay_us=$(awk -v s="$i$$" -v span="$span" 'BEGIN { srand(s); printf "%d", rand() * span }')
	"$@" > /dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v us="$delay_us" 'BEGIN { printf "%.6f", us / 1000000 }')"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
}
fp() { openssl x509 -in "$1" -outform DER | sha256sum | cut -c1-64; }

pb pki-gen init --profile trustme --out pki > /dev/null
pb lifecycle advance provisioning > /dev/null
pb certstore add --kind device pki/gen_rootca.crt > /dev/null
anchor=$(fp pki/ssig_rootca.crt)

note "certstore add"
start=$(now_us)
pb certstore add --kind software pki/ssig_rootca.crt > /dev/null
span=$(( ($(now_us) - start) * 12 / 10 ))
pb certstore remove --kind software "$anchor" > /dev/null
old=0 new=0 i=0
while [ $i -lt $TRIALS ]; do
	i=$((i + 1))
	kill_within $span "$PROVBOX" certstore add --kind software pki/ssig_rootca.crt
	pb certstore list > list.txt 2> list.err || { cat list.err >&2; fail "trial $i (kill after $delay_us us): the store does not read"; }
	grep -q "^device .* $(fp pki/gen_rootca.crt) " list.txt || fail "trial $i: the old anchor is gone"
	if grep -q "^software .* $anchor " list.txt; then
		new=$((new + 1))
		[ $new -gt 3 ] || pb certstore verify --kind software pki/ssig_subca.crt > /dev/null \
			|| fail "trial $i: added anchor does not verify"
		pb certstore remove --kind software "$anchor" > /dev/null
	else
		old=$((old + 1))
	fi
done
note "add killed $TRIALS times within $span us: old store $old, new store $new"
[ $old -gt 0 ] && [ $new -gt 0 ] || fail "kills never interrupted certstore add midway"
note "the temporary files of killed writers are gone after the next change"
pb certstore add --kind software pki/ssig_rootca.crt > /dev/null
left=$(ls "$PROVBOX_STATE/certstore" "$PROVBOX_STATE/certstore/certs" | grep -c '\.tmp\.' || true)
assert_eq "$left" 0 "stale temporary files"

note "lifecycle advance"
start=$(now_us)
PROVBOX_STATE="$PB_WORK/timing" pb lifecycle advance secured > /dev/null
span=$(( ($(now_us) - start) * 12 / 10 ))
seen_a=0 seen_p=0 seen_s=0 i=0
while [ $i -lt $TRIALS ]; do
	i=$((i + 1))
	export PROVBOX_STATE="$PB_WORK/lc"
	rm -rf "$PROVBOX_STATE"
	kill_within $span "$PROVBOX" lifecycle advance secured
	st=$(pb lifecycle status --json 2> st.err) || { cat st.err >&2; fail "trial $i (kill after $delay_us us): lifecycle does not read"; }
	case $st in
	*'"state": "assembly"'*) seen_a=$((seen_a + 1)) ;;
	*'"state": "provisioning"'*) seen_p=$((seen_p + 1)) ;;
	*'"state": "secured"'*) seen_s=$((seen_s + 1)) ;;
	*) fail "trial $i: state $st" ;;
	esac
	# the interrupted advance completes (advance checks the state it reached)
	pb lifecycle advance secured 2> adv.err | grep -q -- "-> secured\|secured (PSA 0x3000), unchanged" \
		|| { cat adv.err >&2; fail "trial $i: advance after the kill"; }
done
note "advance killed $TRIALS times within $span us: assembly $seen_a, provisioning $seen_p, secured $seen_s"
[ $seen_s -gt 0 ] && [ $((seen_a + seen_p)) -gt 0 ] || fail "kills never interrupted lifecycle advance midway"
