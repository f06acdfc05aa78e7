/* core/base/state.c - the state directory; see state.h. */
#include "core/base/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/file.h"

int pb_state_open(pb_state *st, const char *opt, pb_err *e)
{
	const char *dir = opt;

	if (dir == NULL || *dir == '\0')
		dir = getenv("PROVBOX_STATE");
	if (dir == NULL || *dir == '\0')
		dir = PB_STATE_DEFAULT;
	if (strlen(dir) >= sizeof st->dir - 64)
		return pb_fail(e, PB_EUSAGE, "state directory path too long");
	strcpy(st->dir, dir);
	if (pb_mkdir_p(st->dir, 0700, e) != 0)
		return pb_err_prefix(e, "state directory");
	return 0;
}

int pb_state_path(const pb_state *st, const char *rel, char *out, size_t cap, pb_err *e)
{
	/* names come from users (token names, containers): keep them inside */
	if (rel[0] == '/' || strstr(rel, "..") != NULL)
		return pb_fail(e, PB_EUSAGE, "'%s': name must stay inside the state directory", rel);
	if ((size_t)snprintf(out, cap, "%s/%s", st->dir, rel) >= cap)
		return pb_fail(e, PB_EUSAGE, "'%s': path too long", rel);
	return 0;
}

int pb_state_subdir(const pb_state *st, const char *rel, char *out, size_t cap, pb_err *e)
{
	if (pb_state_path(st, rel, out, cap, e) != 0)
		return e->code;
	return pb_mkdir_p(out, 0700, e);
}
