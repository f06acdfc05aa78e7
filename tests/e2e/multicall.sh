# The multicall binary: dispatch, --list, --help, links, bad input.
. "$PB_TESTS/e2e/lib.sh"

note "--list names every applet, one per line"
pb --list > applets
[ -s applets ] || fail "--list printed nothing"
while read -r a; do
	note "$a --help"
	pb "$a" --help > help.txt
	grep -q "Example" help.txt || fail "$a --help has no example"
	grep -q "^Usage: $a" help.txt || fail "$a --help has no usage line"
done < applets

note "unknown applet: exit 2, one line"
expect_exit 2 pb nosuch
expect_one_line_error nosuch

note "no arguments: usage, exit 2"
expect_exit 2 pb

note "--version and --help"
pb --version | grep -q '^provbox ' || fail "--version"
pb --help | grep -q 'Exit codes' || fail "--help lacks exit codes"

note "links: --install makes one per applet, each dispatches"
mkdir bin
pb --install "$PWD/bin"
while read -r a; do
	[ -L "bin/$a" ] || fail "no link for $a"
	"bin/$a" --help > /dev/null || fail "link $a --help"
done < applets

note "unknown option: exit 2, one line"
first=$(head -1 applets)
expect_exit 2 pb "$first" --no-such-option
expect_one_line_error "$first"
