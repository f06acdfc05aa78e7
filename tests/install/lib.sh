# tests/install/lib.sh - sourced by the tests of `make check-install`: the
# e2e helpers, plus what make install put into $PB_DESTDIR (PREFIX=/usr).
. "$PB_TESTS/e2e/lib.sh"
: "${PB_DESTDIR:?set PB_DESTDIR to a make install DESTDIR (PREFIX=/usr)}"
: "${PB_SRC:?set PB_SRC to the source tree}"
installed=$PB_DESTDIR/usr/bin/provbox
[ -x "$installed" ] || fail "$installed missing: make install DESTDIR=$PB_DESTDIR PREFIX=/usr first"
applets=$("$installed" --list)

# The shared libraries ldd names for a binary (paths), loader included.
needed_libs() {
	ldd "$1" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:blank:]]*\(\/[^ ]*\) (.*/\1/p'
}

# An unpacked initramfs runs provbox --list: in a chroot as root, else
# through the image's own loader and libraries.
run_in_image() {  # ROOT ARGS...
	root=$1; shift
	if [ "$(id -u)" = 0 ]; then
		chroot "$root" /usr/bin/provbox "$@"
	else
		ld=$(ls "$root"/usr/lib64/ld-linux-* "$root"/usr/lib/*/ld-linux-* 2>/dev/null | head -1)
		[ -n "$ld" ] || fail "no loader in the image"
		"$ld" --library-path "$(dirname "$ld"):$root/usr/lib/x86_64-linux-gnu" "$root/usr/bin/provbox" "$@"
	fi
}
