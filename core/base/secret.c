/* core/base/secret.c - reading, wiping and comparing secrets; see secret.h. */
#include "core/base/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

void pb_secret_wipe(pb_secret *s)
{
	explicit_bzero(s->buf, sizeof s->buf);
	s->len = 0;
}

int pb_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

int pb_secret_equal(const pb_secret *a, const pb_secret *b)
{
	/* compare the full buffers: content beyond len is zero by construction */
	return pb_ct_equal(a->buf, b->buf, sizeof a->buf) & (a->len == b->len);
}

int pb_secret_set(pb_secret *s, const char *text, pb_err *e)
{
	size_t n = strlen(text);

	pb_secret_wipe(s);
	if (n >= sizeof s->buf)
		return pb_fail(e, PB_EUSAGE, "secret longer than %d bytes", PB_SECRET_MAX - 1);
	memcpy(s->buf, text, n);
	s->len = n;
	return 0;
}

/* One line from fd, a byte at a time so that nothing past the newline is
 * consumed (two secrets may come from the same descriptor). */
static int read_line(int fd, pb_secret *s, const char *what, pb_err *e)
{
	uint8_t c;

	pb_secret_wipe(s);
	for (;;) {
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return pb_fail(e, PB_EFAIL, "%s: %s", what, strerror(errno));
		if (r == 0 || c == '\n')
			break;
		if (s->len + 1 >= sizeof s->buf) {
			pb_secret_wipe(s);
			return pb_fail(e, PB_EUSAGE, "%s: secret longer than %d bytes", what,
				PB_SECRET_MAX - 1);
		}
		s->buf[s->len++] = c;
	}
	if (s->len && s->buf[s->len - 1] == '\r')
		s->buf[--s->len] = 0;
	explicit_bzero(&c, sizeof c);
	return 0;
}

static int read_tty(pb_secret *s, const char *prompt, pb_err *e)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC), rc;

	if (fd < 0)
		return pb_fail(e, PB_EUSAGE, "no secret given: use --pin-fd, --pin-file or $PROVBOX_PIN");
	if (tcgetattr(fd, &old) != 0) {
		close(fd);
		return pb_fail(e, PB_EFAIL, "terminal: %s", strerror(errno));
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	dprintf(fd, "%s: ", prompt);
	tcsetattr(fd, TCSAFLUSH, &quiet);
	rc = read_line(fd, s, "terminal", e);
	tcsetattr(fd, TCSAFLUSH, &old);
	dprintf(fd, "\n");
	close(fd);
	return rc;
}

int pb_secret_given(const pb_secret_src *src)
{
	return src->fd >= 0 || src->file != NULL || (src->env && getenv(src->env) != NULL);
}

int pb_secret_read(pb_secret *s, const pb_secret_src *src, pb_err *e)
{
	char *v;

	pb_secret_wipe(s);
	if (src->fd >= 0) {
		char what[32];
		snprintf(what, sizeof what, "fd %d", src->fd);
		return read_line(src->fd, s, what, e);
	}
	if (src->file != NULL) {
		/* O_NONBLOCK: a FIFO without a writer must not hang the open */
		int fd = open(src->file, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc;
		if (fd < 0)
			return pb_fail(e, PB_EFAIL, "%s: %s", src->file, strerror(errno));
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
			rc = pb_fail(e, PB_EFAIL, "%s: %s", src->file, strerror(errno));
			close(fd);
			return rc;
		}
		rc = read_line(fd, s, src->file, e);
		close(fd);
		return rc;
	}
	if (src->env && (v = getenv(src->env)) != NULL) {
		size_t n = strlen(v);
		int rc = 0;

		if (n >= sizeof s->buf)
			rc = pb_fail(e, PB_EUSAGE, "$%s: secret longer than %d bytes", src->env,
				PB_SECRET_MAX - 1);
		else
			memcpy(s->buf, v, n), s->len = n;
		/* leave no copy in this process's environment */
		explicit_bzero(v, n);
		unsetenv(src->env);
		return rc;
	}
	if (!isatty(STDIN_FILENO))
		return pb_fail(e, PB_EUSAGE, "no secret given: use --pin-fd, --pin-file or $%s",
			src->env ? src->env : "PROVBOX_PIN");
	if (read_tty(s, src->prompt, e) != 0)
		return e->code;
	if (src->confirm) {
		pb_secret again;
		char p2[128];
		int same;

		snprintf(p2, sizeof p2, "%s (again)", src->prompt);
		if (read_tty(&again, p2, e) != 0) {
			pb_secret_wipe(s);
			return e->code;
		}
		same = pb_secret_equal(s, &again);
		pb_secret_wipe(&again);
		if (!same) {
			pb_secret_wipe(s);
			return pb_fail(e, PB_EUSAGE, "the two entries differ");
		}
	}
	return 0;
}
