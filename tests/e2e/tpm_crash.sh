# The simulated TPM's NV save (STATE/tpm/permall) killed with SIGKILL at
# random instants of `csr --create --force`, PB_CRASH_TRIALS times (200 by
# default; make check samples fewer, make crash-test runs them all):
# afterwards the state always loads (never "damaged"), the key at the
# handle is the old one, the new one or, between the eviction and the new
# persist, none; and no temporary file is left after the next operation.
. "$PB_TESTS/e2e/lib.sh"
needs_sim
TRIALS=${PB_CRASH_TRIALS:-200}
now_us() { echo $(( $(date +%s%N) / 1000 )); }
h=tpm:0x81000002
create() { "$PROVBOX" csr --key $h --create --force --subject /CN=crash --out c.csr; }
keyid() { "$PROVBOX" csr --key $h --subject /CN=id --out id.csr > /dev/null 2>&1 &&
	"$PROVBOX" csr --show id.csr | sed -n 's/^keyIdentifier: //p'; }

create > /dev/null 2>&1 || fail "first key creation"
start=$(now_us)
create > /dev/null 2>&1 || fail "second key creation"
span=$(( ($(now_us) - start) * 12 / 10 ))
note "csr --create takes about $((span * 10 / 12)) us; killing it $TRIALS times within $span us"
old=0 new=0 none=0 i=0
while [ $i -lt $TRIALS ]; do
	i=$((i + 1))
	was=$(keyid)
	delay_us=$(awk -v s="$i$$" -v span="$span" 'BEGIN { srand(s); printf "%d", rand() * span }')
	"$PROVBOX" csr --key $h --create --force --subject /CN=crash --out c.csr > /dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v us="$delay_us" 'BEGIN { printf "%.6f", us / 1000000 }')"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	set +e
	"$PROVBOX" csr --key $h --subject /CN=after --out after.csr > /dev/null 2> after.err
	rc=$?
	set -e
	case $rc in
	0) "$PROVBOX" csr --verify after.csr > /dev/null || fail "trial $i: the CSR of the surviving key does not verify"
	   [ "$(keyid)" = "$was" ] && old=$((old + 1)) || new=$((new + 1)) ;;
	1) grep -Eq "no key at this handle|not found" after.err || { cat after.err >&2; fail "trial $i (kill after $delay_us us): exit 1"; }
	   none=$((none + 1))
	   create > /dev/null 2>&1 || fail "trial $i: cannot create the key again" ;;
	*) cat after.err >&2; fail "trial $i (kill after $delay_us us): the TPM state does not load (exit $rc)" ;;
	esac
done
note "old key kept: $old, new key in place: $new, none (killed between evict and persist): $none"
# both outcomes must occur, or the kills did not land inside the creation
[ $old -gt 0 ] && [ $new -gt 0 ] || fail "kills never interrupted csr --create midway"
left=$(ls -a "$PROVBOX_STATE/tpm" | grep -c '\.tmp\.' || true)
assert_eq "$left" 0 "stale temporary files in STATE/tpm"
