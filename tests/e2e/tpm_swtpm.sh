# The TPM backend against a real swtpm, checked with tpm2-tools and openssl:
# the key provbox creates and persists is the one tpm2-tools sees, signs
# with it verify under the CSR's key, nothing transient is left behind.
# No simulator needed: runs in the SIM=0 flavour too.
. "$PB_TESTS/e2e/lib.sh"
. "$PB_TESTS/e2e/lib-swtpm.inc"
needs_cmd swtpm tpm2_readpublic tpm2_sign tpm2_getcap tpm2_changeauth openssl

start_swtpm "$PB_WORK/swtpm"
T="--tpm $SWTPM_URI"

no_transients() {
	left=$(tpm2_getcap handles-transient)
	[ -z "$left" ] || fail "transient handles left in the TPM after $1: $left"
}

# csr_pub CSR OUT / tpm_pub HANDLE OUT: the public key as PEM
csr_pub() { openssl req -in "$1" -pubkey -noout > "$2"; }
tpm_pub() { tpm2_readpublic -c "$1" -f pem -o "$2" > /dev/null; }

# sign_check HANDLE PUB SCHEME: tpm2_sign's signature verifies under PUB
sign_check() {
	echo "artifact $1" > msg
	tpm2_sign -c "$1" -g sha256 -s "$3" -f plain -o sig msg
	openssl dgst -sha256 -verify "$2" -signature sig msg > /dev/null || fail "tpm2_sign signature of $1 does not verify"
	echo tampered >> msg
	if openssl dgst -sha256 -verify "$2" -signature sig msg > /dev/null 2>&1; then fail "tampered message verifies"; fi
}

note "create + persist an EC key, CSR signed inside the TPM"
pb csr $T --key tpm:0x81000002 --create --subject "/CN=serial:SW-0001/O=Acme" --out dev.csr
assert_mode dev.csr 644
no_transients "csr --create"
openssl req -in dev.csr -verify -noout 2>&1 | grep -q "verify OK" || fail "openssl req -verify"
pb csr --verify dev.csr | grep -q OK
pb csr --show dev.csr | grep -q "^subject: /CN=serial:SW-0001/O=Acme$" || fail "csr --show"

note "tpm2_readpublic shows the CSR's key; tpm2_sign signs for it"
csr_pub dev.csr csr.pem
tpm_pub 0x81000002 tpm.pem
cmp -s csr.pem tpm.pem || fail "tpm2_readpublic key differs from the CSR's"
sign_check 0x81000002 csr.pem ecdsa
no_transients "tpm2_sign"

note "without --create the persisted key is used again"
pb csr $T --key tpm:0x81000002 --subject /CN=again --out again.csr
csr_pub again.csr again.pem
cmp -s csr.pem again.pem || fail "second CSR has another key"
no_transients "csr (existing key)"

note "--create on a taken handle: refused, nothing written, key kept"
expect_exit 1 pb csr $T --key tpm:0x81000002 --create --subject /CN=x --out refused.csr
expect_one_line_error csr
expect_stderr "a key exists at this handle"
[ ! -e refused.csr ] || fail "refused create wrote a CSR"
tpm_pub 0x81000002 tpm.pem
cmp -s csr.pem tpm.pem || fail "refused create changed the key"
no_transients "refused csr --create"

note "--force replaces it"
pb csr $T --key tpm:0x81000002 --create --force --subject /CN=new --out new.csr
csr_pub new.csr new.pem
tpm_pub 0x81000002 tpm.pem
cmp -s new.pem tpm.pem || fail "forced key is not the persisted one"
if cmp -s csr.pem new.pem; then fail "--force kept the old key"; fi
no_transients "csr --create --force"

note "RSA 2048 (RSASSA-SHA256)"
pb csr $T --key tpm:0x81000003 --create --alg rsa-2048 --subject /CN=rsa --out rsa.csr --der
openssl req -inform DER -in rsa.csr -verify -noout 2>&1 | grep -q "verify OK" || fail "RSA CSR"
openssl req -inform DER -in rsa.csr -pubkey -noout > rsa.pem
tpm_pub 0x81000003 tpm.pem
cmp -s rsa.pem tpm.pem || fail "RSA: tpm2_readpublic key differs"
sign_check 0x81000003 rsa.pem rsassa
no_transients "RSA"

note "a key made and persisted by tpm2-tools signs our CSR"
# (with no resource manager in between, tpm2-tools leave objects loaded)
tpm2_createprimary -C o -G ecc -c prim.ctx > /dev/null
tpm2_flushcontext -t
tpm2_create -C prim.ctx -G ecc256 -u k.pub -r k.priv > /dev/null
tpm2_flushcontext -t
tpm2_load -C prim.ctx -u k.pub -r k.priv -c k.ctx > /dev/null
tpm2_evictcontrol -C o -c k.ctx 0x81000010 > /dev/null
tpm2_flushcontext -t
pb csr $T --key tpm:0x81000010 --subject /CN=foreign --out foreign.csr
openssl req -in foreign.csr -verify -noout 2>&1 | grep -q "verify OK" || fail "foreign key CSR"
csr_pub foreign.csr f.pem
tpm_pub 0x81000010 tpm.pem
cmp -s f.pem tpm.pem || fail "foreign key differs"

note "owner password: refused without it (exit 4), accepted from fd, file, env"
tpm2_changeauth -c owner 'owner pw'
expect_exit 4 pb csr $T --key tpm:0x81000004 --create --subject /CN=o --out o.csr
expect_one_line_error csr
expect_stderr "TPM2_CreatePrimary: TPM_RC_BAD_AUTH"
no_transients "refused owner auth"
printf 'wrong\n' > bad.pw
expect_exit 4 pb csr $T --key tpm:0x81000004 --create --subject /CN=o --out o.csr --owner-auth-file bad.pw
printf 'owner pw\n' > owner.pw
pb csr $T --key tpm:0x81000004 --create --subject /CN=o --out o.csr --owner-auth-fd 3 3< owner.pw
PROVBOX_OWNER_AUTH='owner pw' pb csr $T --key tpm:0x81000004 --create --force --subject /CN=o --out o.csr
pb csr $T --key tpm:0x81000004 --create --force --subject /CN=o --out o.csr --owner-auth-file owner.pw
no_transients "owner auth"
tpm2_changeauth -c owner -p 'owner pw'

note "swtpm gone: one line, exit 1"
stop_swtpm
expect_exit 1 pb csr $T --key tpm:0x81000002 --subject /CN=x --out gone.csr
expect_one_line_error csr
expect_stderr "cannot connect"
