# pki-gen issue streams a batch: the peak RSS over 2000 CSRs is that over
# 200 within 2 MB (the batch used to hold every certificate: +~15 MB).
# Asserts memory, not time. ASan's shadow memory makes RSS meaningless.
. "$PB_TESTS/e2e/lib.sh"
needs_cmd openssl /usr/bin/time
[ "${PB_E2E_SANITIZED:-0}" != 1 ] || skip "peak RSS is not meaningful under a sanitizer"

pb pki-gen init --profile simple --out pki > /dev/null
# 20 distinct CSRs, copied: the contents do not change what a batch holds
for i in $(seq 1 20); do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
		-subj "/O=rss/CN=serial:$i" -out "seed$i.csr" 2>/dev/null
done
mkdir c200 c2000
i=0
while [ $i -lt 2000 ]; do
	i=$((i + 1))
	cp "seed$((i % 20 + 1)).csr" "c2000/d$i.csr"
	[ $i -gt 200 ] || cp "seed$((i % 20 + 1)).csr" "c200/d$i.csr"
done

# rss N: peak RSS in KB of one batch over cN
rss() {
	/usr/bin/time -v -o "time$1.txt" "$PROVBOX" pki-gen issue --ca pki/ca --csr "c$1" --profile device \
		--days 30 --jobs 2 --out "out$1" || fail "issue over $1 CSRs failed"
	[ "$(ls "out$1" | wc -l)" -eq "$1" ] || fail "issued $(ls "out$1" | wc -l) of $1"
	awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "time$1.txt"
}
small=$(rss 200)
big=$(rss 2000)
note "peak RSS: 200 CSRs ${small} KB, 2000 CSRs ${big} KB"
[ "$big" -le $((small + 2048)) ] || fail "peak RSS grows with the batch: ${small} KB for 200, ${big} KB for 2000"
openssl verify -CAfile pki/ca.crt out2000/d1.crt out2000/d2000.crt > /dev/null || fail "issued certificates do not verify"
[ -z "$(ls out2000 | grep -v '\.crt$')" ] || fail "stray files left in the output directory"
