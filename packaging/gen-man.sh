#!/bin/sh
# packaging/gen-man.sh PROVBOX OUTDIR
# Writes provbox.1 and provbox-APPLET.1 for every applet of `provbox --list`
# into OUTDIR with help2man, from the --help texts themselves (reshaped by
# help-filter.awk: Usage continuation lines, Example lines), so the pages
# cannot drift from the binary.
set -eu
pb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=${2:?usage: gen-man.sh PROVBOX OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
command -v help2man >/dev/null || { echo "gen-man: help2man missing (make deps installs it)" >&2; exit 1; }
version=$("$pb" --version | cut -d' ' -f2)
applets=$("$pb" --list)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/provbox-man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

# help2man runs the program with --help: a wrapper per page, named as the
# page, that prints the filtered text of the applet (or of provbox).
wrapper() {  # NAME APPLET-or-empty
	cat > "$tmp/$1" <<EOF
#!/bin/sh
"$pb" $2 --help | awk -f "$here/help-filter.awk"
EOF
	chmod +x "$tmp/$1"
}

see_also() {  # the page's own name: every other page
	{
		echo "[SEE ALSO]"
		first=1
		for p in provbox $(printf 'provbox-%s ' $applets); do
			[ "$p" = "$1" ] && continue
			[ $first = 1 ] || echo ","
			printf '.BR %s (1)' "$p"
			first=0
		done
		echo
	} > "$tmp/$1.see-also.h2m"
}

page() {  # NAME APPLET-or-empty SUMMARY
	wrapper "$1" "$2"
	see_also "$1"
	help2man --no-info --no-discard-stderr --section=1 --manual="provbox manual" \
		--source="provbox $version" --version-string="$version" --name="$3" \
		--include="$here/provbox.h2m" --include="$tmp/$1.see-also.h2m" \
		--output="$tmp/$1.1" "$tmp/$1"
	# As git's pages: no hyphenation, ragged right, so that SYNOPSIS and
	# EXAMPLES lines break only at spaces and copy as commands.
	sed '/^\.TH /a\
.nh\
.ad l' "$tmp/$1.1" > "$out/$1.1"
}

page provbox "" "device identity and key provisioning (multicall binary)"
for a in $applets; do
	summary=$("$pb" --describe "$a" | sed -n 's/^summary //p')
	page "provbox-$a" "$a" "$summary"
done
