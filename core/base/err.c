/* core/base/err.c - the one error type; see err.h. */
#include "core/base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int pb_fail(pb_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return code;
}

int pb_err_prefix(pb_err *e, const char *fmt, ...)
{
	char old[sizeof e->msg];
	size_t n;
	va_list ap;

	memcpy(old, e->msg, sizeof old);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	/* "head: old", cut to the buffer */
	n = strlen(e->msg);
	if (n + 2 < sizeof e->msg) {
		memcpy(e->msg + n, ": ", 2);
		n += 2;
		size_t room = sizeof e->msg - n - 1, ol = strnlen(old, sizeof old - 1);
		memcpy(e->msg + n, old, ol < room ? ol : room);
		e->msg[n + (ol < room ? ol : room)] = '\0';
	}
	return e->code;
}

void pb_err_print(const char *applet, const pb_err *e)
{
	if (e->msg[0] != '\0')
		fprintf(stderr, "provbox: %s: %s\n", applet, e->msg);
}

void pb_warn(const char *applet, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "provbox: %s: warning: ", applet);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
