# The kmu applet without the lifecycle applet: a new KMU (status, JSON),
# what is refused in assembly, usage errors, and a damaged slot file
# (exit 5, left alone). Every refusal leaves STATE/kmu as it was.
. "$PB_TESTS/e2e/lib.sh"
needs_sim
slots="$PROVBOX_STATE/kmu/slots"

note "a new KMU: assembly, no slot in use, valid JSON"
pb kmu status > st.txt
assert_eq "$(cat st.txt)" "$(printf 'lifecycle: assembly (PSA 0x1000)\nno slot in use')" "status"
pb kmu status --json > st.json
python3 -c 'import json,sys; j = json.load(open(sys.argv[1])); assert j == {"lifecycle": "assembly", "psa_lifecycle": "0x1000", "keys": []}, j' st.json \
	|| { cat st.json; fail "status --json"; }

note "assembly: gen-* refused with exit 3, nothing written"
expect_exit 3 pb kmu gen-huk
expect_one_line_error kmu
expect_stderr "gen-huk: refused: device is assembly"
expect_exit 3 pb kmu gen-identity
expect_stderr "gen-identity: refused: device is assembly"
[ ! -e "$slots" ] || fail "a refused gen-* wrote STATE/kmu/slots"
expect_exit 1 pb kmu is-written
expect_one_line_error kmu
expect_stderr "not written"
expect_exit 1 pb kmu read-identity --out id.pem
expect_stderr "not found"
[ ! -e id.pem ] || fail "read-identity wrote a file"
note "csr --key kmu:identity --create needs the MKEK; without it nothing is written"
expect_exit 1 pb csr --key kmu:identity --create --subject /CN=x --out x.csr
expect_stderr "MKEK missing"
[ ! -e x.csr ] || fail "a CSR without a key"

note "usage errors: exit 2"
expect_exit 2 pb kmu erase-all
expect_stderr "give --yes"
expect_exit 2 pb kmu status --kmu swtpm:host=x
expect_stderr "only 'sim'"
expect_exit 2 pb kmu nonsense
expect_exit 2 pb kmu gen-huk extra-arg
expect_exit 2 pb csr --key kmu:nokey --subject /CN=x --out x.csr
pb kmu --help | grep -q "^Example: kmu erase-all --yes" || fail "--help has no examples"

note "erase-all of a new KMU: a blank KMU, still assembly"
pb kmu erase-all --yes > /dev/null
assert_mode "$slots" 600
assert_mode "$PROVBOX_STATE/kmu" 700
pb kmu status | grep -q '^lifecycle: assembly (PSA 0x1000)$' || fail "not assembly"

note "a damaged slot file: exit 5, named, never changed"
printf 'PBKMU\000\000\001garbage' > "$slots"
cp "$slots" damaged
expect_exit 5 pb kmu status
expect_one_line_error kmu
expect_stderr "kmu/slots"
expect_exit 5 pb kmu erase-all --yes
expect_exit 5 pb kmu gen-huk
cmp -s "$slots" damaged || fail "a damaged file was changed"
