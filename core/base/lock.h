/* core/base/lock.h - serialize read-modify-write of state files.
 *
 * Placeholder on the certstore branch with the interface of
 * HAL_V2_CONTRACT.md; the locks branch's implementation replaces it.
 */
#ifndef PB_LOCK_H
#define PB_LOCK_H

#include "core/base/err.h"

typedef struct pb_lock { int fd; } pb_lock;
int pb_lock_acquire(pb_lock *l, const char *resource_path, pb_err *e);
void pb_lock_release(pb_lock *l);
void pb_lock_set_timeout(unsigned seconds);

#endif
