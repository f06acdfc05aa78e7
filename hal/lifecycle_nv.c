/* hal/lifecycle_nv.c - the default lifecycle storage over write-once NV.
 *
 * For a backend with nv_read / nv_write_once and no lifecycle slots of
 * its own (the TPM today): passing into state S writes the write-once
 * index HAL_LC_NV_BASE + S, holding the 4-byte big-endian PSA value of
 * S. Write-once NV only ever gains records, so the most advanced record
 * cannot be taken back by provbox; on a TPM these are owner indices, which
 * an owner can delete (the protection line says so). Assembly is the
 * absence of every record. Policy (order, forward only) is core/lifecycle's.
 */
#include <stdio.h>

#include "hal/hal.h"

static const unsigned psa_value[] = {0x1000, 0x2000, 0x3000, 0x6000};

static void record_of(hal_lifecycle lc, uint8_t rec[4])
{
	unsigned v = psa_value[lc];

	rec[0] = (uint8_t)(v >> 24);
	rec[1] = (uint8_t)(v >> 16);
	rec[2] = (uint8_t)(v >> 8);
	rec[3] = (uint8_t)v;
}

/* *there = 1 when the record of lc is written (and what it must be). */
static int read_record(hal_ctx *be, hal_lifecycle lc, int *there, pb_err *e)
{
	uint8_t buf[16], want[4];
	size_t len;
	uint32_t index = HAL_LC_NV_BASE + (uint32_t)lc;

	if (hal_nv_read(be, index, buf, sizeof buf, &len, there, e) != 0)
		return pb_err_prefix(e, "lifecycle record '%s'", hal_lifecycle_name(lc));
	record_of(lc, want);
	if (*there && (len != sizeof want || !pb_ct_equal(buf, want, sizeof want)))
		return pb_fail(e, PB_EVERIFY, "lifecycle record '%s' (NV index 0x%x): unexpected content",
			hal_lifecycle_name(lc), (unsigned)index);
	return 0;
}

int hal_lifecycle_nv_read(hal_ctx *be, hal_lifecycle *lc, int *present, pb_err *e)
{
	int there;

	*lc = HAL_LC_ASSEMBLY;
	*present = 0;
	/* any record counts, not only the last in a row: the most advanced wins */
	for (int s = HAL_LC_DECOMMISSIONED; s > HAL_LC_ASSEMBLY; s--) {
		if (read_record(be, (hal_lifecycle)s, &there, e) != 0)
			return e->code;
		if (there) {
			*lc = (hal_lifecycle)s;
			*present = 1;
			return 0;
		}
	}
	return 0;
}

int hal_lifecycle_nv_write(hal_ctx *be, hal_lifecycle to, pb_err *e)
{
	uint8_t rec[4];
	int there;

	if (to <= HAL_LC_ASSEMBLY || to > HAL_LC_DECOMMISSIONED)
		return pb_fail(e, PB_EUSAGE, "lifecycle: no record for state '%s'", hal_lifecycle_name(to));
	/* written already (by a process that ran at the same time): done */
	if (read_record(be, to, &there, e) != 0)
		return e->code;
	if (there)
		return 0;
	record_of(to, rec);
	if (hal_nv_write_once(be, HAL_LC_NV_BASE + (uint32_t)to, rec, sizeof rec, e) != 0)
		return pb_err_prefix(e, "lifecycle record '%s'", hal_lifecycle_name(to));
	return 0;
}

int hal_lifecycle_nv_protection(hal_ctx *be, char *buf, size_t cap, pb_err *e)
{
	(void)e;
	snprintf(buf, cap, "%s NV, write-once owner indices (an owner could delete them)", (*be)->name);
	return 0;
}
