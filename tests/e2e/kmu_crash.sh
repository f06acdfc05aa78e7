# kmu gen-huk, kmu gen-identity and lifecycle advance (KMU OTP) killed
# with SIGKILL at random instants, PB_CRASH_TRIALS times each (200; 40
# under the sanitizers, PB_E2E_SANITIZED=1, to stay near a minute):
# STATE/kmu/slots always reads cleanly and is the old state (byte for
# byte) or the new one, never a half-written pair, and the interrupted
# step completes when run again.
. "$PB_TESTS/e2e/lib.sh"
needs_sim
"$PROVBOX" --list | grep -qx lifecycle ||
	skip "needs the lifecycle applet (lifecycle advance --kmu sim), not in this build yet"
if [ "${PB_E2E_SANITIZED:-0}" = 1 ]; then TRIALS=${PB_CRASH_TRIALS:-40}; else TRIALS=${PB_CRASH_TRIALS:-200}; fi
S=$PROVBOX_STATE
slots=$S/kmu/slots
now_us() { echo $(( $(date +%s%N) / 1000 )); }

note "snapshots: assembly, provisioning, provisioning + HUKs"
# lifecycle status makes the simulated TPM it also asks, once, here
pb lifecycle status --kmu sim > /dev/null
cp -a "$S" snap-assembly
pb lifecycle advance provisioning --kmu sim
cp -a "$S" snap-prov
pb kmu gen-huk > /dev/null
cp -a "$S" snap-huk

restore() { rm -rf "$S"; cp -a "$1" "$S"; }

# crash NAME SNAPSHOT CHECK CMD...: TRIALS times, restore SNAPSHOT, start
# CMD, kill it within 1.2 times its uninterrupted run time, then CHECK
# (prints "old" or "new", fails otherwise).
crash() {
	name=$1 snap=$2 check=$3; shift 3
	restore "$snap"
	start=$(now_us)
	"$@" > /dev/null 2>&1 || fail "$name: uninterrupted run failed"
	span=$(( ($(now_us) - start) * 12 / 10 ))
	[ "$($check)" = new ] || fail "$name: an uninterrupted run does not give the new state"
	note "$name takes about $((span * 10 / 12)) us; killing it $TRIALS times within $span us"
	old=0 new=0 i=0
	while [ $i -lt $TRIALS ]; do
		i=$((i + 1))
		restore "$snap"
		delay=$(awk -v s="$i$$" -v span="$span" 'BEGIN { srand(s); printf "%.6f", rand() * span / 1000000 }')
		"$@" > /dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -9 $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		r=$($check) || fail "$name: trial $i (kill after $delay s): $r"
		case $r in
		old) old=$((old + 1))
		     if [ -e "$snap/kmu/slots" ]; then
		         cmp -s "$slots" "$snap/kmu/slots" || fail "$name: trial $i: old state but the file changed"
		     else
		         [ ! -e "$slots" ] || fail "$name: trial $i: old state but a slot file appeared"
		     fi
		     "$@" > /dev/null 2>"$PB_WORK/stderr" || { cat "$PB_WORK/stderr" >&2; fail "$name: trial $i: re-run failed"; }
		     [ "$($check)" = new ] || fail "$name: trial $i: re-run did not complete it" ;;
		new) new=$((new + 1)) ;;
		*) fail "$name: trial $i (kill after $delay s): $r" ;;
		esac
	done
	note "$name: old state kept $old times, new state $new times"
	[ $old -gt 0 ] && [ $new -gt 0 ] || fail "$name: the kills never landed on both sides of the write"
	left=$(ls "$S/kmu" | grep -c '\.tmp\.' || true)
	assert_eq "$left" 0 "$name: temporary files left after the re-runs"
}

# Each check reads the KMU with provbox (a damaged file is exit 5).
huk_state() {
	j=$("$PROVBOX" kmu status --json 2>&1) || { echo "status failed: $j"; return 1; }
	m=$(echo "$j" | grep -c '"name": "m[ek][ex][kt]"' || true)
	case $m in 0) echo old ;; 2) echo new ;; *) echo "half-written HUKs: $j"; return 1 ;; esac
}
identity_state() {
	"$PROVBOX" kmu status > /dev/null 2>&1 || { echo "status failed"; return 1; }
	if "$PROVBOX" kmu is-written > /dev/null 2>&1; then
		"$PROVBOX" kmu read-identity --out /dev/null 2>&1 || { echo "identity does not load"; return 1; }
		echo new
	else
		echo old
	fi
}
lc_state() {
	s=$("$PROVBOX" kmu status 2>&1) || { echo "status failed: $s"; return 1; }
	case $s in
	"lifecycle: assembly (PSA 0x1000)"*) echo old ;;
	"lifecycle: provisioning (PSA 0x2000)"*) echo new ;;
	*) echo "unexpected: $s"; return 1 ;;
	esac
}

crash gen-huk snap-prov huk_state "$PROVBOX" kmu gen-huk
crash gen-identity snap-huk identity_state "$PROVBOX" kmu gen-identity
crash "lifecycle advance" snap-assembly lc_state "$PROVBOX" lifecycle advance provisioning --kmu sim
