# The binary links only libc, the loader and tpm2-tss dynamically; BearSSL
# (and in the sim flavour libtpms + libcrypto) are inside it.
. "$PB_TESTS/e2e/lib.sh"
[ "${PB_E2E_SANITIZED:-0}" = 1 ] && skip "sanitizer build links its runtime"
ldd "$PROVBOX" > ldd.txt
cat ldd.txt
bad=$(grep -v -e 'linux-vdso' -e 'libc\.so' -e 'ld-linux' -e 'libtss2-' ldd.txt || true)
[ -z "$bad" ] || fail "unexpected shared libraries: $bad"
! grep -q -e libbearssl -e libtpms -e libcrypto ldd.txt || fail "a static dependency is linked dynamically"
checksec_relro=$(readelf -lW "$PROVBOX" | grep -c GNU_RELRO)
[ "$checksec_relro" -ge 1 ] || fail "no RELRO segment"
readelf -dW "$PROVBOX" | grep -q 'BIND_NOW\|FLAGS.*NOW' || fail "not linked with -z now"
readelf -hW "$PROVBOX" | grep -q 'DYN' || fail "not a PIE"
