/* core/base/lock.h - one process at a time on a state resource.
 *
 * Every read-modify-write of a state file holds that resource's lock:
 * flock(2) on RESOURCE.lock (created 0600, never removed: a process
 * waiting on the old file must not lock a new one), beside the resource.
 * A lock that is taken is retried with short sleeps; after 1 s the
 * waiter prints once to stderr
 *   "provbox: waiting for the lock on RESOURCE (held by another provbox process)"
 * (the one message core prints itself, so that a hung-looking step is
 * explained), and after the timeout (--lock-timeout, default 30 s) it
 * gives up with exit 1. The lock goes with the descriptor: it is released
 * by pb_lock_release or when the process ends, however it ends.
 */
#ifndef PB_LOCK_H
#define PB_LOCK_H

#include "core/base/err.h"

#define PB_LOCK_TIMEOUT_DEFAULT 30u   /* seconds */
#define PB_LOCK_TIMEOUT_MAX 86400u

typedef struct pb_lock { int fd; } pb_lock;   /* fd -1: not held */

/* Take the exclusive lock of resource_path (waiting as above). On
 * failure l->fd is -1 and e says why (exit 1). */
int pb_lock_acquire(pb_lock *l, const char *resource_path, pb_err *e);

/* Release if held; l->fd becomes -1. Safe to call twice. */
void pb_lock_release(pb_lock *l);

/* Seconds pb_lock_acquire waits before giving up (0: one attempt). */
void pb_lock_set_timeout(unsigned seconds);

#endif
