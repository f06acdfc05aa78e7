#!/bin/sh
# tests/hardening/check.sh - the binary's hardening, and no key bytes in
# freed heap. Usage: PROVBOX=build/provbox HEAPSCAN=build/hardening/provbox-heapscan \
#   CET_EXPECTED=0|1 tests/hardening/check.sh
#
# 1. readelf on $PROVBOX: PIE (ELF type DYN with FLAGS_1 PIE), full RELRO
#    (GNU_RELRO + BIND_NOW), stack protector (__stack_chk_fail imported),
#    FORTIFY (__*_chk imports), non-executable stack (GNU_STACK RW), and CET
#    (IBT + SHSTK property notes) on our objects when the compiler has
#    -fcf-protection; the linked binary only keeps them if every static
#    library has them too, so their absence there is reported, not failed.
# 2. valgrind runs the file backend's sign path (`pki-gen sign --key
#    file:K`, EC and RSA) in $HEAPSCAN, a provbox linked with
#    tests/hardening/heapscan.c, which searches every block freed for the
#    key's private scalar (EC) or prime p (RSA) and a line of its PEM text:
#    valgrind must report no error, the scan must have seen frees and found
#    nothing, the signature must verify with openssl, and the same run
#    with one unwiped copy planted must fail (exit 97).
set -u
fail=0
bad() { echo "hardening: FAIL: $*"; fail=1; }
ok() { echo "hardening: ok: $*"; }
b=${PROVBOX:?}
re() { readelf -W "$@" "$b" 2>/dev/null; }

re -h | grep -q 'Type: *DYN' && re -d | grep -q 'FLAGS_1.*PIE' && ok "PIE" || bad "not a PIE"
re -l | grep -q GNU_RELRO && re -d | grep -Eq 'BIND_NOW|FLAGS_1.*NOW' && ok "full RELRO (GNU_RELRO, BIND_NOW)" || bad "no full RELRO"
re --dyn-syms | grep -q ' __stack_chk_fail' && ok "stack protector (__stack_chk_fail)" || bad "no __stack_chk_fail: built without -fstack-protector"
n=$(re --dyn-syms | grep -c ' __[a-z0-9_]*_chk@' || true)
[ "$n" -gt 0 ] && ok "FORTIFY ($n __*_chk imports)" || bad "no __*_chk symbols: built without _FORTIFY_SOURCE"
stack=$(re -l | awk '$1 == "GNU_STACK" { print $7 }')
[ "$stack" = RW ] && ok "NX stack (GNU_STACK $stack)" || bad "stack is '$stack', not RW"
if [ "${CET_EXPECTED:-0}" = 1 ]; then
	objs=$(ls "$(dirname "$b")"/core/*/*.o "$(dirname "$b")"/hal/*.o "$(dirname "$b")"/applets/*.o 2>/dev/null)
	missing=0
	for o in $objs; do readelf -nW "$o" | grep -q 'IBT, SHSTK' || missing=$((missing + 1)); done
	[ -n "$objs" ] && [ $missing = 0 ] && ok "CET: IBT and SHSTK notes on all $(echo "$objs" | wc -w) objects" \
		|| bad "CET: $missing objects without the IBT/SHSTK property"
	re -n | grep -q 'IBT, SHSTK' && ok "CET: the binary is marked IBT+SHSTK" ||
		echo "hardening: note: the linked binary is not CET-marked (a static library lacks the property)"
fi

# ---- no key bytes in freed heap
h=${HEAPSCAN:?}
command -v valgrind > /dev/null || { bad "valgrind missing (make deps)"; exit 1; }
w=$(mktemp -d)
export PROVBOX_STATE="$w/state"   # never the system one
trap 'rm -rf "$w"' EXIT
hex() { od -An -v -tx1 | tr -d ' \n'; }
printf 'firmware image\n' > "$w/data"
for alg in ec rsa; do
	if [ $alg = ec ]; then
		openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out "$w/k.pem" 2>/dev/null
		secret=$(openssl pkey -in "$w/k.pem" -text -noout | sed -n '/^priv:/,/^pub:/p' | grep '^ ' | tr -d ' :\n' | sed 's/^00//')
	else
		openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$w/k.pem" 2>/dev/null
		secret=$(openssl pkey -in "$w/k.pem" -text -noout | sed -n '/^prime1:/,/^prime2:/p' | grep '^ ' | tr -d ' :\n' | sed 's/^00//' | cut -c1-128)
	fi
	pemline=$(sed -n 3p "$w/k.pem" | tr -d '\n' | hex)
	openssl req -x509 -key "$w/k.pem" -subj /CN=heapscan -days 1 -out "$w/c.pem" 2>/dev/null
	[ ${#secret} -ge 64 ] || { bad "$alg: could not read the key's secret with openssl"; continue; }
	run() {
		env PB_HEAPSCAN_NEEDLES="$secret,$pemline" PB_HEAPSCAN_REPORT="$w/report" "$@" \
			valgrind -q --error-exitcode=99 --exit-on-first-error=no "$h" pki-gen sign \
			--key "file:$w/k.pem" --cert "$w/c.pem" "$w/data" --out "$w/sig" 2> "$w/vg.log"
	}
	rm -f "$w/report" "$w/sig"
	run; rc=$?
	if [ $rc = 0 ] && grep -q 'hits=0' "$w/report" && ! grep -q 'frees=0 ' "$w/report" &&
	   openssl x509 -in "$w/c.pem" -pubkey -noout > "$w/pub.pem" &&
	   openssl dgst -sha256 -verify "$w/pub.pem" -signature "$w/sig" "$w/data" > /dev/null; then
		ok "$alg key: sign path under valgrind, no key bytes in freed heap ($(cat "$w/report"))"
	else
		bad "$alg key: exit $rc, scan: $(cat "$w/report" 2>/dev/null)"; head -30 "$w/vg.log"
	fi
	run PB_HEAPSCAN_PLANT=1; rc=$?
	[ $rc = 97 ] && ok "$alg key: a planted unwiped copy is caught (exit 97)" ||
		bad "$alg key: a planted unwiped copy went unnoticed (exit $rc)"
done
exit $fail
