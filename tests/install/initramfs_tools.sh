# The initramfs-tools hook make install wrote: mkinitramfs (Debian
# initramfs-tools) with a minimal configuration builds an image holding
# provbox, its applet links and every library ldd names; provbox --list runs
# from the unpacked image; PROVBOX=n in conf.d/provbox leaves it out.
. "$PB_TESTS/install/lib.sh"
command -v mkinitramfs >/dev/null && command -v lsinitramfs >/dev/null && command -v unmkinitramfs >/dev/null \
	|| skip "initramfs-tools missing (make deps installs it)"
[ "$(id -u)" = 0 ] || skip "mkinitramfs needs root here (a private mount namespace, see below)"
hook=$PB_DESTDIR/usr/share/initramfs-tools/hooks/provbox
[ -x "$hook" ] || fail "$hook missing or not executable"
grep -q '@BINDIR@' "$hook" && fail "hook still holds @BINDIR@"
grep -q 'bin=${PROVBOX_BIN:-/usr/bin/provbox}' "$hook" || fail "hook does not name /usr/bin/provbox"

# A configuration directory of our own: no modules, no busybox, gzip; its
# hooks/ holds the installed hook (mkinitramfs runs CONFDIR/hooks too).
mkdir -p conf/conf.d conf/hooks conf/scripts boot
printf 'MODULES=list\nBUSYBOX=n\nKEYMAP=n\nCOMPRESS=gzip\n' > conf/initramfs.conf
: > conf/modules
cp "$hook" conf/hooks/provbox
# mkinitramfs reads /boot/config-VERSION to pick a compressor the kernel takes,
# and this machine (a container) has no kernel: a private mount namespace
# shows it one for this run only. VERSION has no modules: the depmod warnings
# in the log are expected.
kver=0.0.0-provbox-test
echo CONFIG_RD_GZIP=y > "boot/config-$kver"
mkinitramfs_ns() {  # OUTPUT
	unshare -m sh -c 'mount --bind "$1/boot" /boot && PROVBOX_BIN="$2" mkinitramfs -d "$1/conf" -o "$3" "$4"' \
		sh "$PWD" "$installed" "$1" "$kver" || fail "mkinitramfs failed"
}

note "mkinitramfs with the hook"
mkinitramfs_ns "$PWD/initrd.img"
lsinitramfs initrd.img > list.txt
grep -qx 'usr/bin/provbox' list.txt || fail "provbox not in the image"
for a in $applets; do
	grep -qx "usr/bin/$a" list.txt || fail "link $a not in the image"
done
needed_libs "$installed" > libs.txt
[ -s libs.txt ] || fail "ldd named no library"
grep -q libtss2-sys libs.txt || fail "ldd does not name libtss2-sys: the check below would prove nothing"
while read -r lib; do
	grep -q "lib[^ ]*/${lib##*/}\$" list.txt || fail "$lib (ldd) not in the image"
done < libs.txt
note "$(wc -l < libs.txt) libraries in the image: $(tr '\n' ' ' < libs.txt)"

note "unpack and run provbox --list from the image"
unmkinitramfs initrd.img root
[ -L root/usr/bin/token ] && [ "$(readlink root/usr/bin/token)" = provbox ] || fail "token is not a link to provbox"
run_in_image root --list > image-list.txt
[ "$(cat image-list.txt)" = "$applets" ] || fail "provbox --list in the image: $(cat image-list.txt)"
run_in_image root --version | grep -q '(target build)' || fail "the image holds another flavour"

note "PROVBOX=n in conf.d/provbox leaves it out"
echo PROVBOX=n > conf/conf.d/provbox
mkinitramfs_ns "$PWD/without.img"
! lsinitramfs without.img | grep -q 'bin/provbox$' || fail "PROVBOX=n: provbox still in the image"
