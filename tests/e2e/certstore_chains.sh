# certstore verify against `openssl verify -x509_strict`: a matrix of chains
# made by openssl (root -> sub -> leaf and each failure case); for every
# case our verdict equals openssl's and the expected one, and every
# rejection is exit 5.
. "$PB_TESTS/e2e/lib.sh"
needs_sim   # certstore add asks the lifecycle gate, which asks the (simulated) TPM
needs_cmd openssl

# ---- openssl helpers: keys, extension files, signing with given dates
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

cat > ca.ext <<'EOF'
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
cat > ca0.ext <<'EOF'
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
cat > noca.ext <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
cat > nocertsign.ext <<'EOF'
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
cat > leaf.ext <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
cat > crit.ext <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
1.3.6.1.4.1.55555.1 = critical, ASN1:UTF8String:must understand
EOF

# selfsigned NAME SUBJECT [BASICCONSTRAINTS]
selfsigned() {
	key "$1"
	openssl req -new -x509 -key "$1.key" -subj "$2" -days 3650 -sha256 \
		-addext "basicConstraints=${3:-critical,CA:TRUE}" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		-addext "subjectKeyIdentifier=hash" -out "$1.pem" 2>req.log || { cat req.log >&2; fail "openssl req for $1"; }
}
# issue NAME SUBJECT CA EXT [START END]: openssl ca for exact dates
issue() {
	key "$1"
	openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
	mkdir -p db; : > db/index.txt; [ -f db/serial ] || echo 1000 > db/serial
	cat > db/ca.cnf <<'EOF'
[ca]
default_ca = d
[d]
database = db/index.txt
new_certs_dir = db
serial = db/serial
default_md = sha256
policy = p
unique_subject = no
preserve = yes
email_in_dn = no
[p]
commonName = supplied
organizationName = optional
EOF
	openssl ca -batch -notext -preserveDN -config db/ca.cnf -cert "$3.pem" -keyfile "$3.key" -in "$1.csr" \
		-extfile "$4" -startdate "${5:-20250101000000Z}" -enddate "${6:-20351231000000Z}" \
		-out "$1.pem" 2>ca.log || { cat ca.log >&2; fail "openssl ca for $1"; }
}

selfsigned root "/O=Matrix/CN=Root CA"
selfsigned root0 "/O=Matrix/CN=Root CA pathlen 0" "critical,CA:TRUE,pathlen:0"
selfsigned other "/O=Elsewhere/CN=Other Root"
issue sub "/O=Matrix/CN=Sub CA" root ca0.ext
issue leaf "/CN=leaf" sub leaf.ext
issue other_leaf "/CN=other leaf" other leaf.ext
# same issuer name as sub, another key (an impostor Sub CA under no anchor)
selfsigned evil "/O=Matrix/CN=Sub CA"
issue evil_leaf "/CN=evil leaf" evil leaf.ext
issue expired "/CN=expired" sub leaf.ext 20240101000000Z 20240201000000Z
issue future "/CN=future" sub leaf.ext 20450101000000Z 20460101000000Z
issue sub0 "/O=Matrix/CN=Sub under pathlen 0" root0 ca.ext
issue deep "/CN=deep" sub0 leaf.ext
issue sub_sub "/O=Matrix/CN=Sub Sub CA" sub ca.ext
issue too_deep "/CN=too deep" sub_sub leaf.ext
issue noca "/O=Matrix/CN=Not a CA" root noca.ext
issue under_noca "/CN=under a non-CA" noca leaf.ext
issue nocertsign "/O=Matrix/CN=No keyCertSign" root nocertsign.ext
issue under_nocertsign "/CN=under no keyCertSign" nocertsign leaf.ext
issue critical "/CN=unknown critical" sub crit.ext
# tampered: flip the last byte of the signature (DER, then back to PEM)
openssl x509 -in leaf.pem -outform DER -out leaf.der
python3 - <<'EOF' || fail "tamper"
b = bytearray(open("leaf.der", "rb").read()); b[-1] ^= 0x01; open("tampered.der", "wb").write(b)
EOF
openssl x509 -inform DER -in tampered.der -out tampered.pem

cat root.pem root0.pem > anchors.pem
pb certstore add --kind device root.pem > /dev/null
pb certstore add --kind device root0.pem > /dev/null

# case NAME EXPECT(ok|reject) LEAF [CHAIN...]: ours and openssl's, each
# against the expectation (so a verifier that accepts everything fails).
cases=0
case_() {
	name=$1 want=$2 leaf=$3; shift 3
	pbargs="" ; untrusted=""
	for c in "$@"; do pbargs="$pbargs --chain $c"; done
	if [ $# -gt 0 ]; then cat "$@" > untrusted.pem; untrusted="-untrusted untrusted.pem"; fi
	set +e
	openssl verify -x509_strict -CAfile anchors.pem $untrusted $OSSL_EXTRA "$leaf" > ossl.out 2>&1
	o=$?
	"$PROVBOX" certstore verify --kind device $PB_EXTRA "$leaf" $pbargs > pb.out 2> pb.err
	p=$?
	set -e
	[ $o = 0 ] && ov=ok || ov=reject
	[ $p = 0 ] && pv=ok || pv=reject
	echo "$name: openssl $ov ($(grep -m1 "^error\|OK" ossl.out | cut -c1-70)), provbox $pv ($(cat pb.err pb.out | head -1 | cut -c1-90))"
	[ "$ov" = "$want" ] || fail "$name: openssl says $ov, the case is made to $want"
	[ "$pv" = "$ov" ] || fail "$name: provbox says $pv (exit $p), openssl $ov"
	[ $p = 0 ] || [ $p = 5 ] || fail "$name: rejection is exit $p, not 5"
	cases=$((cases + 1))
}
OSSL_EXTRA="" PB_EXTRA=""

note "the matrix"
case_ good ok leaf.pem sub.pem
cat sub.pem sub_sub.pem > bundle.pem
case_ good-bundle ok leaf.pem bundle.pem
case_ no-chain reject leaf.pem
case_ ca-not-in-store reject other_leaf.pem other.pem
case_ same-name-other-key reject evil_leaf.pem sub.pem
case_ expired-leaf reject expired.pem sub.pem
case_ not-yet-valid-leaf reject future.pem sub.pem
case_ pathlen-root-exceeded reject deep.pem sub0.pem
case_ pathlen-sub-exceeded reject too_deep.pem sub_sub.pem sub.pem
case_ non-ca-intermediate reject under_noca.pem noca.pem
case_ ca-without-keycertsign reject under_nocertsign.pem nocertsign.pem
case_ tampered-signature reject tampered.pem sub.pem
case_ unknown-critical-extension reject critical.pem sub.pem
case_ sub-as-leaf ok sub.pem

note "validity at another time (--at / -attime)"
t2030=$(date -u -d 2030-06-01 +%s); t2045=$(date -u -d 2045-06-01 +%s); t2024=$(date -u -d 2024-01-15 +%s)
OSSL_EXTRA="-attime $t2045" PB_EXTRA="--at $t2045"
case_ future-at-2045 reject future.pem sub.pem        # the CAs have expired by then
OSSL_EXTRA="-attime $t2024" PB_EXTRA="--at 2024-01-15"
case_ expired-at-issue-time reject expired.pem sub.pem  # the sub CA is not valid yet in 2024
OSSL_EXTRA="-attime $t2030" PB_EXTRA="--at 2030-06-01T00:00:00Z"
case_ good-at-2030 ok leaf.pem sub.pem

note "extendedKeyUsage with --purpose (openssl -purpose)"
OSSL_EXTRA="-purpose sslserver" PB_EXTRA="--purpose serverAuth"
case_ purpose-server ok leaf.pem sub.pem
OSSL_EXTRA="-purpose sslclient" PB_EXTRA="--purpose clientAuth"
case_ purpose-client reject leaf.pem sub.pem
OSSL_EXTRA="" PB_EXTRA=""

note "an anchor that is not self-signed (openssl -partial_chain)"
PROVBOX_STATE="$PB_WORK/state2" pb certstore add --kind device sub.pem > /dev/null
set +e
openssl verify -x509_strict -partial_chain -CAfile sub.pem leaf.pem > /dev/null 2>&1; o=$?
PROVBOX_STATE="$PB_WORK/state2" "$PROVBOX" certstore verify --kind device leaf.pem > /dev/null 2>&1; p=$?
set -e
assert_eq "$p/$o" "0/0" "leaf under a sub CA anchor"

note "kinds: a device anchor does not verify for another kind"
expect_exit 5 pb certstore verify --kind software leaf.pem --chain sub.pem
expect_one_line_error certstore
expect_stderr "no software anchor"
pb certstore verify leaf.pem --chain sub.pem | grep -q "device anchor /O=Matrix/CN=Root CA" || fail "which anchor"

echo "$cases cases agree with openssl verify -x509_strict"
[ $cases -ge 19 ] || fail "only $cases cases ran"
