# provbox --describe APPLET [SUBCOMMAND] (what completion is generated from):
# every applet and subcommand reaches the shared parser before doing
# anything, which prints the very table it was handed; nothing runs.
. "$PB_TESTS/e2e/lib.sh"

pb --list > applets
while read -r a; do
	pb --describe "$a" > d.txt 2> err.txt || { cat err.txt; fail "--describe $a"; }
	[ ! -s err.txt ] || { cat err.txt; fail "--describe $a wrote to stderr"; }
	grep -qx "applet $a" d.txt || fail "--describe $a: no applet line"
	grep -q "^summary ." d.txt || fail "--describe $a: no summary"
	subs=$(sed -n 's/^subcommand //p' d.txt)
	[ -n "$subs" ] || subs=-
	for s in $subs; do
		[ "$s" = - ] && s=""
		note "$a $s"
		pb --describe "$a" $s > o.txt 2> err.txt || { cat err.txt; fail "--describe $a $s"; }
		# the shared options (provbox --help documents them), the applet's own
		# (its --help does), none twice
		grep -qx 'shared --state=' o.txt && grep -qx 'shared --der' o.txt || fail "$a $s: shared options missing"
		sed -n 's/^\(option\|shared\) --\([^=]*\)=\?$/\2/p' o.txt > names.txt
		[ "$(sort names.txt | uniq -d)" = "" ] || fail "$a $s: an option twice: $(sort names.txt | uniq -d)"
		grep -q "^subcommand " o.txt && fail "$a $s: subcommands of a subcommand"
		pb "$a" --help > help.txt
		sed -n 's/^option --\([^=]*\)=\?$/\1/p' o.txt | while read -r o; do
			grep -q -- "--$o" help.txt || fail "$a --help does not document --$o (in the $a $s option table)"
		done
		pb --help > main-help.txt
		sed -n 's/^shared --\([^=]*\)=\?$/\1/p' o.txt | while read -r o; do
			grep -q -- "--$o" main-help.txt || fail "provbox --help does not document the shared --$o"
		done
	done
done < applets
[ ! -e "$PROVBOX_STATE" ] || fail "--describe made the state directory"

note "unknown applet or subcommand"
expect_exit 2 pb --describe nosuch
expect_exit 2 pb --describe
expect_exit 2 pb --describe token nosuch
