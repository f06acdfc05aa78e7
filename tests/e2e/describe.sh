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
		# the shared options, with their arity, and the applet's own in --help
		grep -qx 'option --state=' o.txt && grep -qx 'option --der' o.txt || fail "$a $s: shared options missing"
		sed -n 's/^option --\([^=]*\)=\?$/\1/p' o.txt > names.txt
		[ "$(sort names.txt | uniq -d)" = "" ] || fail "$a $s: an option twice: $(sort names.txt | uniq -d)"
		pb "$a" --help > help.txt
		grep -q "^subcommand " o.txt && fail "$a $s: subcommands of a subcommand"
		while read -r o; do
			case $o in state|tpm|tee|kmu|key|out|der|json|force|pin-fd|pin-file) continue ;; esac
			grep -q -- "--$o" help.txt || fail "$a --help does not document --$o (in the $a $s option table)"
		done < names.txt
	done
done < applets
[ ! -e "$PROVBOX_STATE" ] || fail "--describe made the state directory"

note "unknown applet or subcommand"
expect_exit 2 pb --describe nosuch
expect_exit 2 pb --describe
expect_exit 2 pb --describe token nosuch
