/* fuzz/fuzz_tpm_response.c - what comes back from a TPM.
 *
 * The input is a TPM response. It goes through the simulator TCTI's
 * receive check, and then, as the answer to every command, through the
 * whole TPM backend: tpm2-tss SAPI unmarshals it (ReadPublic, Sign,
 * GetRandom, NV_ReadPublic, NV_Read, GetCapability, CreatePrimary, ...)
 * and our code turns what it accepted into keys, X.509 signatures, NV
 * data and counters. Whatever the bytes, nothing may crash, and what is
 * accepted must be well-formed.
 *
 * Seed corpus (fuzz/corpus/tpm_response/): responses libtpms gave to a
 * real session (key create, sign, random, NV, errors), captured at the
 * TCTI's process function.
 */
#include <stdlib.h>
#include <string.h>

#include "hal/tpm.h"
#include "sim/tpm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *answer;
static size_t answer_len;

static TSS2_RC replay(void *ctx, const uint8_t *cmd, size_t len, const uint8_t **rsp,
	size_t *rsp_len)
{
	(void)ctx;
	(void)cmd;
	(void)len;
	*rsp = answer;
	*rsp_len = answer_len;
	return TSS2_RC_SUCCESS;
}

static void check_signature(const pb_pubkey *pub, const uint8_t *sig, size_t len)
{
	der_tlv t;

	if (pb_alg_is_ec(pub->alg) && der_parse_single(sig, len, DER_SEQUENCE, &t) != DER_OK)
		abort();   /* an accepted ECDSA signature is DER */
	if (len == 0 || len > PB_SIG_MAX)
		abort();
}

static int count_key(void *ctx, const hal_key_info *info, pb_err *e)
{
	(void)ctx;
	(void)e;
	if (info->ref.handle < 0x81000000u || info->ref.handle > 0x81FFFFFFu)
		abort();   /* key_list reports persistent handles only */
	return 0;
}

static void run_backend(void)
{
	sim_tcti t;
	hal_ctx *be;
	hal_key_ref ref = {.kind = HAL_TPM, .handle = 0x81000002, .name = "0x81000002"};
	pb_pubkey pub;
	pb_err e;
	uint8_t buf[PB_SIG_MAX], digest[32] = {0};
	size_t len;
	int defined;
	uint64_t v;
	uint32_t n;
	hal_lifecycle lc;
	hal_key_spec spec = {.alg = PB_ALG_EC_P256, .usage = HAL_USAGE_SIGN, .persistent = 1, .force = 1};

	sim_tcti_init(&t, replay, NULL);
	if (hal_tpm_open_tcti((TSS2_TCTI_CONTEXT *)(void *)&t, NULL, &be, &e) != 0)
		return;
	if (hal_key_public(be, &ref, &pub, &e) == 0 && pb_pubkey_bits(&pub, buf, sizeof buf, &len) != 0)
		abort();
	if (hal_key_sign(be, &ref, PB_HASH_SHA256, digest, sizeof digest, buf, sizeof buf, &len, &e) == 0)
		check_signature(&pub, buf, len);
	(void)hal_random(be, buf, 48, &e);
	if (hal_nv_read(be, 1, buf, 64, &len, &defined, &e) == 0 && len > 64)
		abort();
	(void)hal_nv_counter(be, 2, 0, &v, &e);
	(void)hal_nv_write_once(be, 3, digest, 8, &e);
	(void)hal_tpm_transient_count(be, &n, &e);
	(void)hal_key_list(be, count_key, NULL, &e);
	(void)hal_lifecycle_read(be, &lc, &defined, &e);
	(void)hal_key_create(be, &ref, &spec, &e);
	(void)hal_key_destroy(be, &ref, &e);
	hal_close(be);
}

static TSS2_RC broken(void *ctx, const uint8_t *cmd, size_t len, const uint8_t **rsp, size_t *rsp_len)
{
	(void)ctx, (void)cmd, (void)len, (void)rsp, (void)rsp_len;
	return TSS2_TCTI_RC_IO_ERROR;
}

/* The TCTI contract around that response: misuse is refused, a short
 * buffer learns the size, a received response is the bytes given. */
static void tcti_contract(const uint8_t *data, size_t size)
{
	static const uint8_t cmd[12] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0};
	uint8_t buf[4096];
	sim_tcti t;
	TSS2_TCTI_CONTEXT *c = (TSS2_TCTI_CONTEXT *)(void *)&t;
	size_t n = size ? data[0] : 0;
	TSS2_RC rc;

	sim_tcti_init(&t, replay, NULL);
	if (Tss2_Tcti_Receive(c, &n, buf, 0) != TSS2_TCTI_RC_BAD_SEQUENCE)
		abort();
	if (Tss2_Tcti_Transmit(c, 4, cmd) != TSS2_TCTI_RC_BAD_VALUE)
		abort();
	if (Tss2_Tcti_Transmit(NULL, sizeof cmd, cmd) != TSS2_TCTI_RC_BAD_REFERENCE)
		abort();
	if (Tss2_Tcti_SetLocality(c, (uint8_t)n) != (n == 0 ? TSS2_RC_SUCCESS : TSS2_TCTI_RC_BAD_VALUE))
		abort();
	if (Tss2_Tcti_Transmit(c, sizeof cmd, cmd) != TSS2_RC_SUCCESS ||
	    Tss2_Tcti_Transmit(c, sizeof cmd, cmd) != TSS2_TCTI_RC_BAD_SEQUENCE ||
	    Tss2_Tcti_Receive(c, NULL, buf, 0) != TSS2_TCTI_RC_BAD_REFERENCE)
		abort();
	/* n: a size query (odd) or a buffer of n bytes, maybe too short */
	int query = n % 2;
	rc = Tss2_Tcti_Receive(c, &n, query ? NULL : buf, 0);
	if (rc == TSS2_RC_SUCCESS && !query) {
		if (n != size || memcmp(buf, data, size) != 0)
			abort();
	} else if (rc == TSS2_RC_SUCCESS || rc == TSS2_TCTI_RC_INSUFFICIENT_BUFFER) {
		size_t want = n;
		n = sizeof buf;
		if (want != size || (size <= sizeof buf && (Tss2_Tcti_Receive(c, &n, buf, 0) != TSS2_RC_SUCCESS ||
		    n != size || memcmp(buf, data, size) != 0)))
			abort();
	}
	Tss2_Tcti_Finalize(c);

	/* misuse the typed entry points directly: wrong magic, NULL, sizes */
	uint32_t code;
	sim_tcti bad = t;
	TSS2_TCTI_CONTEXT *b = (TSS2_TCTI_CONTEXT *)(void *)&bad;
	bad.common.v1.magic = 0;
	if (sim_tcti_check_response(NULL, 10, &code) != TSS2_TCTI_RC_MALFORMED_RESPONSE ||
	    sim_tcti_check_response(data, (size_t)SIM_TPM_BUFFER_MAX + 1, &code) != TSS2_TCTI_RC_MALFORMED_RESPONSE ||
	    t.common.v1.transmit(c, sizeof cmd, NULL) != TSS2_TCTI_RC_BAD_REFERENCE ||
	    t.common.v1.transmit(c, (size_t)SIM_TPM_BUFFER_MAX + 1, cmd) != TSS2_TCTI_RC_BAD_VALUE ||
	    t.common.v1.transmit(b, sizeof cmd, cmd) != TSS2_TCTI_RC_BAD_REFERENCE ||
	    t.common.v1.receive(b, &n, buf, 0) != TSS2_TCTI_RC_BAD_REFERENCE ||
	    t.common.v1.setLocality(b, 0) != TSS2_TCTI_RC_BAD_REFERENCE)
		abort();
	t.common.v1.finalize(b);
	sim_tcti_init(&bad, broken, NULL);
	if (Tss2_Tcti_Transmit(b, sizeof cmd, cmd) != TSS2_TCTI_RC_IO_ERROR)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t rc;

	if (sim_tcti_check_response(data, size, &rc) == TSS2_RC_SUCCESS &&
	    (size < 10 || ((size_t)data[2] << 24 | (size_t)data[3] << 16 | (size_t)data[4] << 8 | data[5]) != size))
		abort();   /* accepted: the header's size is the length */
	answer = data;
	answer_len = size;
	tcti_contract(data, size);
	run_backend();
	return 0;
}
