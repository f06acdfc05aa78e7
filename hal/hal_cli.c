/* hal/hal_cli.c - hal_open_opts and the auth callback from the shared
 * command line; see hal_cli.h. */
#include "hal/hal_cli.h"

#include <string.h>
#include <unistd.h>

void hal_opts_from_cli(const pb_cli *cli, hal_open_opts *o, hal_cli_auth *ctx)
{
	memset(o, 0, sizeof *o);
	memset(ctx, 0, sizeof *ctx);
	o->tpm_uri = cli->tpm;
	o->tee_uri = cli->tee;
	o->kmu_uri = cli->kmu;
	o->state_dir = cli->state_dir;
	o->auth = hal_cli_auth_fn;
	o->auth_ctx = ctx;
	ctx->src[HAL_AUTH_OWNER] = pb_cli_owner_auth_src(cli);
	ctx->src[HAL_AUTH_USER_PIN] = pb_cli_pin_src(cli, "Token PIN");
	ctx->src[HAL_AUTH_SO_PIN] = pb_cli_so_pin_src(cli, "Security officer PIN");
	ctx->src[HAL_AUTH_NEW_PIN] = pb_cli_new_pin_src(cli, "New token PIN");
}

static const char *const what[HAL_AUTH_KINDS] = {
	"", "owner password", "PIN", "SO PIN", "new PIN"
};

int hal_cli_auth_fn(void *vctx, hal_auth which, pb_secret *out, int *given, pb_err *e)
{
	hal_cli_auth *ctx = vctx;
	unsigned w = (unsigned)which;
	const pb_secret_src *src;

	pb_secret_wipe(out);
	*given = 0;
	if (w == 0 || w >= HAL_AUTH_KINDS)
		return pb_fail(e, PB_EFAIL, "internal: unknown authorization value %u", w);
	src = &ctx->src[w];
	if (ctx->state[w] == 0) {
		/* the owner password is never asked on the terminal: none = empty */
		int tty = which != HAL_AUTH_OWNER && isatty(STDIN_FILENO);
		if (!pb_secret_given(src) && !tty) {
			ctx->state[w] = 2;
		} else {
			if (pb_secret_read(&ctx->val[w], src, e) != 0)
				return pb_err_prefix(e, "%s", what[w]);
			ctx->state[w] = 1;
		}
	}
	if (ctx->state[w] == 1) {
		*out = ctx->val[w];
		*given = 1;
	}
	return 0;
}

void hal_cli_auth_wipe(hal_cli_auth *ctx)
{
	for (int i = 0; i < HAL_AUTH_KINDS; i++)
		pb_secret_wipe(&ctx->val[i]);
	memset(ctx->state, 0, sizeof ctx->state);
}
