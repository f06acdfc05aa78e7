/* hal/tpm_util.c - response codes, sessions, templates and conversions
 * between TPM structures and ours; see hal/tpm.h. Pure functions over
 * already unmarshalled structures: the fuzzer drives them too.
 */
#include <stdio.h>
#include <string.h>
#include <tss2/tss2_rc.h>

#include "core/crypto/sigfmt.h"
#include "hal/tpm.h"
#if PB_SIM
#include "sim/tpm.h"
#endif

#define RC(x) {TPM2_RC_##x, "TPM_RC_" #x}
static const struct { TSS2_RC rc; const char *name; } rc_names[] = {
	RC(INITIALIZE), RC(FAILURE), RC(SEQUENCE), RC(DISABLED), RC(EXCLUSIVE), RC(AUTH_TYPE),
	RC(AUTH_MISSING), RC(POLICY), RC(PCR), RC(PCR_CHANGED), RC(UPGRADE), RC(TOO_MANY_CONTEXTS),
	RC(AUTH_UNAVAILABLE), RC(REBOOT), RC(UNBALANCED), RC(COMMAND_SIZE), RC(COMMAND_CODE),
	RC(AUTHSIZE), RC(AUTH_CONTEXT), RC(NV_RANGE), RC(NV_SIZE), RC(NV_LOCKED),
	RC(NV_AUTHORIZATION), RC(NV_UNINITIALIZED), RC(NV_SPACE), RC(NV_DEFINED), RC(BAD_CONTEXT),
	RC(CPHASH), RC(PARENT), RC(NEEDS_TEST), RC(NO_RESULT), RC(SENSITIVE),
	RC(ASYMMETRIC), RC(ATTRIBUTES), RC(HASH), RC(VALUE), RC(HIERARCHY), RC(KEY_SIZE), RC(MGF),
	RC(MODE), RC(TYPE), RC(HANDLE), RC(KDF), RC(RANGE), RC(AUTH_FAIL), RC(NONCE), RC(PP),
	RC(SCHEME), RC(SIZE), RC(SYMMETRIC), RC(TAG), RC(SELECTOR), RC(INSUFFICIENT), RC(SIGNATURE),
	RC(KEY), RC(POLICY_FAIL), RC(INTEGRITY), RC(TICKET), RC(RESERVED_BITS), RC(BAD_AUTH),
	RC(EXPIRED), RC(POLICY_CC), RC(BINDING), RC(CURVE), RC(ECC_POINT),
	RC(CONTEXT_GAP), RC(OBJECT_MEMORY), RC(SESSION_MEMORY), RC(MEMORY), RC(SESSION_HANDLES),
	RC(OBJECT_HANDLES), RC(LOCALITY), RC(YIELDED), RC(CANCELED), RC(TESTING),
	RC(REFERENCE_H0), RC(REFERENCE_H1), RC(REFERENCE_H2), RC(REFERENCE_H3), RC(REFERENCE_H4),
	RC(REFERENCE_H5), RC(REFERENCE_H6), RC(REFERENCE_S0), RC(REFERENCE_S1), RC(REFERENCE_S2),
	RC(REFERENCE_S3), RC(REFERENCE_S4), RC(REFERENCE_S5), RC(REFERENCE_S6), RC(NV_RATE),
	RC(LOCKOUT), RC(RETRY), RC(NV_UNAVAILABLE),
};
#undef RC

TSS2_RC tpm_rc_base(TSS2_RC rc)
{
	if ((rc & TSS2_RC_LAYER_MASK) != TSS2_TPM_RC_LAYER)
		return rc;
	if (rc & TPM2_RC_FMT1)   /* parameter, handle or session number above */
		return rc & (TPM2_RC_FMT1 | 0x3F);
	return rc & (TPM2_RC_WARN | TPM2_RC_VER1 | 0x7F);
}

const char *tpm_rc_name(TSS2_RC rc)
{
	TSS2_RC base = tpm_rc_base(rc);

	if ((rc & TSS2_RC_LAYER_MASK) != TSS2_TPM_RC_LAYER)
		return NULL;
	for (size_t i = 0; i < sizeof rc_names / sizeof rc_names[0]; i++)
		if (rc_names[i].rc == base)
			return rc_names[i].name;
	return NULL;
}

int tpm_fail(tpm_ctx *c, pb_err *e, const char *what, TSS2_RC rc)
{
	const char *name = tpm_rc_name(rc);
	TSS2_RC base = tpm_rc_base(rc);
	int code = PB_EFAIL;

#if PB_SIM
	/* the simulator could not save its state: say that, not NV_UNAVAILABLE */
	if (c != NULL && c->sim && sim_tpm_state_error(e) != 0)
		return pb_err_prefix(e, "%s", what);
#else
	(void)c;
#endif
	if (base == TPM2_RC_BAD_AUTH || base == TPM2_RC_AUTH_FAIL || base == TPM2_RC_LOCKOUT)
		code = PB_EAUTH;
	if (name)
		return pb_fail(e, code, "%s: %s: %s", what, name, Tss2_RC_Decode(rc));
	return pb_fail(e, code, "%s: %s", what, Tss2_RC_Decode(rc));
}

void tpm_pw_session(TSS2L_SYS_AUTH_COMMAND *cmd, const TPM2B_AUTH *auth)
{
	memset(cmd, 0, sizeof *cmd);
	cmd->count = 1;
	cmd->auths[0].sessionHandle = TPM2_RH_PW;
	if (auth)
		cmd->auths[0].hmac = *auth;
}

/* The public template of a storage key (restricted decrypt, AES-128-CFB
 * for its children, no scheme) or of a signing key (no symmetric, ECDSA
 * or RSASSA with SHA-256); -1 for an alg we do not make. */
static int make_template(pb_alg alg, int storage, TPMA_OBJECT attrs, TPM2B_PUBLIC *t)
{
	TPMT_PUBLIC *p = &t->publicArea;
	TPMT_SYM_DEF_OBJECT sym = {.algorithm = TPM2_ALG_NULL};
	TPMI_ALG_HASH hash = storage ? TPM2_ALG_NULL : TPM2_ALG_SHA256;

	memset(t, 0, sizeof *t);
	p->nameAlg = TPM2_ALG_SHA256;
	p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA | attrs;
	if (storage) {
		sym.algorithm = TPM2_ALG_AES;
		sym.keyBits.aes = 128;
		sym.mode.aes = TPM2_ALG_CFB;
	}
	switch (alg) {
	case PB_ALG_EC_P256:
		p->type = TPM2_ALG_ECC;
		p->parameters.eccDetail.symmetric = sym;
		p->parameters.eccDetail.scheme.scheme = storage ? TPM2_ALG_NULL : TPM2_ALG_ECDSA;
		p->parameters.eccDetail.scheme.details.ecdsa.hashAlg = hash;
		p->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
		p->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
		return 0;
	case PB_ALG_RSA_2048:
		p->type = TPM2_ALG_RSA;
		p->parameters.rsaDetail.symmetric = sym;
		p->parameters.rsaDetail.scheme.scheme = storage ? TPM2_ALG_NULL : TPM2_ALG_RSASSA;
		p->parameters.rsaDetail.scheme.details.rsassa.hashAlg = hash;
		p->parameters.rsaDetail.keyBits = 2048;
		return 0;
	default:
		return -1;
	}
}

int tpm_srk_template(pb_alg alg, TPM2B_PUBLIC *t, pb_err *e)
{
	/* TCG storage key; empty unique: the same key every time from the seed */
	if (make_template(alg, 1, TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT, t) != 0)
		return pb_fail(e, PB_EUSAGE, "tpm: storage key must be ec-p256 or rsa-2048");
	return 0;
}

int tpm_key_template(pb_alg alg, TPM2B_PUBLIC *t, pb_err *e)
{
	/* an unrestricted signing key that never leaves this TPM. Its authValue
	 * is empty, so dictionary-attack lockout (which power losses advance)
	 * has nothing to protect: noDA (set for both) keeps it from locking */
	if (make_template(alg, 0, TPMA_OBJECT_SIGN_ENCRYPT, t) != 0)
		return pb_fail(e, PB_EUSAGE, "tpm: key algorithm %s not supported (ec-p256, rsa-2048)",
			pb_alg_name(alg));
	return 0;
}

/* Left-pad a TPM coordinate into a fixed-size field. */
static int put_coord(const TPM2B_ECC_PARAMETER *v, uint8_t *out, size_t n)
{
	if (v->size == 0 || v->size > n)
		return -1;
	memset(out, 0, n - v->size);
	memcpy(out + n - v->size, v->buffer, v->size);
	return 0;
}

static int ecc_to_pubkey(const TPMT_PUBLIC *pub, pb_pubkey *k, pb_err *e)
{
	static const uint8_t one = 1;
	uint8_t q[PB_EC_POINT_MAX];
	size_t n;

	switch (pub->parameters.eccDetail.curveID) {
	case TPM2_ECC_NIST_P256: k->alg = PB_ALG_EC_P256; n = 32; break;
	case TPM2_ECC_NIST_P384: k->alg = PB_ALG_EC_P384; n = 48; break;
	default:
		return pb_fail(e, PB_EVERIFY, "TPM key: unsupported curve 0x%04x",
			(unsigned)pub->parameters.eccDetail.curveID);
	}
	k->q[0] = 0x04;
	if (put_coord(&pub->unique.ecc.x, k->q + 1, n) != 0 ||
	    put_coord(&pub->unique.ecc.y, k->q + 1 + n, n) != 0)
		return pb_fail(e, PB_EVERIFY, "TPM key: bad EC point size");
	k->qlen = 1 + 2 * n;
	/* multiplying by 1 decodes the point: it fails unless on the curve */
	memcpy(q, k->q, k->qlen);
	if (!pb_ec_impl(pb_alg_curve(k->alg))->mul(q, k->qlen, &one, 1, pb_alg_curve(k->alg)))
		return pb_fail(e, PB_EVERIFY, "TPM key: EC point not on the curve");
	return 0;
}

static int rsa_to_pubkey(const TPMT_PUBLIC *pub, pb_pubkey *k, pb_err *e)
{
	const uint8_t *n = pub->unique.rsa.buffer;
	size_t nlen = pub->unique.rsa.size;
	uint32_t exp = pub->parameters.rsaDetail.exponent ? pub->parameters.rsaDetail.exponent : 65537;

	while (nlen && n[0] == 0)
		n++, nlen--;
	switch (nlen) {
	case 256: k->alg = PB_ALG_RSA_2048; break;
	case 384: k->alg = PB_ALG_RSA_3072; break;
	case 512: k->alg = PB_ALG_RSA_4096; break;
	default: return pb_fail(e, PB_EVERIFY, "TPM key: unsupported RSA modulus (%zu bits)", nlen * 8);
	}
	if (pub->parameters.rsaDetail.keyBits != nlen * 8 || !(n[nlen - 1] & 1) || !(exp & 1) || exp < 3)
		return pb_fail(e, PB_EVERIFY, "TPM key: inconsistent RSA public key");
	memcpy(k->n, n, nlen);
	k->nlen = nlen;
	k->elen = 0;
	for (int shift = 24; shift >= 0; shift -= 8)
		if (k->elen || (exp >> shift) & 0xFF)
			k->e[k->elen++] = (uint8_t)(exp >> shift);
	return 0;
}

int tpm_public_to_pubkey(const TPMT_PUBLIC *pub, pb_pubkey *k, pb_err *e)
{
	memset(k, 0, sizeof *k);
	if (!(pub->objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT) ||
	    (pub->objectAttributes & TPMA_OBJECT_RESTRICTED))
		return pb_fail(e, PB_EFAIL, "not an unrestricted signing key");
	switch (pub->type) {
	case TPM2_ALG_ECC: return ecc_to_pubkey(pub, k, e);
	case TPM2_ALG_RSA: return rsa_to_pubkey(pub, k, e);
	default: return pb_fail(e, PB_EFAIL, "not an EC or RSA key (type 0x%04x)", (unsigned)pub->type);
	}
}

int tpm_signature_to_x509(const TPMT_SIGNATURE *sig, uint8_t *out, size_t cap, size_t *len,
	pb_err *e)
{
	uint8_t raw[2 * PB_ECDSA_COORD_MAX];
	size_t coord;
	const TPMS_SIGNATURE_ECC *ec = &sig->signature.ecdsa;
	const TPM2B_PUBLIC_KEY_RSA *rsa = &sig->signature.rsassa.sig;

	switch (sig->sigAlg) {
	case TPM2_ALG_ECDSA:
		if (ec->signatureR.size == 0 || ec->signatureR.size > PB_ECDSA_COORD_MAX ||
		    ec->signatureS.size == 0 || ec->signatureS.size > PB_ECDSA_COORD_MAX)
			return pb_fail(e, PB_EVERIFY, "TPM signature: bad ECDSA r/s size");
		/* r and s as r||s of one width: a TPM may drop leading zeros */
		coord = ec->signatureR.size > ec->signatureS.size ? ec->signatureR.size : ec->signatureS.size;
		memset(raw, 0, sizeof raw);
		memcpy(raw + coord - ec->signatureR.size, ec->signatureR.buffer, ec->signatureR.size);
		memcpy(raw + 2 * coord - ec->signatureS.size, ec->signatureS.buffer, ec->signatureS.size);
		if (pb_ecdsa_raw_to_der(raw, 2 * coord, out, cap, len, e) != 0)
			return pb_err_prefix(e, "TPM signature");
		return 0;
	case TPM2_ALG_RSASSA:
		if (rsa->size == 0 || rsa->size > PB_RSA_MAX)
			return pb_fail(e, PB_EVERIFY, "TPM signature: bad RSA signature size");
		if (rsa->size > cap)
			return pb_fail(e, PB_EFAIL, "TPM signature: output buffer too small");
		memcpy(out, rsa->buffer, rsa->size);
		*len = rsa->size;
		return 0;
	default:
		return pb_fail(e, PB_EVERIFY, "TPM signature: unexpected scheme 0x%04x",
			(unsigned)sig->sigAlg);
	}
}
