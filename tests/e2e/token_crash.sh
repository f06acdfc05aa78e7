# token change-pin killed with SIGKILL at random instants, 200 times:
# afterwards the token always opens with the old PIN or with the new one
# (never neither), never reports damage, and its container key survives.
. "$PB_TESTS/e2e/lib.sh"
gate_tpm
TRIALS=${PB_CRASH_TRIALS:-200}
now_us() { echo $(( $(date +%s%N) / 1000 )); }
unlock_with() { PROVBOX_PIN=$1 "$PROVBOX" token unlock > /dev/null 2> unlock.err; }

PROVBOX_PIN=pin-a "$PROVBOX" token create $PB_TPM_OPT > /dev/null
PROVBOX_PIN=pin-a "$PROVBOX" token wrap --name c > /dev/null
key=$(PROVBOX_PIN=pin-a "$PROVBOX" token unwrap --name c --hex)

# How long an uninterrupted change-pin takes here: kills are spread over
# 0 .. 1.2 times that, so that every step of it gets hit.
start=$(now_us)
PROVBOX_PIN=pin-a PROVBOX_NEW_PIN=pin-b "$PROVBOX" token change-pin > /dev/null
span=$(( ($(now_us) - start) * 12 / 10 ))
note "change-pin takes about $((span * 10 / 12)) us; killing it $TRIALS times within $span us"
cur=pin-b
old_won=0 new_won=0
i=0
while [ $i -lt $TRIALS ]; do
	i=$((i + 1))
	[ $cur = pin-a ] && next=pin-b || next=pin-a
	delay_us=$(awk -v s="$i$$" -v span="$span" 'BEGIN { srand(s); printf "%d", rand() * span }')
	PROVBOX_PIN=$cur PROVBOX_NEW_PIN=$next "$PROVBOX" token change-pin > /dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v us="$delay_us" 'BEGIN { printf "%.6f", us / 1000000 }')"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	set +e
	unlock_with $cur; rc_old=$?
	rc_new=4
	[ $rc_old = 0 ] || { unlock_with $next; rc_new=$?; }
	set -e
	if [ $rc_old = 0 ]; then
		old_won=$((old_won + 1))
	elif [ $rc_new = 0 ]; then
		new_won=$((new_won + 1)); cur=$next
	else
		cat unlock.err >&2
		fail "trial $i (kill after ${delay_us} us): opens with neither PIN (exit $rc_old / $rc_new)"
	fi
	[ $rc_old = 0 ] || [ $rc_old = 4 ] || fail "trial $i: the old PIN gave exit $rc_old"
done
note "old PIN kept: $old_won, new PIN in place: $new_won"
# both outcomes must occur, or the kills did not land inside change-pin
[ $old_won -gt 0 ] && [ $new_won -gt 0 ] || fail "kills never interrupted change-pin midway"
assert_eq "$(PROVBOX_PIN=$cur "$PROVBOX" token unwrap --name c --hex)" "$key" "container key after the trials"
PROVBOX_PIN=$cur "$PROVBOX" token list | grep -q "failed-attempts=0" || fail "failure count not reset"
note "the temporary files of killed writers are gone after the next operation"
left=$(ls "$PROVBOX_STATE/tokens" "$PROVBOX_STATE/tokens/device.containers" | grep -c '\.tmp\.' || true)
assert_eq "$left" 0 "stale temporary files"
