# The installed bash completion: bash-completion loads it on demand for
# provbox and for each applet link (complete -p shows it), and scripted TABs
# complete applets, subcommands, options and option values from the tables
# the parser uses (provbox --describe).
. "$PB_TESTS/install/lib.sh"
command -v bash >/dev/null || fail "no bash"
bc=/usr/share/bash-completion/bash_completion
[ -r "$bc" ] || skip "bash-completion missing (make deps installs it)"
compdir=$PB_DESTDIR/usr/share/bash-completion/completions
[ -f "$compdir/provbox" ] || fail "no completion installed"
bash -n "$compdir/provbox" || fail "completion: syntax"
first=$(echo "$applets" | head -1)
mkdir -p state files && touch files/dev.csr files/dev.crt

# tab LOADER WORDS...: in a fresh interactive-like bash, complete the last
# word as readline would (COMP_WORDS split at COMP_WORDBREAKS) and print
# COMPREPLY, one per line. LOADER: "lazy" lets bash-completion find the file
# (XDG_DATA_DIRS), "plain" sources it without bash-completion.
cat > tab.bash <<'EOS'
mode=$1; shift
if [ "$mode" = lazy ]; then
	. /usr/share/bash-completion/bash_completion
	complete -p "$1" >/dev/null 2>&1 && { echo "complete -p $1 known before loading" >&2; exit 3; }
	_completion_loader "$1"
	complete -p "$1" >&2 || exit 4
else
	. "$COMPDIR/provbox"
fi
line="$*"
[ "${line: -1}" = "_" ] && line="${line%_}"   # a trailing _ stands for an empty word after a space
COMP_LINE=$line COMP_POINT=${#line}
# split as readline does: spaces, and = and : as separate words
read -ra raw <<< "$line"
COMP_WORDS=()
for w in "${raw[@]}"; do
	while [[ $w == *[=:]* ]]; do
		pre=${w%%[=:]*}; sep=${w:${#pre}:1}
		[ -n "$pre" ] && COMP_WORDS+=("$pre")
		COMP_WORDS+=("$sep"); w=${w:${#pre}+1}
	done
	[ -n "$w" ] && COMP_WORDS+=("$w")
done
[[ $line == *" " || $line == *[=:] ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
spec=$(complete -p "$1")
fn=${spec#*-F }; fn=${fn%% *}
"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}" | sort
EOS
tab() {  # MODE WORDS... -> COMPREPLY on stdout
	COMPDIR=$compdir XDG_DATA_DIRS=$PB_DESTDIR/usr/share:/usr/share HOME=$PB_WORK \
		bash "$PB_WORK/tab.bash" "$@" 2>>"$PB_WORK/tab.log"
}
expect_tab() {  # MODE "WORDS" EXPECTED...
	mode=$1 words=$2; shift 2
	got=$(cd files && tab "$mode" $words | tr '\n' ' ' | sed 's/ $//')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] || { cat "$PB_WORK/tab.log"; fail "[$mode] '$words<TAB>' gave '$got', expected '$want'"; }
}

for mode in lazy plain; do
	note "$mode: provbox tok<TAB>, provbox token ch<TAB>"
	expect_tab $mode "provbox tok" token
	expect_tab $mode "provbox token ch" change-pin
	expect_tab $mode "provbox token c" create change-pin
	note "$mode: applets and top-level options"
	expect_tab $mode "provbox _" $applets --help --install --list --version
	expect_tab $mode "provbox --list -" --json
	note "$mode: options of a subcommand and of an applet without subcommands"
	expect_tab $mode "provbox token create --d" --dev --der
	expect_tab $mode "provbox token unwrap --h" --help --hex
	expect_tab $mode "provbox csr --sh" --show
	expect_tab $mode "provbox token list --na"
	note "$mode: an option's value and positional arguments are files"
	expect_tab $mode "provbox csr --show dev.c" dev.crt dev.csr
	expect_tab $mode "provbox token import dev.cs" dev.csr
	note "$mode: through the applet links"
	expect_tab $mode "token ch" change-pin
	expect_tab $mode "pki-gen i" init issue
done
note "provbox --state=<TAB> (readline splits at =): files"
expect_tab lazy "provbox token list --state=dev.cr" dev.crt

note "complete -p: the function is registered for provbox and every link"
for a in provbox $applets; do
	COMPDIR=$compdir bash -c '. "$COMPDIR/provbox"; complete -p "$1"' sh "$a" | grep -q -- "-F _provbox $a\$" \
		|| fail "complete -p $a"
done

note "every subcommand and option the parser knows is offered"
for a in $applets; do
	subs=$("$installed" --describe "$a" | sed -n 's/^subcommand //p')
	if [ -n "$subs" ]; then
		expect_tab plain "provbox $a _" $subs --help
	else
		subs=-
	fi
	for s in $subs; do
		[ "$s" = - ] && s=""
		opts=$("$installed" --describe "$a" $s | sed -n 's/^\(option\|shared\) \(--[^=]*\)=\?$/\2/p')
		[ -n "$opts" ] || fail "$a $s: no options described"
		expect_tab plain "provbox $a $s -" $opts --help
	done
done
