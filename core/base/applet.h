/* core/base/applet.h - what an applet file exports.
 *
 * Each file in applets/ defines one `const pb_applet applet_NAME` (NAME
 * being the file name); the build collects them into the table that
 * main.c dispatches on, so adding an applet is adding one file.
 */
#ifndef PB_APPLET_H
#define PB_APPLET_H

#include "core/base/err.h"

typedef struct pb_applet {
	const char *name;      /* "pki-gen": the command and symlink name */
	const char *summary;   /* one line for `provbox --help` */
	const char *help;      /* full usage with an example per subcommand */
	/* argv[0] is the applet name; returns an exit code, message in e */
	int (*main)(int argc, char **argv, pb_err *e);
} pb_applet;

#endif
