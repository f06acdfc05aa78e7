# lifecycle on swtpm, checked with tpm2-tools: the records are platform-created
# NV indices with TPMA_NV_POLICY_DELETE that the owner cannot undefine; a fresh
# TPM named by --tpm later does not reopen provisioning; with the platform
# hierarchy closed, the owner fallback says so and `complete` needs an owner
# password.
. "$PB_TESTS/e2e/lib.sh"
. "$PB_TESTS/e2e/lib-swtpm.inc"
needs_cmd swtpm tpm2_nvreadpublic tpm2_nvundefine tpm2_hierarchycontrol tpm2_changeauth openssl

pb pki-gen init --profile trustme --out pki > /dev/null
start_swtpm "$PB_WORK/tpm1"
T1=$SWTPM_URI

note "advance on swtpm: the record is a platform-created, policy-delete index"
pb lifecycle status --tpm "$T1" | grep -q "^rollback protection: TPM NV, platform-created" || fail "protection line"
pb lifecycle advance provisioning --tpm "$T1" > /dev/null
tpm2_nvreadpublic 0x01900001 > pub.txt || fail "tpm2_nvreadpublic does not show the record"
grep -q "platformcreate" pub.txt || { cat pub.txt; fail "not platform-created"; }
grep -q "policydelete" pub.txt || { cat pub.txt; fail "no policy_delete"; }
grep -q "writelocked" pub.txt || { cat pub.txt; fail "not write-locked"; }
[ "$(tpm2_nvread 0x01900001 -C 0x01900001 | od -An -tx1 | tr -d ' \n')" = "00002000" ] || fail "record content"
# tpm2-tools wants a policy session for a policy-delete index; with one and
# the owner hierarchy the request reaches the TPM, which refuses it
tpm2_startauthsession --policy-session -S pol.ctx
if tpm2_nvundefine -C o -S pol.ctx 0x01900001 2> undef.err; then fail "the owner undefined the record"; fi
tpm2_flushcontext pol.ctx
grep -q "Esys_NV_UndefineSpaceSpecial(0x[0-9A-Fa-f]*) - tpm:" undef.err || { cat undef.err; fail "not refused by the TPM"; }
# and plain TPM2_NV_UndefineSpace with owner authorization, sent raw
printf '\200\002\000\000\000\037\000\000\001\042\100\000\000\001\001\220\000\001\000\000\000\011\100\000\000\011\000\000\000\000\000' \
	| tpm2_send > rsp.bin
rc=$(od -An -tx1 -j6 -N4 rsp.bin | tr -d ' \n')
[ "$rc" != "00000000" ] || fail "TPM2_NV_UndefineSpace(owner) succeeded"
tpm2_nvreadpublic 0x01900001 > /dev/null || fail "the record is gone"
pb lifecycle status --tpm "$T1" | grep -q "^state: provisioning" || fail "state after the attempts"

note "complete; a fresh TPM named by --tpm does not reopen provisioning"
pb certstore add --kind device pki/gen_rootca.crt --tpm "$T1" > /dev/null
pb lifecycle complete --tpm "$T1" > /dev/null
expect_exit 3 pb certstore add --kind device pki/dev_subca.crt --tpm "$T1"
expect_exit 3 pb certstore add --kind device pki/dev_subca.crt              # sim: not asked
pb lifecycle status --json | grep -q '"state": "secured"' || fail "status without --tpm"
P1=$SWTPM_PID; SWTPM_PID=
start_swtpm "$PB_WORK/tpm2"
trap 'stop_swtpm; kill $P1 2>/dev/null || true' EXIT
expect_exit 3 pb certstore add --kind device pki/dev_subca.crt --tpm "$SWTPM_URI"
expect_stderr "refused: device is secured"
pb lifecycle status --json --tpm "$SWTPM_URI" | grep -q '"state": "secured"' || fail "status with a fresh --tpm"
stop_swtpm
kill $P1; wait $P1 2>/dev/null || true
note "the authority unreachable: refused too (exit 1), never let through"
expect_exit 1 pb certstore add --kind device pki/dev_subca.crt

note "platform hierarchy closed: owner indices, said in status, complete needs an owner password"
start_swtpm "$PB_WORK/tpm3"
tpm2_hierarchycontrol -C p phEnable clear
export PROVBOX_STATE="$PB_WORK/state3"
pb lifecycle status --tpm "$SWTPM_URI" | grep -q "^rollback protection: owner password" || fail "fallback protection line"
pb lifecycle advance provisioning --tpm "$SWTPM_URI" > /dev/null
tpm2_nvreadpublic 0x01900001 > pub3.txt
grep -q "ownerwrite" pub3.txt || { cat pub3.txt; fail "fallback record not an owner index"; }
expect_exit 1 pb lifecycle complete --tpm "$SWTPM_URI"
expect_stderr "set an owner password first"
pb lifecycle status --tpm "$SWTPM_URI" | grep -q "^state: provisioning" || fail "a refused complete changed the state"
tpm2_changeauth -c owner owner-secret
PROVBOX_OWNER_AUTH=owner-secret pb lifecycle complete --tpm "$SWTPM_URI" > /dev/null
pb lifecycle status --tpm "$SWTPM_URI" | grep -q "^state: secured" || fail "complete with an owner password"
stop_swtpm

note "a record index defined by the owner but never written is tampering (exit 5), not assembly"
start_swtpm "$PB_WORK/tpm4"
export PROVBOX_STATE="$PB_WORK/state4"
tpm2_nvdefine 0x01900002 -C o -s 4 -a "ownerwrite|ownerread|authread|writedefine|no_da" > /dev/null
expect_exit 5 pb lifecycle status --tpm "$SWTPM_URI"
expect_one_line_error lifecycle
expect_stderr "defined but never written"
expect_exit 5 pb certstore add --kind device pki/gen_rootca.crt --tpm "$SWTPM_URI"
expect_exit 5 pb lifecycle advance provisioning --tpm "$SWTPM_URI"
stop_swtpm
