/* core/base/stagedir.h - build a directory beside its target, then put it
 * in place whole.
 *
 * For outputs that are a set of files (pki-gen init's PKI): the set is
 * written into PARENT/.NAME.init-XXXXXX beside the target (same file
 * system), every file written and synced as usual, and then put in place
 * in one step, so an interrupted run leaves no target or a complete one,
 * never a part:
 * - no target yet: rename(2) of the staging directory, fsync of PARENT;
 * - an existing target: the two directories are swapped with
 *   renameat2(RENAME_EXCHANGE), so the target is the whole old set until
 *   the instant it is the whole new one; the old one, now under the
 *   staging name, is then removed. Files of the old directory that the new
 *   set does not make are carried over first as hard links (a
 *   subdirectory is refused: it could not be carried over). Where the
 *   file system cannot exchange, the old directory is renamed aside to
 *   .NAME.old-XXXXXX and the new one renamed in: a crash between the two
 *   renames leaves no target but the old set whole beside it.
 * A staging directory is flock'ed while its run lasts; opening a new one
 * removes the unlocked ones that interrupted runs left behind (never the
 * .old- ones: they may hold the only copy).
 */
#ifndef PB_STAGEDIR_H
#define PB_STAGEDIR_H

#include <limits.h>

#include "core/base/err.h"

typedef struct pb_stagedir {
	char path[PATH_MAX];                  /* the staging directory: write here */
	char target[PATH_MAX + NAME_MAX + 2]; /* where it goes (a symlink's target) */
	char parent[PATH_MAX];
	char base[NAME_MAX + 1];
	int lock_fd;                          /* -1: not open */
	int committed;
} pb_stagedir;

/* Make the staging directory for target `out` (what is named in messages
 * as `opt`, e.g. "--out"); exit 2 when out names no directory of its own. */
int pb_stagedir_open(pb_stagedir *s, const char *out, const char *opt, pb_err *e);

/* Put the staging directory in place of the target. ours(name) says
 * whether a file of an existing target is one the new set makes (else it
 * is carried over). */
int pb_stagedir_commit(pb_stagedir *s, int (*ours)(const char *name), pb_err *e);

/* Release the lock; without a commit, remove the staging directory. */
void pb_stagedir_close(pb_stagedir *s);

#endif
