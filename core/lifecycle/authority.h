/* core/lifecycle/authority.h - which backend holds the device's lifecycle
 * (SPEC section 3, "No command-line option can change which backend is
 * asked").
 *
 * The lifecycle authority (backend kind and URI: the KMU when --kmu is
 * given, else the TPM) is recorded in STATE/lifecycle/authority at the
 * first `lifecycle advance` or the first time the gate lets an operation
 * through. From then on pb_lc_current / pb_lc_advance / pb_lc_gate ask
 * that backend whatever --tpm / --kmu say, so a fresh TPM cannot reopen
 * provisioning. A state dir that holds anchors, a device certificate or a
 * token but no authority record has been tampered with: exit 5.
 *
 * The file (0600, written atomically under its lock, never rewritten once
 * there) is text:
 *
 *   provbox-lifecycle-authority 1
 *   kind tpm|kmu
 *   uri URI                 (printable ASCII, no spaces)
 *   sha256 HEX              (of the lines above)
 *
 * A file that does not parse is damage: exit 5, never a fresh device.
 */
#ifndef PB_LC_AUTHORITY_H
#define PB_LC_AUTHORITY_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/state.h"
#include "hal/hal.h"

#define PB_LC_URI_MAX 256
#define PB_LC_AUTHORITY_FILE_MAX 512

typedef struct pb_lc_authority {
	hal_kind kind;                 /* HAL_TPM or HAL_KMU */
	char uri[PB_LC_URI_MAX];
} pb_lc_authority;

/* Parse the file's bytes (untrusted: fuzzed). 0 or PB_EVERIFY. */
int pb_lc_authority_parse(const uint8_t *buf, size_t len, pb_lc_authority *a, pb_err *e);
/* Encode a into out; PB_EUSAGE for a URI that cannot be recorded. */
int pb_lc_authority_encode(const pb_lc_authority *a, char *out, size_t cap, size_t *len, pb_err *e);

/* Read STATE/lifecycle/authority: *present = 0 when there is none. */
int pb_lc_authority_read(const pb_state *st, pb_lc_authority *a, int *present, pb_err *e);

/* The backends to ask, bound to the authority: *out is o with tpm_uri /
 * kmu_uri replaced by the recorded ones (pointing into a, which must
 * outlive out). With no record yet, the authority the options name is
 * put into a and *recorded = 0; a state dir holding provisioning results
 * without a record is PB_EVERIFY. */
int pb_lc_bind(const hal_open_opts *o, pb_state *st, pb_lc_authority *a, hal_open_opts *out,
	int *recorded, pb_err *e);

/* Record a unless a record exists (under the file's lock; an existing one
 * wins and is put into a). */
int pb_lc_authority_record(const pb_state *st, pb_lc_authority *a, pb_err *e);

#endif
