# The dracut module make install wrote: dracut --no-kernel (Debian's
# dracut-core, which unlike the dracut package coexists with initramfs-tools)
# builds an image with only this module; lsinitrd shows provbox, its applet
# links and every library ldd names; provbox --list runs from the unpacked
# image.
. "$PB_TESTS/install/lib.sh"
command -v dracut >/dev/null && command -v lsinitrd >/dev/null || skip "dracut missing (make deps installs dracut-core)"
module=$PB_DESTDIR/usr/lib/dracut/modules.d/90provbox
[ -x "$module/module-setup.sh" ] || fail "$module/module-setup.sh missing or not executable"
grep -q '@BINDIR@' "$module/module-setup.sh" && fail "module still holds @BINDIR@"

# dracut takes its modules from $dracutbasedir: the system's, plus ours from
# the DESTDIR, side by side as they are once installed.
sys=/usr/lib/dracut
mkdir -p base/modules.d confdir
for f in "$sys"/*; do [ "${f##*/}" = modules.d ] || ln -s "$f" base/; done
for m in "$sys"/modules.d/*; do ln -s "$m" base/modules.d/; done
ln -s "$module" base/modules.d/90provbox
: > dracut.conf
dracut_run() {  # OUTPUT PROVBOX_BIN
	env dracutbasedir="$PWD/base" PROVBOX_BIN="$2" dracut --no-kernel --conf "$PWD/dracut.conf" \
		--confdir "$PWD/confdir" --modules provbox --no-compress --force --tmpdir "$PWD" \
		"$1" 0.0.0-provbox-test
}

note "dracut --no-kernel --modules provbox"
dracut_run "$PWD/initrd.img" "$installed" > dracut.log 2>&1 || { cat dracut.log; fail "dracut failed"; }
grep -q "Including module: provbox" dracut.log || { cat dracut.log; fail "module not included"; }
lsinitrd initrd.img > list.txt
grep -q ' usr/bin/provbox$' list.txt || { cat list.txt; fail "provbox not in the image"; }
for a in $applets; do
	grep -q " usr/bin/$a -> provbox\$" list.txt || fail "link $a -> provbox not in the image"
done
needed_libs "$installed" > libs.txt
grep -q libtss2-sys libs.txt || fail "ldd does not name libtss2-sys: the check below would prove nothing"
while read -r lib; do
	grep -q " [^ ]*lib[^ ]*/${lib##*/}\\( ->.*\\)\\?\$" list.txt || fail "$lib (ldd) not in the image"
done < libs.txt

note "unpack and run provbox --list from the image"
mkdir root
(cd root && lsinitrd --unpack ../initrd.img) || fail "lsinitrd --unpack"
run_in_image root --list > image-list.txt
[ "$(cat image-list.txt)" = "$applets" ] || fail "provbox --list in the image: $(cat image-list.txt)"

note "no provbox binary: check() says so and dracut will not install the module"
if dracut_run "$PWD/none.img" /nonexistent/provbox > none.log 2>&1; then
	fail "dracut installed the module without a provbox binary"
fi
grep -q "module 'provbox' cannot be found or installed" none.log || { cat none.log; fail "no refusal"; }
