/* tests/unit/test_lock.c - core/base/lock: the lock file, contention with
 * another process, the timeout and its message, the waiter let through. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/base/lock.h"
#include "tmpdir_run.h"

TestSuite(lock, .init = mk, .fini = rm);

/* A child process that takes the lock of res, writes 'L' to the pipe,
 * then holds it until it reads a byte from go (or, hold_ms > 0, for that
 * long), writes 'R' and releases it by exiting. */
typedef struct holder { pid_t pid; int from; int to; } holder;

static holder hold(const char *res, int hold_ms)
{
	int up[2], down[2];
	holder h;
	char c;

	cr_assert_eq(pipe(up), 0);
	cr_assert_eq(pipe(down), 0);
	h.pid = fork();
	cr_assert_neq(h.pid, -1);
	if (h.pid == 0) {
		pb_lock l;
		pb_err e;

		close(up[0]);
		close(down[1]);
		if (pb_lock_acquire(&l, res, &e) != 0)
			_exit(3);
		if (write(up[1], "L", 1) != 1)
			_exit(4);
		if (hold_ms > 0)
			nanosleep(&(struct timespec){hold_ms / 1000, (hold_ms % 1000) * 1000000L}, NULL);
		else if (read(down[0], &c, 1) < 0)
			_exit(5);
		/* 'R' first: whoever gets the lock next must be able to read it */
		if (write(up[1], "R", 1) != 1)
			_exit(6);
		pb_lock_release(&l);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	cr_assert_eq(read(up[0], &c, 1), 1, "the holder did not take the lock");
	cr_assert_eq(c, 'L');
	h.from = up[0];
	h.to = down[1];
	return h;
}

static void end(holder h)
{
	int st;

	close(h.to);   /* the holder's read returns 0: it lets go */
	cr_assert_eq(waitpid(h.pid, &st, 0), h.pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "holder exit status %d", st);
	close(h.from);
}

Test(lock, creates_the_lock_file_0600_beside_the_resource) {
	pb_lock l;
	pb_err e;
	struct stat sb;

	umask(0);   /* the mode must not depend on the caller's umask */
	cr_assert_eq(pb_lock_acquire(&l, path("state"), &e), 0, "%s", e.msg);
	cr_assert_geq(l.fd, 0);
	cr_assert_eq(lstat(path("state.lock"), &sb), 0);
	cr_assert(S_ISREG(sb.st_mode));
	cr_assert_eq(sb.st_mode & 0777, 0600);
	cr_assert_eq(access(path("state"), F_OK), -1, "the resource itself is not touched");
	cr_assert(fcntl(l.fd, F_GETFD) & FD_CLOEXEC, "the lock must not leak into children");
	pb_lock_release(&l);
	cr_assert_eq(l.fd, -1);
	pb_lock_release(&l);   /* twice is harmless */
	cr_assert_eq(access(path("state.lock"), F_OK), 0, "the lock file stays");
}

Test(lock, refuses_a_symlinked_lock_file) {
	pb_lock l;
	pb_err e;

	cr_assert_eq(symlink(path("elsewhere"), path("state.lock")), 0);
	cr_assert_eq(pb_lock_acquire(&l, path("state"), &e), PB_EFAIL);
	cr_assert_eq(l.fd, -1);
	cr_assert_not_null(strstr(e.msg, "state.lock"), "%s", e.msg);
	cr_assert_eq(access(path("elsewhere"), F_OK), -1, "nothing created through the link");
}

Test(lock, held_by_another_process_times_out_with_exit_1_and_the_message) {
	holder h = hold(path("state"), 0);
	char want[300], err[1024] = "";
	pb_lock l;
	pb_err e;
	int saved = dup(2), fd = open(path("stderr"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	/* the waiting note goes to stderr: catch it */
	cr_assert(saved >= 0 && fd >= 0);
	cr_assert_eq(dup2(fd, 2), 2);
	pb_lock_set_timeout(2);
	int rc = pb_lock_acquire(&l, path("state"), &e);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);

	cr_assert_eq(rc, PB_EFAIL);
	cr_assert_eq(e.code, PB_EFAIL);
	cr_assert_eq(l.fd, -1);
	snprintf(want, sizeof want, "%s: lock not acquired within 2 s (--lock-timeout)", path("state"));
	cr_assert_str_eq(e.msg, want);
	n = pread(fd, err, sizeof err - 1, 0);
	cr_assert_geq(n, 0);
	err[n] = '\0';
	snprintf(want, sizeof want, "provbox: waiting for the lock on %s (held by another provbox "
		"process)\n", path("state"));
	cr_assert_str_eq(err, want, "the note, once");
	close(fd);
	end(h);
}

Test(lock, timeout_0_is_one_attempt) {
	holder h = hold(path("state"), 0);
	pb_lock l;
	pb_err e;

	pb_lock_set_timeout(0);
	cr_assert_eq(pb_lock_acquire(&l, path("state"), &e), PB_EFAIL);
	cr_assert_not_null(strstr(e.msg, "within 0 s"), "%s", e.msg);
	end(h);
	cr_assert_eq(pb_lock_acquire(&l, path("state"), &e), 0, "free again: %s", e.msg);
	pb_lock_release(&l);
}

Test(lock, release_lets_the_waiter_through) {
	holder h = hold(path("state"), 300);   /* lets go by itself */
	pb_lock l;
	pb_err e;
	char c;

	pb_lock_set_timeout(30);
	cr_assert_eq(pb_lock_acquire(&l, path("state"), &e), 0, "%s", e.msg);
	/* we got it only after the holder said it lets go */
	int fl = fcntl(h.from, F_GETFL);
	cr_assert_eq(fcntl(h.from, F_SETFL, fl | O_NONBLOCK), 0);
	cr_assert_eq(read(h.from, &c, 1), 1, "lock acquired while the holder still had it");
	cr_assert_eq(c, 'R');
	end(h);
	pb_lock_release(&l);
}

Test(lock, two_resources_do_not_block_each_other) {
	holder h = hold(path("a"), 0);
	pb_lock l;
	pb_err e;

	pb_lock_set_timeout(0);
	cr_assert_eq(pb_lock_acquire(&l, path("b"), &e), 0, "%s", e.msg);
	pb_lock_release(&l);
	end(h);
}

Test(lock, a_process_that_dies_releases_it) {
	pid_t pid = fork();
	int st;
	pb_lock l;
	pb_err e;

	cr_assert_neq(pid, -1);
	if (pid == 0) {
		if (pb_lock_acquire(&l, path("state"), &e) != 0)
			_exit(3);
		raise(SIGKILL);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSIGNALED(st), "the child was not killed holding the lock");
	pb_lock_set_timeout(0);
	cr_assert_eq(pb_lock_acquire(&l, path("state"), &e), 0, "%s", e.msg);
	pb_lock_release(&l);
}
