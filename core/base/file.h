/* core/base/file.h - reading inputs and writing state atomically.
 *
 * Every file provbox writes goes through pb_atomic_write: temp file in the
 * same directory, fsync, rename over the target, fsync the directory. A
 * crash at any instant leaves either the old content or the new one.
 */
#ifndef PB_FILE_H
#define PB_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/base/err.h"

#define PB_FILE_MAX (16u << 20)  /* no input we read is larger than 16 MiB */

/* Read a whole file ("-" = stdin) into a malloc'd buffer (NUL-terminated,
 * the NUL not counted). Free with pb_file_free, which wipes it first. */
int pb_file_read(const char *path, size_t max, uint8_t **buf, size_t *len, pb_err *e);
void pb_file_free(uint8_t *buf, size_t len);

/* Replace path with data atomically, with this mode (0600 for state and
 * keys, 0644 for certificates and CSRs). */
int pb_atomic_write(const char *path, const void *data, size_t len, mode_t mode, pb_err *e);

/* Atomic writes of many files with one sync (a batch of certificates):
 * pb_atomic_stage writes each to a temporary file beside its path
 * (mode set, not yet synced; tmp gets the name, cap >= PATH_MAX), then
 * pb_atomic_commit makes them all durable with one syncfs, renames each
 * over its path and fsyncs each directory once. A crash leaves every
 * path with its old content or its new one, never a part. On a commit
 * error the temporary files not yet renamed are removed (their tmps[i]
 * set to "" as they are renamed). */
int pb_atomic_stage(const char *path, const void *data, size_t len, mode_t mode,
	char *tmp, size_t cap, pb_err *e);
int pb_atomic_commit(char *const *tmps, const char *const *paths, size_t n, pb_err *e);

/* Write all n bytes, again after EINTR: 0, or -1 with errno (for callers
 * with their own message; pb_write_fd says "fd N: why"). */
int pb_write_all(int fd, const void *data, size_t n);
/* Write all of data to an open descriptor (e.g. --out-fd N). */
int pb_write_fd(int fd, const void *data, size_t len, pb_err *e);

/* Write to stdout when path is NULL or "-", else pb_atomic_write. */
int pb_write_output(const char *path, const void *data, size_t len, mode_t mode, pb_err *e);

/* Remove a file and fsync its directory; a missing file is not an error. */
int pb_remove(const char *path, pb_err *e);

/* mkdir -p with this mode for every directory created. */
int pb_mkdir_p(const char *path, mode_t mode, pb_err *e);

int pb_exists(const char *path);

/* fsync the directory holding path (after a rename or unlink). */
int pb_fsync_dir_of(const char *path, pb_err *e);

#endif
