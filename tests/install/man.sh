# The installed man pages: one per applet and provbox(1), made by help2man
# from the binary's --help, each rendered by man -l with groff's warnings on
# and none printed, each naming the applet's summary, its usage lines and
# examples.
. "$PB_TESTS/install/lib.sh"
command -v man >/dev/null && command -v groff >/dev/null || skip "man-db/groff missing (make deps installs them)"
mandir=$PB_DESTDIR/usr/share/man/man1
for page in provbox $(printf 'provbox-%s ' $applets); do
	f=$mandir/$page.1
	note "$page.1"
	[ -f "$f" ] || fail "$f missing"
	MANWIDTH=80 man -l --warnings "$f" 2> warnings.txt > page.txt || fail "man -l $f failed"
	[ ! -s warnings.txt ] || { cat warnings.txt; fail "$page.1: warnings"; }
	groff -ww -z -man "$f" 2> warnings.txt || fail "groff $f failed"
	[ ! -s warnings.txt ] || { cat warnings.txt; fail "$page.1: groff -ww warnings"; }
	for section in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		grep -q "^$section" page.txt || fail "$page.1 has no $section"
	done
	a=${page#provbox-}
	[ "$page" = provbox ] && continue
	summary=$("$installed" --describe "$a" | sed -n 's/^summary //p')
	tr -s ' \n' '  ' < page.txt | grep -qF -- "$page - $summary" || fail "$page.1: NAME lacks '$summary'"
	# every usage line of --help is a SYNOPSIS line, every example is in EXAMPLES
	"$installed" "$a" --help > help.txt
	sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' page.txt | tr -s ' \n' '  ' > synopsis.txt
	sed -n '/^EXAMPLES/,/^SEE ALSO/p' page.txt | tr -s ' \n' '  ' > examples.txt
	awk '/^Usage: /{u=1; sub(/^Usage: /, ""); print; next} u && /^[ \t]+[^ \t]/{sub(/^[ \t]+/, ""); print; next} {u=0}' help.txt \
	| while read -r line; do
		grep -qF -- "$(echo "$line" | tr -s ' ' ' ')" synopsis.txt || fail "$page.1: SYNOPSIS lacks '$line'"
	done
	sed -n 's/^[[:blank:]]*Example: //p' help.txt | while read -r line; do
		grep -qF -- "$(echo "$line" | tr -s ' ' ' ')" examples.txt || fail "$page.1: EXAMPLES lacks '$line'"
	done
done
