/* core/base/file.c - whole-file reads and atomic writes; see file.h. */
#include "core/base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pb_file_read(const char *path, size_t max, uint8_t **buf, size_t *len, pb_err *e)
{
	/* O_NONBLOCK: a FIFO without a writer must not hang the open; reads
	 * then block as usual (and see end of file if no writer ever came) */
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	size_t cap = 4096, n = 0;
	uint8_t *b;

	if (fd < 0)
		return pb_fail(e, PB_EFAIL, "%s: %s", path, strerror(errno));
	if (fd != STDIN_FILENO && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		close(fd);
		return pb_fail(e, PB_EFAIL, "%s: %s", path, strerror(errno));
	}
	b = malloc(cap);
	for (;;) {
		if (b == NULL) {
			pb_fail(e, PB_EFAIL, "%s: out of memory", path);
			goto fail;
		}
		if (n + 1 >= cap) {
			uint8_t *nb;

			if (cap > max) {
				pb_fail(e, PB_EFAIL, "%s: larger than %zu bytes", path, max);
				goto fail;
			}
			/* grow by copying so that a secret never lingers in freed memory */
			nb = malloc(cap * 2);
			if (nb)
				memcpy(nb, b, n);
			explicit_bzero(b, cap);
			free(b);
			b = nb;
			cap *= 2;
			continue;
		}
		ssize_t r = read(fd, b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			pb_fail(e, PB_EFAIL, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		pb_fail(e, PB_EFAIL, "%s: larger than %zu bytes", path, max);
		goto fail;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
fail:
	if (b) {
		explicit_bzero(b, cap);
		free(b);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return e->code;
}

void pb_file_free(uint8_t *buf, size_t len)
{
	if (buf) {
		explicit_bzero(buf, len);
		free(buf);
	}
}

int pb_fsync_dir_of(const char *path, pb_err *e)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else if ((size_t)(slash - path) < sizeof dir)
		memcpy(dir, path, (size_t)(slash - path)), dir[slash - path] = '\0';
	else
		return pb_fail(e, PB_EFAIL, "%s: path too long", path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return pb_fail(e, PB_EFAIL, "%s: %s", dir, strerror(errno));
	if (fsync(fd) != 0 && errno != EINVAL) {
		int err = errno;
		close(fd);
		return pb_fail(e, PB_EFAIL, "fsync %s: %s", dir, strerror(err));
	}
	close(fd);
	return 0;
}

int pb_write_all(int fd, const void *data, size_t n)
{
	const uint8_t *p = data;

	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write data to a new temporary file beside path (tmp gets its name),
 * synced or not; on failure nothing is left behind. */
static int write_temp(const char *path, const void *data, size_t len, mode_t mode, int sync,
	char *tmp, size_t cap, pb_err *e)
{
	int fd, err;

	if ((size_t)snprintf(tmp, cap, "%s.tmp.XXXXXX", path) >= cap)
		return pb_fail(e, PB_EFAIL, "%s: path too long", path);
	fd = mkostemp(tmp, O_CLOEXEC);   /* created 0600: never readable by others */
	if (fd < 0)
		return pb_fail(e, PB_EFAIL, "%s: cannot create temporary file: %s", path, strerror(errno));
	if (pb_write_all(fd, data, len) != 0 || (sync && fsync(fd) != 0) ||
	    (mode != 0600 && fchmod(fd, mode) != 0)) {
		err = errno;
		close(fd);
		unlink(tmp);
		return pb_fail(e, PB_EFAIL, "%s: write failed: %s", path, strerror(err));
	}
	if (close(fd) != 0) {
		err = errno;
		unlink(tmp);
		return pb_fail(e, PB_EFAIL, "%s: %s", path, strerror(err));
	}
	return 0;
}

int pb_atomic_write(const char *path, const void *data, size_t len, mode_t mode, pb_err *e)
{
	char tmp[PATH_MAX];

	if (write_temp(path, data, len, mode, 1, tmp, sizeof tmp, e) != 0)
		return e->code;
	if (rename(tmp, path) != 0) {
		int err = errno;
		unlink(tmp);
		return pb_fail(e, PB_EFAIL, "%s: %s", path, strerror(err));
	}
	return pb_fsync_dir_of(path, e);
}

int pb_atomic_stage(const char *path, const void *data, size_t len, mode_t mode,
	char *tmp, size_t cap, pb_err *e)
{
	return write_temp(path, data, len, mode, 0, tmp, cap, e);
}

/* The directory part of path, for comparing consecutive files. */
static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? (size_t)(slash - path) : 0;
}

int pb_atomic_commit(char *const *tmps, const char *const *paths, size_t n, pb_err *e)
{
	int fd, rc = 0;
	size_t i;

	if (n == 0)
		return 0;
	/* one sync makes every staged file's data durable before any rename */
	fd = open(tmps[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syncfs(fd) != 0) {
		rc = pb_fail(e, PB_EFAIL, "%s: sync: %s", paths[0], strerror(errno));
		if (fd >= 0)
			close(fd);
		goto drop;
	}
	close(fd);
	for (i = 0; i < n; i++) {
		if (rename(tmps[i], paths[i]) != 0) {
			rc = pb_fail(e, PB_EFAIL, "%s: %s", paths[i], strerror(errno));
			goto drop;
		}
		tmps[i][0] = '\0';
		size_t d = dir_len(paths[i]);
		int same_next = i + 1 < n && dir_len(paths[i + 1]) == d && memcmp(paths[i], paths[i + 1], d) == 0;
		if (!same_next && pb_fsync_dir_of(paths[i], e) != 0) {
			rc = e->code;
			goto drop;
		}
	}
	return 0;
drop:
	for (i = 0; i < n; i++)
		if (tmps[i][0])
			unlink(tmps[i]);
	return rc;
}

int pb_write_fd(int fd, const void *data, size_t len, pb_err *e)
{
	if (pb_write_all(fd, data, len) != 0)
		return pb_fail(e, PB_EFAIL, "fd %d: %s", fd, strerror(errno));
	return 0;
}

int pb_write_output(const char *path, const void *data, size_t len, mode_t mode, pb_err *e)
{
	if (path == NULL || strcmp(path, "-") == 0) {
		if (pb_write_all(STDOUT_FILENO, data, len) != 0)
			return pb_fail(e, PB_EFAIL, "stdout: %s", strerror(errno));
		return 0;
	}
	/* --out /dev/null, /dev/stdout, a FIFO: write into it; renaming a
	 * file over a device node would replace the node itself */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		int rc;

		if (fd < 0)
			return pb_fail(e, PB_EFAIL, "%s: %s", path, strerror(errno));
		rc = pb_write_all(fd, data, len);
		if (close(fd) != 0)
			rc = -1;
		return rc == 0 ? 0 : pb_fail(e, PB_EFAIL, "%s: %s", path, strerror(errno));
	}
	return pb_atomic_write(path, data, len, mode, e);
}

int pb_remove(const char *path, pb_err *e)
{
	if (unlink(path) != 0) {
		if (errno == ENOENT)
			return 0;
		return pb_fail(e, PB_EFAIL, "%s: %s", path, strerror(errno));
	}
	return pb_fsync_dir_of(path, e);
}

int pb_mkdir_p(const char *path, mode_t mode, pb_err *e)
{
	char p[PATH_MAX];
	size_t n = strlen(path);
	struct stat sb;

	if (n == 0 || n >= sizeof p)
		return pb_fail(e, PB_EFAIL, "bad directory path '%s'", path);
	memcpy(p, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		char c = p[i];
		p[i] = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST)
			return pb_fail(e, PB_EFAIL, "%s: %s", p, strerror(errno));
		p[i] = c;
	}
	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return pb_fail(e, PB_EFAIL, "%s: not a directory", path);
	return 0;
}

int pb_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}
