/* core/base/state.h - the state directory (SPEC section 2).
 *
 * --state DIR, else $PROVBOX_STATE, else /var/lib/provbox; created 0700
 * on first use. Everything under it is 0600 and written atomically.
 */
#ifndef PB_STATE_H
#define PB_STATE_H

#include <limits.h>
#include <stddef.h>

#include "core/base/err.h"

#define PB_STATE_DEFAULT "/var/lib/provbox"

typedef struct pb_state {
	char dir[PATH_MAX];
} pb_state;

/* Resolve the directory (opt may be NULL) and create it 0700. */
int pb_state_open(pb_state *st, const char *opt, pb_err *e);

/* DIR/rel into out; rel must not escape the directory. */
int pb_state_path(const pb_state *st, const char *rel, char *out, size_t cap, pb_err *e);

/* Like pb_state_path for a sub-directory, which is created 0700. */
int pb_state_subdir(const pb_state *st, const char *rel, char *out, size_t cap, pb_err *e);

#endif
