/* hal/hal_cli.h - open backends the same way in every applet.
 *
 * The glue between the shared command line (core/base/cli.h) and the HAL:
 * hal_open_opts from --tpm/--tee/--kmu/--state, and an auth callback that
 * reads the shared secret sources (SPEC section 2):
 *   HAL_AUTH_OWNER     --owner-auth-fd N, --owner-auth-file PATH, $PROVBOX_OWNER_AUTH
 *   HAL_AUTH_USER_PIN  --pin-fd N, --pin-file PATH, $PROVBOX_PIN, or the tty
 *   HAL_AUTH_SO_PIN    --so-pin-fd N, --so-pin-file PATH, $PROVBOX_SO_PIN, or the tty
 *   HAL_AUTH_NEW_PIN   --new-pin-fd N, --new-pin-file PATH, $PROVBOX_NEW_PIN, or the tty (twice)
 * Each value is read at most once (an environment variable is wiped when
 * read) and kept in the context until hal_cli_auth_wipe. The owner
 * password is never asked on the tty: no source means the empty one.
 */
#ifndef PB_HAL_CLI_H
#define PB_HAL_CLI_H

#include "core/base/cli.h"
#include "hal/hal.h"

#define HAL_AUTH_KINDS 5   /* hal_auth values 1..4 */

typedef struct hal_cli_auth {
	pb_secret_src src[HAL_AUTH_KINDS];
	pb_secret val[HAL_AUTH_KINDS];
	int state[HAL_AUTH_KINDS];     /* 0: not read yet, 1: read, 2: no source */
} hal_cli_auth;

/* Fill o from cli, with hal_cli_auth_fn over ctx (which must outlive the
 * backends opened with o). */
void hal_opts_from_cli(const pb_cli *cli, hal_open_opts *o, hal_cli_auth *ctx);
/* The hal_auth_fn of hal_opts_from_cli. */
int hal_cli_auth_fn(void *ctx, hal_auth which, pb_secret *out, int *given, pb_err *e);
/* Wipe every value read. */
void hal_cli_auth_wipe(hal_cli_auth *ctx);

#endif
