/* core/base/secret.h - PINs and passwords (SPEC section 2).
 *
 * A secret never comes from argv. It is read from, in order: a file
 * descriptor (--pin-fd N), a file (--pin-file PATH), an environment
 * variable ($PROVBOX_PIN; wiped and unset once read), or the terminal
 * with echo off when stdin is a tty. One line is read; the trailing
 * newline is dropped. Secrets live only in pb_secret, which is wiped with
 * explicit_bzero on every path, and are compared in constant time.
 */
#ifndef PB_SECRET_H
#define PB_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/err.h"

#define PB_SECRET_MAX 256

typedef struct pb_secret {
	uint8_t buf[PB_SECRET_MAX];
	size_t len;
} pb_secret;

typedef struct pb_secret_src {
	int fd;              /* -1: not given */
	const char *file;    /* NULL: not given */
	const char *env;     /* variable name, NULL: none */
	const char *prompt;  /* "Token PIN" (the tty prompt) */
	int confirm;         /* tty: ask twice and require the same answer */
} pb_secret_src;

/* Read one secret from the first source given. Exit code 2 when none is
 * given and there is no terminal to ask. */
int pb_secret_read(pb_secret *s, const pb_secret_src *src, pb_err *e);

/* Is any non-tty source given (fd, file or a set variable)? */
int pb_secret_given(const pb_secret_src *src);

/* Set from a constant (the development default PIN). */
int pb_secret_set(pb_secret *s, const char *text, pb_err *e);

void pb_secret_wipe(pb_secret *s);

/* 1 if the n bytes are equal; time depends only on n. */
int pb_ct_equal(const void *a, const void *b, size_t n);

/* Both secrets equal (lengths compared without early exit on content). */
int pb_secret_equal(const pb_secret *a, const pb_secret *b);

#endif
