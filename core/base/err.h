/* core/base/err.h - the one error type of provbox.
 *
 * Every function that can fail takes a pb_err * and returns an exit code
 * of SPEC section 2 (0 on success). The message is "what failed: why";
 * main() prefixes it with "provbox: APPLET: " and prints it once.
 */
#ifndef PB_ERR_H
#define PB_ERR_H

#include <stddef.h>

enum {
	PB_OK = 0,
	PB_EFAIL = 1,      /* the operation failed */
	PB_EUSAGE = 2,     /* bad command line */
	PB_EREFUSED = 3,   /* refused by the lifecycle state */
	PB_EAUTH = 4,      /* wrong PIN or password */
	PB_EVERIFY = 5     /* signature, chain or integrity check failed */
};

typedef struct pb_err {
	int code;
	char msg[256];
} pb_err;

/* Fill e with code and a formatted message; returns code. */
int pb_fail(pb_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix the message already in e with "what: "; returns e->code.
 * Used by callers that add context ("TPM2_Create: " + "TPM_RC_...").
 */
int pb_err_prefix(pb_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print "provbox: APPLET: MSG" to stderr (nothing if e->msg is empty). */
void pb_err_print(const char *applet, const pb_err *e);

/* Print "provbox: APPLET: warning: MSG" to stderr. */
void pb_warn(const char *applet, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
