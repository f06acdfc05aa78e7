/* core/base/lock.c - flock on RESOURCE.lock; see lock.h. */
#include "core/base/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define POLL_NS 20000000L     /* 20 ms between attempts */
#define NOTICE_AFTER_MS 1000

static unsigned lock_timeout = PB_LOCK_TIMEOUT_DEFAULT;

void pb_lock_set_timeout(unsigned seconds)
{
	lock_timeout = seconds;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The one line core prints itself: a waiting process must not look hung. */
static void notice_waiting(const char *resource)
{
	fprintf(stderr, "provbox: waiting for the lock on %s (held by another provbox process)\n",
		resource);
	fflush(stderr);
}

int pb_lock_acquire(pb_lock *l, const char *resource_path, pb_err *e)
{
	char path[PATH_MAX];
	long long start = now_ms();
	int fd, noticed = 0;

	l->fd = -1;
	if ((size_t)snprintf(path, sizeof path, "%s.lock", resource_path) >= sizeof path)
		return pb_fail(e, PB_EFAIL, "%s: lock: path too long", resource_path);
	/* O_NOFOLLOW: a planted symlink must not make us create or lock another file */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return pb_fail(e, PB_EFAIL, "%s: %s", path, strerror(errno));
	for (;;) {
		long long waited;

		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int err = errno;
			close(fd);
			return pb_fail(e, PB_EFAIL, "%s: lock: %s", path, strerror(err));
		}
		waited = now_ms() - start;
		if (waited >= (long long)lock_timeout * 1000) {
			close(fd);
			return pb_fail(e, PB_EFAIL, "%s: lock not acquired within %u s (--lock-timeout)",
				resource_path, lock_timeout);
		}
		if (!noticed && waited >= NOTICE_AFTER_MS) {
			notice_waiting(resource_path);
			noticed = 1;
		}
		nanosleep(&(struct timespec){0, POLL_NS}, NULL);
	}
	l->fd = fd;
	return 0;
}

void pb_lock_release(pb_lock *l)
{
	if (l->fd >= 0)
		close(l->fd);   /* closing the only descriptor releases the flock */
	l->fd = -1;
}
