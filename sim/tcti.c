/* sim/tcti.c - a TCTI over a process function; see sim/tpm.h.
 *
 * tpm2-tss SAPI drives a TCTI as transmit (the whole command) then
 * receive (the whole response, possibly asked for its size first). The
 * response is checked here, before SAPI unmarshals a byte of it.
 */
#include <string.h>
#include <tss2/tss2_mu.h>

#include "sim/tpm.h"

#define SIM_TCTI_MAGIC 0x70626f7873696d31ull   /* "pboxsim1" */
#define TPM_HEADER_SIZE 10                     /* tag, size, code */

static sim_tcti *tcti_of(TSS2_TCTI_CONTEXT *ctx)
{
	sim_tcti *t = (sim_tcti *)(void *)ctx;

	return t != NULL && t->common.v1.magic == SIM_TCTI_MAGIC ? t : NULL;
}

TSS2_RC sim_tcti_check_response(const uint8_t *rsp, size_t len, uint32_t *rc)
{
	TPM2_ST tag;
	uint32_t size, code;
	size_t off = 0;

	*rc = 0;
	if (rsp == NULL || len < TPM_HEADER_SIZE || len > SIM_TPM_BUFFER_MAX)
		return TSS2_TCTI_RC_MALFORMED_RESPONSE;
	if (Tss2_MU_TPM2_ST_Unmarshal(rsp, len, &off, &tag) != TSS2_RC_SUCCESS ||
	    Tss2_MU_UINT32_Unmarshal(rsp, len, &off, &size) != TSS2_RC_SUCCESS ||
	    Tss2_MU_UINT32_Unmarshal(rsp, len, &off, &code) != TSS2_RC_SUCCESS)
		return TSS2_TCTI_RC_MALFORMED_RESPONSE;
	*rc = code;
	if (size != len)
		return TSS2_TCTI_RC_MALFORMED_RESPONSE;
	if (tag != TPM2_ST_NO_SESSIONS && tag != TPM2_ST_SESSIONS)
		return TSS2_TCTI_RC_MALFORMED_RESPONSE;
	/* TPM 2.0 part 1, 18.3: an error response is the bare header */
	if (code != TPM2_RC_SUCCESS && (tag != TPM2_ST_NO_SESSIONS || len != TPM_HEADER_SIZE))
		return TSS2_TCTI_RC_MALFORMED_RESPONSE;
	return TSS2_RC_SUCCESS;
}

static TSS2_RC tcti_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size, const uint8_t *cmd)
{
	sim_tcti *t = tcti_of(ctx);
	TSS2_RC rc;

	if (t == NULL || cmd == NULL)
		return TSS2_TCTI_RC_BAD_REFERENCE;
	if (t->pending)
		return TSS2_TCTI_RC_BAD_SEQUENCE;
	if (size < TPM_HEADER_SIZE || size > SIM_TPM_BUFFER_MAX)
		return TSS2_TCTI_RC_BAD_VALUE;
	rc = t->process(t->process_ctx, cmd, size, &t->rsp, &t->rsp_len);
	if (rc != TSS2_RC_SUCCESS)
		return rc;
	t->pending = 1;
	return TSS2_RC_SUCCESS;
}

static TSS2_RC tcti_receive(TSS2_TCTI_CONTEXT *ctx, size_t *size, uint8_t *response,
	int32_t timeout)
{
	sim_tcti *t = tcti_of(ctx);
	uint32_t code;

	(void)timeout;   /* the response is there as soon as transmit returns */
	if (t == NULL || size == NULL)
		return TSS2_TCTI_RC_BAD_REFERENCE;
	if (!t->pending)
		return TSS2_TCTI_RC_BAD_SEQUENCE;
	if (sim_tcti_check_response(t->rsp, t->rsp_len, &code) != TSS2_RC_SUCCESS) {
		t->pending = 0;
		return TSS2_TCTI_RC_MALFORMED_RESPONSE;
	}
	if (response == NULL) {          /* a size query */
		*size = t->rsp_len;
		return TSS2_RC_SUCCESS;
	}
	if (*size < t->rsp_len) {
		*size = t->rsp_len;
		return TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
	}
	memcpy(response, t->rsp, t->rsp_len);
	*size = t->rsp_len;
	t->pending = 0;
	return TSS2_RC_SUCCESS;
}

static void tcti_finalize(TSS2_TCTI_CONTEXT *ctx)
{
	sim_tcti *t = tcti_of(ctx);

	/* the owner (sim_tpm_close, the fuzzer) releases what is behind it */
	if (t != NULL)
		t->pending = 0;
}

static TSS2_RC tcti_set_locality(TSS2_TCTI_CONTEXT *ctx, uint8_t locality)
{
	if (tcti_of(ctx) == NULL)
		return TSS2_TCTI_RC_BAD_REFERENCE;
	return locality == 0 ? TSS2_RC_SUCCESS : TSS2_TCTI_RC_BAD_VALUE;
}

void sim_tcti_init(sim_tcti *t, sim_tcti_process_fn fn, void *ctx)
{
	memset(t, 0, sizeof *t);
	t->common.v1.magic = SIM_TCTI_MAGIC;
	t->common.v1.version = 2;
	t->common.v1.transmit = tcti_transmit;
	t->common.v1.receive = tcti_receive;
	t->common.v1.finalize = tcti_finalize;
	t->common.v1.setLocality = tcti_set_locality;
	/* cancel, getPollHandles, makeSticky: NULL = not implemented */
	t->process = fn;
	t->process_ctx = ctx;
}
