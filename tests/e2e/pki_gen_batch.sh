# pki-gen issue over a batch of several chunks (128 CSRs each) on 4
# threads: bad CSRs at the chunk edges are refused by name, in order, with
# nothing written for them; every other certificate verifies with openssl.
# make check-tsan also runs this under ThreadSanitizer.
. "$PB_TESTS/e2e/lib.sh"
needs_cmd openssl

pb pki-gen init --profile simple --out pki > /dev/null
for i in 1 2 3 4 5; do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
		-subj "/O=batch/CN=serial:$i" -out "seed$i.csr" 2>/dev/null
done
openssl req -in seed1.csr -outform DER -out seed1.der
sed 's/serial:1/serial:X/' seed1.der > bad.der
cmp -s seed1.der bad.der && fail "tampering did not change the CSR"
mkdir csrs
i=0
while [ $i -lt 300 ]; do
	name=$(printf 'd%03d' $i)
	case $i in
	0|127|128|299) cp bad.der "csrs/$name.csr" ;;
	*) cp "seed$((i % 5 + 1)).csr" "csrs/$name.csr" ;;
	esac
	i=$((i + 1))
done

expect_exit 5 pb pki-gen issue --ca pki/ca --csr csrs --profile device --days 30 --jobs 4 --out certs
expect_stderr "4 of 300 CSRs refused, 296 issued"
grep 'refused:' "$PB_WORK/stderr" | sed 's/.*csrs\/\(d[0-9]*\)\.csr: refused.*/\1/' > refused.txt
printf 'd000\nd127\nd128\nd299\n' > want.txt
cmp -s refused.txt want.txt || { cat "$PB_WORK/stderr"; fail "refused CSRs not reported by name, in order"; }
[ "$(ls certs | wc -l)" -eq 296 ] || fail "$(ls certs | wc -l) certificates, expected 296"
for n in d000 d127 d128 d299; do [ ! -e "certs/$n.crt" ] || fail "$n.crt written for a bad CSR"; done
[ -z "$(ls certs | grep -v '\.crt$')" ] || fail "stray files in certs"
openssl verify -CAfile pki/ca.crt certs/*.crt > verify.out || fail "an issued certificate does not verify"
assert_eq "$(grep -c ': OK$' verify.out)" 296 "verified certificates"
assert_eq "$(for f in certs/*.crt; do openssl x509 -in "$f" -noout -serial; done | sort -u | wc -l)" 296 "distinct serials"

note "one thread: the same result"
expect_exit 5 pb pki-gen issue --ca pki/ca --csr csrs --profile device --jobs 1 --out certs1
[ "$(ls certs1 | wc -l)" -eq 296 ] || fail "--jobs 1: $(ls certs1 | wc -l) certificates"

note "a commit that fails mid-batch stops it: the chunks before stay, no temporary file is left"
mkdir -p certsF/d200.crt/x
expect_exit 1 pb pki-gen issue --ca pki/ca --csr csrs --profile device --jobs 4 --out certsF
expect_stderr "batch stopped after 128 CSRs"
[ -e certsF/d126.crt ] || fail "the first chunk was not kept"
[ ! -e certsF/d255.crt ] && [ ! -e certsF/d256.crt ] || fail "certificates after the failed chunk"
[ -z "$(ls certsF | grep '\.tmp\.')" ] || fail "temporary files left: $(ls certsF | grep '\.tmp\.')"
