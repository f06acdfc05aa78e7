/* core/base/stagedir.c - a directory built beside its target; see stagedir.h. */
#include "core/base/stagedir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/file.h"

#define STAGE_TAG ".init-"

/* PARENT and NAME of out (a symlink to a directory: its target). */
static int split_out(const char *out, const char *opt, char *parent, char *base, pb_err *e)
{
	char p[PATH_MAX];
	struct stat sb;
	size_t n = strlen(out);
	char *slash;

	if (lstat(out, &sb) == 0 && S_ISLNK(sb.st_mode) && realpath(out, p) != NULL)
		n = strlen(p);
	else if (n < sizeof p)
		memcpy(p, out, n + 1);
	else
		return pb_fail(e, PB_EUSAGE, "%s: path too long", opt);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	slash = strrchr(p, '/');
	const char *b = slash ? slash + 1 : p;
	if (*b == '\0' || strcmp(b, ".") == 0 || strcmp(b, "..") == 0 || strlen(b) > NAME_MAX - 16)
		return pb_fail(e, PB_EUSAGE, "%s '%s': name a directory of its own", opt, out);
	memmove(base, b, strlen(b) + 1);
	if (slash == NULL)
		strcpy(parent, ".");
	else if (slash == p)
		strcpy(parent, "/");
	else
		*slash = '\0', memmove(parent, p, strlen(p) + 1);
	return 0;
}

/* Remove a directory of files (a staging one: no subdirectories). */
static void remove_flat(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	rmdir(path);
}

/* Staging directories of earlier runs for NAME that were killed. */
static void remove_stale(const char *parent, const char *base, const char *ours)
{
	char prefix[NAME_MAX + 1], path[PATH_MAX + NAME_MAX + 2];
	DIR *d = opendir(parent);
	struct dirent *de;
	size_t k;

	if (d == NULL)
		return;
	k = (size_t)snprintf(prefix, sizeof prefix, ".%s" STAGE_TAG, base);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, k) != 0 || strlen(de->d_name) != k + 6 ||
		    strcmp(de->d_name, ours) == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", parent, de->d_name);
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)   /* its run is gone */
			remove_flat(path);
		close(fd);
	}
	closedir(d);
}

/* Hard-link into stage what out holds that the new set does not make. */
static int carry_over(const char *out, const char *stage, int (*ours)(const char *), pb_err *e)
{
	DIR *d = opendir(out);
	struct dirent *de;
	struct stat sb;
	int sfd, rc = 0;

	if (d == NULL)
		return pb_fail(e, PB_EFAIL, "%s: %s", out, strerror(errno));
	if ((sfd = open(stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		closedir(d);
		return pb_fail(e, PB_EFAIL, "%s: %s", stage, strerror(errno));
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 || ours(de->d_name))
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
			rc = pb_fail(e, PB_EFAIL, "%s/%s: %s", out, de->d_name, strerror(errno));
		else if (S_ISDIR(sb.st_mode))
			rc = pb_fail(e, PB_EFAIL, "%s/%s is a directory: %s is replaced whole, move it out first",
				out, de->d_name, out);
		else if (linkat(dirfd(d), de->d_name, sfd, de->d_name, 0) != 0)
			rc = pb_fail(e, PB_EFAIL, "keeping %s/%s: %s", out, de->d_name, strerror(errno));
	}
	close(sfd);
	closedir(d);
	return rc;
}

/* Put the complete staging directory in place of out (see stagedir.h). */
static int swap_in(const char *stage, const char *out, const char *parent, const char *base,
	int (*ours)(const char *), pb_err *e)
{
	char aside[PATH_MAX + NAME_MAX + 16], probe[PATH_MAX + 4];
	struct stat sb;

	snprintf(probe, sizeof probe, "%s/.", stage);
	if (lstat(out, &sb) != 0) {
		if (errno != ENOENT)
			return pb_fail(e, PB_EFAIL, "%s: %s", out, strerror(errno));
		if (pb_fsync_dir_of(probe, e) != 0)
			return e->code;
		if (rename(stage, out) != 0)
			return pb_fail(e, PB_EFAIL, "%s: %s", out, strerror(errno));
		return pb_fsync_dir_of(out, e);
	}
	if (!S_ISDIR(sb.st_mode))
		return pb_fail(e, PB_EFAIL, "%s: not a directory", out);
	if (carry_over(out, stage, ours, e) != 0)
		return e->code;
	if (chmod(stage, sb.st_mode & 07777) != 0)
		return pb_fail(e, PB_EFAIL, "%s: %s", stage, strerror(errno));
	if (pb_fsync_dir_of(probe, e) != 0)
		return e->code;
	if (renameat2(AT_FDCWD, stage, AT_FDCWD, out, RENAME_EXCHANGE) == 0) {
		if (pb_fsync_dir_of(out, e) != 0)
			return e->code;
		remove_flat(stage);   /* the old set */
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return pb_fail(e, PB_EFAIL, "replacing %s: %s", out, strerror(errno));
	snprintf(aside, sizeof aside, "%s/.%s.old-XXXXXX", parent, base);
	if (mkdtemp(aside) == NULL)
		return pb_fail(e, PB_EFAIL, "moving %s aside: %s", out, strerror(errno));
	if (rename(out, aside) != 0) {
		int err = errno;
		rmdir(aside);
		return pb_fail(e, PB_EFAIL, "moving %s aside: %s", out, strerror(err));
	}
	if (rename(stage, out) != 0) {
		int err = errno;
		rename(aside, out);
		return pb_fail(e, PB_EFAIL, "%s: %s", out, strerror(err));
	}
	if (pb_fsync_dir_of(out, e) != 0)
		return e->code;
	remove_flat(aside);
	return 0;
}

int pb_stagedir_open(pb_stagedir *s, const char *out, const char *opt, pb_err *e)
{
	memset(s, 0, sizeof *s);
	s->lock_fd = -1;
	if (split_out(out, opt, s->parent, s->base, e) != 0 || pb_mkdir_p(s->parent, 0700, e) != 0)
		return e->code;
	if ((size_t)snprintf(s->path, sizeof s->path, "%s/.%s" STAGE_TAG "XXXXXX", s->parent, s->base) >=
	    sizeof s->path)
		return pb_fail(e, PB_EUSAGE, "%s: path too long", opt);
	snprintf(s->target, sizeof s->target, "%s/%s", s->parent, s->base);
	if (mkdtemp(s->path) == NULL) {
		int err = errno;
		s->path[0] = '\0';
		return pb_fail(e, PB_EFAIL, "staging directory in %s: %s", s->parent, strerror(err));
	}
	/* held until close: tells a later run that this staging is live */
	s->lock_fd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX) != 0)
		return pb_fail(e, PB_EFAIL, "%s: %s", s->path, strerror(errno));
	remove_stale(s->parent, s->base, strrchr(s->path, '/') + 1);
	return 0;
}

int pb_stagedir_commit(pb_stagedir *s, int (*ours)(const char *name), pb_err *e)
{
	if (swap_in(s->path, s->target, s->parent, s->base, ours, e) != 0)
		return e->code;
	s->committed = 1;
	return 0;
}

void pb_stagedir_close(pb_stagedir *s)
{
	if (!s->committed && s->path[0])
		remove_flat(s->path);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
}
