# Several provbox processes at once on one KMU: the slot file's lock
# serializes them, so of 8 parallel gen-identity exactly one writes the
# key and the others are refused, and the file stays whole.
. "$PB_TESTS/e2e/lib.sh"
needs_sim
"$PROVBOX" --list | grep -qx lifecycle ||
	skip "needs the lifecycle applet (lifecycle advance --kmu sim), not in this build yet"
pb lifecycle advance provisioning --kmu sim
pb kmu gen-huk > /dev/null
i=0
while [ $i -lt 8 ]; do
	i=$((i + 1))
	( set +e; "$PROVBOX" kmu gen-identity > /dev/null 2> "err.$i"; echo $? > "rc.$i" ) &
done
wait
ok=$(cat rc.* | grep -c '^0$' || true)
refused=$(cat rc.* | grep -c '^1$' || true)
assert_eq "$ok" 1 "gen-identity runs that succeeded"
assert_eq "$refused" 7 "gen-identity runs refused"
cat err.* | grep -v "already written" && fail "a refusal for another reason"
pb kmu is-written > /dev/null
pb kmu read-identity --out id.pem
note "signing from parallel processes while status reads"
i=0
while [ $i -lt 4 ]; do
	i=$((i + 1))
	"$PROVBOX" csr --key kmu:identity --subject "/CN=p$i" --out "p$i.csr" &
	"$PROVBOX" kmu status > /dev/null &
done
wait
for n in 1 2 3 4; do
	openssl req -in "p$n.csr" -verify -noout 2>/dev/null || fail "CSR p$n"
done
