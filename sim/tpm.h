/* sim/tpm.h - the simulated TPM: libtpms in-process, behind a TCTI.
 *
 * Two layers. sim_tcti is a tpm2-tss TCTI (TSS2_TCTI_CONTEXT_COMMON_V2)
 * whose transmit hands the command to a "process" function and whose
 * receive checks the response before SAPI sees it; the process function is
 * libtpms for the simulator and canned bytes in the fuzzer. sim_tpm_open
 * is the simulator: libtpms (TPM 2.0, linked statically) with its NV state
 * loaded from and saved atomically to STATE/tpm/permall, powered on and
 * started (TPM2_Startup(CLEAR)) on open, shut down (TPM2_Shutdown(CLEAR))
 * on close, so that persistent keys and NV indices survive between
 * processes exactly as on a real TPM. No daemon. An open simulator holds
 * the lock of STATE/tpm/permall (core/base/lock.h) until it is closed.
 *
 * libtpms is process-global: one simulator may be open at a time.
 */
#ifndef PB_SIM_TPM_H
#define PB_SIM_TPM_H

#include <stddef.h>
#include <stdint.h>
#include <tss2/tss2_tcti.h>

#include "core/base/err.h"

#define SIM_TPM_BUFFER_MAX 4096     /* the largest command or response */
#define SIM_TPM_STATE_FILE "permall" /* under STATE/tpm/ */

/* Run one command: set *rsp (owned by the callee, valid until the next
 * call) and *rsp_len, or return a TSS2_TCTI_RC_* error. */
typedef TSS2_RC (*sim_tcti_process_fn)(void *ctx, const uint8_t *cmd, size_t len,
	const uint8_t **rsp, size_t *rsp_len);

typedef struct sim_tcti {
	TSS2_TCTI_CONTEXT_COMMON_V2 common;   /* first: tpm2-tss casts to it */
	sim_tcti_process_fn process;
	void *process_ctx;
	int pending;                          /* a response awaits receive */
	const uint8_t *rsp;
	size_t rsp_len;
} sim_tcti;

/* Set up t around a process function; the TCTI is &t->common. */
void sim_tcti_init(sim_tcti *t, sim_tcti_process_fn fn, void *ctx);

/* Check a TPM response before anyone unmarshals it: at least a header,
 * a known tag, the header's size equal to len and at most
 * SIM_TPM_BUFFER_MAX, and an error response (rc != 0) exactly a header
 * with TPM_ST_NO_SESSIONS. Returns 0 or TSS2_TCTI_RC_MALFORMED_RESPONSE;
 * *rc gets the response code when the header is readable. Never reads
 * beyond len: the fuzzer feeds it arbitrary bytes. */
TSS2_RC sim_tcti_check_response(const uint8_t *rsp, size_t len, uint32_t *rc);

/* Open the simulator on STATE/tpm (state_dir NULL: $PROVBOX_STATE or the
 * default). A missing state file is a new TPM (manufactured); a state file
 * that fails its integrity check is reported (exit 1) and left untouched. */
/* Check the wrapper of a state file's bytes ("PBTPMNV\x01", length,
 * SHA-256, libtpms blob): *blob points into buf. Exit 1 when it fails. */
int sim_tpm_state_unwrap(const char *path, const uint8_t *buf, size_t len,
	const uint8_t **blob, size_t *blen, pb_err *e);

int sim_tpm_open(const char *state_dir, TSS2_TCTI_CONTEXT **tcti, pb_err *e);
/* Shut the TPM down cleanly (orderly state saved) and release libtpms. */
void sim_tpm_close(TSS2_TCTI_CONTEXT *tcti);

/* If saving the NV state failed during the last command, put the reason
 * in e and return its code (the TPM itself only says "NV unavailable");
 * else return 0. */
int sim_tpm_state_error(pb_err *e);

#endif
