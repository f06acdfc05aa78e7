/* core/base/lock.c - flock(2) on PATH.lock; placeholder, see lock.h. */
#include "core/base/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static unsigned lock_timeout = 30;

void pb_lock_set_timeout(unsigned seconds)
{
	lock_timeout = seconds;
}

int pb_lock_acquire(pb_lock *l, const char *resource_path, pb_err *e)
{
	char path[PATH_MAX];
	unsigned waited = 0;

	l->fd = -1;
	if ((size_t)snprintf(path, sizeof path, "%s.lock", resource_path) >= sizeof path)
		return pb_fail(e, PB_EFAIL, "%s: path too long", resource_path);
	l->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (l->fd < 0)
		return pb_fail(e, PB_EFAIL, "%s: %s", path, strerror(errno));
	while (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			pb_fail(e, PB_EFAIL, "%s: %s", path, strerror(errno));
			pb_lock_release(l);
			return e->code;
		}
		if (waited == 10)
			fprintf(stderr, "provbox: waiting for the lock on %s\n", resource_path);
		if (waited >= lock_timeout * 10u) {
			pb_lock_release(l);
			return pb_fail(e, PB_EFAIL, "%s: still locked after %u s", resource_path, lock_timeout);
		}
		usleep(100000);
		waited++;
	}
	return 0;
}

void pb_lock_release(pb_lock *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}
