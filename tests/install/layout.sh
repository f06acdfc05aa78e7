# make install PREFIX=/usr DESTDIR=...: the binary (target flavour), one
# link per applet, a man page per applet, completion, docs, the initramfs
# hook and dracut module; then make uninstall leaves nothing behind.
. "$PB_TESTS/install/lib.sh"
d=$PB_DESTDIR

note "what make check-install installed"
"$installed" --version | grep -q '(target build)' || fail "make install did not install the SIM=0 flavour"
[ "$(stat -c %a "$installed")" = 755 ] || fail "provbox mode $(stat -c %a "$installed")"
[ -n "$applets" ] || fail "no applets"
for a in $applets; do
	[ "$(readlink "$d/usr/bin/$a")" = provbox ] || fail "usr/bin/$a is not a link to provbox"
	[ -f "$d/usr/share/man/man1/provbox-$a.1" ] || fail "no man page for $a"
	[ "$(readlink "$d/usr/share/bash-completion/completions/$a")" = provbox ] || fail "no completion link for $a"
	"$d/usr/bin/$a" --help | grep -q "^Usage: $a" || fail "link $a does not run applet $a"
done
[ -f "$d/usr/share/man/man1/provbox.1" ] || fail "no provbox.1"
n=$(ls "$d/usr/share/man/man1" | wc -l)
[ "$n" = $(($(echo "$applets" | wc -l) + 1)) ] || fail "$n man pages for $(echo $applets)"
[ -f "$d/usr/share/bash-completion/completions/provbox" ] || fail "no completion"
[ -f "$d/usr/share/doc/provbox/README.md" ] || fail "no README"
[ -x "$d/usr/share/doc/provbox/examples/provision-trustme.sh" ] || fail "no example script"
[ -f "$d/usr/share/doc/provbox/examples/lib.sh" ] || fail "no examples/lib.sh (the example scripts source it)"
[ -x "$d/usr/share/initramfs-tools/hooks/provbox" ] || fail "no initramfs-tools hook"
[ -x "$d/usr/lib/dracut/modules.d/90provbox/module-setup.sh" ] || fail "no dracut module"
sh -n "$d/usr/share/initramfs-tools/hooks/provbox" || fail "hook: syntax"
bash -n "$d/usr/lib/dracut/modules.d/90provbox/module-setup.sh" || fail "dracut module: syntax"

note "install elsewhere (PREFIX=/usr/local), then uninstall: nothing left but directories"
make -s -C "$PB_SRC" install SIM=0 DESTDIR="$PB_WORK/root" PREFIX=/usr/local > install.log 2>&1 \
	|| { cat install.log; fail "make install"; }
[ -x root/usr/local/bin/provbox ] && [ -L root/usr/local/bin/token ] || fail "PREFIX=/usr/local: no binary or links"
[ -f root/usr/local/share/man/man1/provbox.1 ] || fail "PREFIX=/usr/local: no man page"
grep -q 'PROVBOX_BIN:-/usr/local/bin/provbox' root/usr/share/initramfs-tools/hooks/provbox \
	|| fail "the hook does not name /usr/local/bin/provbox"
grep -q 'PROVBOX_BIN:-/usr/local/bin/provbox' root/usr/lib/dracut/modules.d/90provbox/module-setup.sh \
	|| fail "the dracut module does not name /usr/local/bin/provbox"
# a file that is not ours stays
touch root/usr/local/bin/other
ln -s other root/usr/local/bin/other-link
make -s -C "$PB_SRC" uninstall DESTDIR="$PB_WORK/root" PREFIX=/usr/local > uninstall.log 2>&1 \
	|| { cat uninstall.log; fail "make uninstall"; }
left=$(find root ! -type d | sort | tr '\n' ' ')
[ "$left" = "root/usr/local/bin/other root/usr/local/bin/other-link " ] || fail "left after uninstall: $left"
