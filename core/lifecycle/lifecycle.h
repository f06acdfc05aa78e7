/* core/lifecycle/lifecycle.h - the security lifecycle policy (SPEC section 3).
 *
 * Policy lives here, storage in the backends (hal_backend_class
 * lifecycle_read / lifecycle_write, or the NV default of
 * hal/lifecycle_nv.c):
 *   - the order assembly < provisioning < secured < decommissioned, with
 *     their PSA values 0x1000, 0x2000, 0x3000, 0x6000;
 *   - forward only, through each state in between (a backend is only
 *     ever asked to record the next state);
 *   - the one rule: the device state is the most advanced record of every
 *     backend that holds one; no record anywhere is assembly;
 *   - the gate every provisioning-only operation asks first: exit 3 past
 *     provisioning.
 * Which backends are asked: the TPM of hal_open_opts, and the KMU when
 * kmu_uri is given and the build has a KMU backend. The first of them
 * that is asked is the authority that advance writes to (the KMU when
 * given, else the TPM). The authority record in the state dir (SPEC
 * section 3) comes on top of these entry points.
 */
#ifndef PB_LIFECYCLE_H
#define PB_LIFECYCLE_H

#include "hal/hal.h"

/* What pb_lc_current found, for `lifecycle status`. */
typedef struct pb_lc_info {
	char authority[16];      /* backend advance writes to: "tpm", "kmu" */
	char holder[16];         /* backend of the most advanced record ("" if none) */
	char protection[160];    /* the authority's lifecycle_protection line */
	int records;             /* backends that hold a record */
	char authority_uri[256]; /* the authority's URI (pb_lc_current only) */
	int authority_recorded;  /* 1: from STATE/lifecycle/authority; 0: from the options */
} pb_lc_info;

/* PSA lifecycle value of a state (0 for an unknown one). */
unsigned pb_lc_psa_value(hal_lifecycle lc);
const char *pb_lc_name(hal_lifecycle lc);        /* = hal_lifecycle_name */

/* The device state: the most advanced record of every backend that holds
 * one (none: assembly). info may be NULL. */
int pb_lc_current(const hal_open_opts *o, hal_lifecycle *lc, pb_lc_info *info, pb_err *e);
/* Forward only, through each state in between; same state = 0 no change;
 * backward = exit 3, nothing changed. */
int pb_lc_advance(const hal_open_opts *o, hal_lifecycle to, pb_err *e);
/* The gate: exit 3 "refused: device is secured (provisioning completed)"
 * (or "... is decommissioned") past provisioning. `what` is e.g. "add",
 * so that the applet prints "provbox: certstore: add: refused: ...";
 * NULL: no prefix. A backend that cannot be opened fails with exit 1 and
 * its message (the gate never lets an operation through unasked). */
int pb_lc_gate(const hal_open_opts *o, const char *what, pb_err *e);

/* The same over backends the caller opened: be[0] is the authority,
 * the others are only read. For tests and for callers that hold the
 * backends open already. */
int pb_lc_current_of(hal_ctx *const *be, size_t n, hal_lifecycle *lc, pb_lc_info *info, pb_err *e);
int pb_lc_advance_of(hal_ctx *const *be, size_t n, hal_lifecycle to, pb_err *e);
int pb_lc_gate_of(hal_ctx *const *be, size_t n, const char *what, pb_err *e);

#endif
