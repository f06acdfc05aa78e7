/* core/token/token_names.c - token and container names: checked, and listed
 * from their directories; see token.h. Below token.c and token_wrap.c, which
 * both use it, so that neither calls the other back. */
#include "core/token/token.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LIST_MAX 256

int pb_token_name_check(const char *what, const char *name, pb_err *e)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			n = 0;
	}
	if (n == 0 || n > PB_TOKEN_NAME_MAX)
		return pb_fail(e, PB_EUSAGE, "%s '%s': use 1 to %d of A-Z a-z 0-9 . _ - (not first)",
			what, name, PB_TOKEN_NAME_MAX);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Every NAME of DIR/NAME.SUFFIX (valid names only), sorted, to fn. */
static int each_with_suffix(const char *dir, const char *suffix, pb_name_fn fn, void *ctx, pb_err *e)
{
	char names[LIST_MAX][PB_TOKEN_NAME_MAX + 1];   /* on the stack: calls nest */
	size_t n = 0, sl = strlen(suffix);
	DIR *d = opendir(dir);
	struct dirent *de;
	pb_err ignore;
	int rc = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : pb_fail(e, PB_EFAIL, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL && n < LIST_MAX) {
		size_t l = strlen(de->d_name);
		if (l <= sl || l - sl > PB_TOKEN_NAME_MAX || strcmp(de->d_name + l - sl, suffix) != 0)
			continue;
		memcpy(names[n], de->d_name, l - sl);
		names[n][l - sl] = '\0';
		if (pb_token_name_check("name", names[n], &ignore) == 0)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof names[0], cmp_names);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = fn(ctx, names[i], e);
	return rc;
}

int pb_token_each(const pb_state *st, pb_name_fn fn, void *ctx, pb_err *e)
{
	char dir[PATH_MAX];

	if (pb_state_path(st, "tokens", dir, sizeof dir, e) != 0)
		return e->code;
	return each_with_suffix(dir, ".p12", fn, ctx, e);
}

int pb_container_each(const pb_token *t, pb_name_fn fn, void *ctx, pb_err *e)
{
	return each_with_suffix(t->containers, ".wrap", fn, ctx, e);
}
