/* core/lifecycle/lifecycle.c - the lifecycle policy; see lifecycle.h. */
#include "core/lifecycle/lifecycle.h"
#include "core/lifecycle/authority.h"

#include <stdio.h>
#include <string.h>

#define LC_BACKENDS 2   /* the TPM and the KMU */

unsigned pb_lc_psa_value(hal_lifecycle lc)
{
	static const unsigned v[] = {0x1000, 0x2000, 0x3000, 0x6000};

	return (unsigned)lc <= HAL_LC_DECOMMISSIONED ? v[lc] : 0;
}

const char *pb_lc_name(hal_lifecycle lc)
{
	return hal_lifecycle_name(lc);
}

int pb_lc_current_of(hal_ctx *const *be, size_t n, hal_lifecycle *lc, pb_lc_info *info, pb_err *e)
{
	pb_lc_info tmp;

	if (info == NULL)
		info = &tmp;
	memset(info, 0, sizeof *info);
	*lc = HAL_LC_ASSEMBLY;
	for (size_t i = 0; i < n; i++) {
		hal_lifecycle s;
		int present;

		if (hal_lifecycle_read(be[i], &s, &present, e) != 0)
			return pb_err_prefix(e, "lifecycle: %s backend", (*be[i])->name);
		if (!present)
			continue;
		info->records++;
		if (s > *lc || info->holder[0] == '\0') {
			if (s > *lc)
				*lc = s;
			snprintf(info->holder, sizeof info->holder, "%s", (*be[i])->name);
		}
	}
	if (n > 0) {
		snprintf(info->authority, sizeof info->authority, "%s", (*be[0])->name);
		if (hal_lifecycle_protection(be[0], info->protection, sizeof info->protection, e) != 0)
			return pb_err_prefix(e, "lifecycle: %s backend", (*be[0])->name);
	}
	return 0;
}

int pb_lc_advance_of(hal_ctx *const *be, size_t n, hal_lifecycle to, pb_err *e)
{
	hal_lifecycle cur, own;
	int present;

	if ((unsigned)to > HAL_LC_DECOMMISSIONED)
		return pb_fail(e, PB_EUSAGE, "lifecycle: unknown state %d", (int)to);
	if (n == 0)
		return pb_fail(e, PB_EFAIL, "lifecycle: no backend holds the lifecycle");
	if (pb_lc_current_of(be, n, &cur, NULL, e) != 0)
		return e->code;
	if (to < cur)
		return pb_fail(e, PB_EREFUSED, "refused: device is %s; the lifecycle only moves forward "
			"(asked for %s)", pb_lc_name(cur), pb_lc_name(to));
	if (to == cur)
		return 0;
	/* the authority takes each state after its own record, one at a time */
	if (hal_lifecycle_read(be[0], &own, &present, e) != 0)
		return pb_err_prefix(e, "lifecycle: %s backend", (*be[0])->name);
	for (int s = (int)own + 1; s <= (int)to; s++)
		if (hal_lifecycle_write(be[0], (hal_lifecycle)s, e) != 0)
			return pb_err_prefix(e, "lifecycle: %s backend: advance to %s", (*be[0])->name,
				pb_lc_name((hal_lifecycle)s));
	return 0;
}

int pb_lc_gate_of(hal_ctx *const *be, size_t n, const char *what, pb_err *e)
{
	hal_lifecycle cur;

	if (pb_lc_current_of(be, n, &cur, NULL, e) != 0)
		return what ? pb_err_prefix(e, "%s", what) : e->code;
	if (cur <= HAL_LC_PROVISIONING)
		return 0;
	return pb_fail(e, PB_EREFUSED, "%s%srefused: device is %s%s", what ? what : "", what ? ": " : "",
		pb_lc_name(cur), cur == HAL_LC_SECURED ? " (provisioning completed)" : "");
}

/* Open the backends asked: the KMU when --kmu is given (and built in),
 * then the TPM; the first is the authority. */
static int open_all(const hal_open_opts *o, hal_ctx **be, size_t *n, pb_err *e)
{
	*n = 0;
	if (o->kmu_uri != NULL && hal_kind_available(HAL_KMU)) {
		if (hal_open(HAL_KMU, o, &be[*n], e) != 0)
			return pb_err_prefix(e, "lifecycle");
		(*n)++;
	}
	if (hal_open(HAL_TPM, o, &be[*n], e) != 0) {
		/* with the KMU as authority the TPM is asked only where there is one */
		if (*n > 0 && o->tpm_uri == NULL)
			return 0;
		return pb_err_prefix(e, "lifecycle");
	}
	(*n)++;
	return 0;
}

static void close_all(hal_ctx **be, size_t n)
{
	while (n > 0)
		hal_close(be[--n]);
}

/* The public entry points go through the authority record
 * (core/lifecycle/authority.h): the backends asked are the recorded ones,
 * whatever the options say; the record is made at the first advance or
 * the first gate pass. */
int pb_lc_current(const hal_open_opts *o, hal_lifecycle *lc, pb_lc_info *info, pb_err *e)
{
	hal_ctx *be[LC_BACKENDS];
	hal_open_opts bound;
	pb_lc_authority a;
	pb_state st;
	size_t n = 0;
	int rc, recorded;

	if (pb_lc_bind(o, &st, &a, &bound, &recorded, e) != 0)
		return pb_err_prefix(e, "lifecycle");
	if ((rc = open_all(&bound, be, &n, e)) == 0)
		rc = pb_lc_current_of(be, n, lc, info, e);
	close_all(be, n);
	if (rc == 0 && info) {
		snprintf(info->authority_uri, sizeof info->authority_uri, "%s", a.uri);
		info->authority_recorded = recorded;
	}
	return rc;
}

int pb_lc_advance(const hal_open_opts *o, hal_lifecycle to, pb_err *e)
{
	hal_ctx *be[LC_BACKENDS];
	hal_open_opts bound;
	pb_lc_authority a;
	pb_state st;
	size_t n = 0;
	int rc, recorded;

	if (pb_lc_bind(o, &st, &a, &bound, &recorded, e) != 0)
		return pb_err_prefix(e, "lifecycle");
	/* record first: from the first advance on, the options no longer choose */
	if (!recorded) {
		if (pb_lc_authority_record(&st, &a, e) != 0)
			return pb_err_prefix(e, "lifecycle");
		if (pb_lc_bind(o, &st, &a, &bound, &recorded, e) != 0)
			return pb_err_prefix(e, "lifecycle");
	}
	if ((rc = open_all(&bound, be, &n, e)) == 0)
		rc = pb_lc_advance_of(be, n, to, e);
	close_all(be, n);
	return rc;
}

int pb_lc_gate(const hal_open_opts *o, const char *what, pb_err *e)
{
	hal_ctx *be[LC_BACKENDS];
	hal_open_opts bound;
	pb_lc_authority a;
	pb_state st;
	size_t n = 0;
	int rc, recorded;

	if (pb_lc_bind(o, &st, &a, &bound, &recorded, e) != 0)
		return what ? pb_err_prefix(e, "%s: lifecycle", what) : pb_err_prefix(e, "lifecycle");
	if ((rc = open_all(&bound, be, &n, e)) != 0)
		rc = what ? pb_err_prefix(e, "%s", what) : rc;
	else
		rc = pb_lc_gate_of(be, n, what, e);
	close_all(be, n);
	/* the first operation let through fixes the authority */
	if (rc == 0 && !recorded && pb_lc_authority_record(&st, &a, e) != 0)
		return what ? pb_err_prefix(e, "%s: lifecycle", what) : pb_err_prefix(e, "lifecycle");
	return rc;
}
