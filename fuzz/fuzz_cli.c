/* fuzz/fuzz_cli.c - everything parsed from the command line, on arbitrary
 * argument vectors (NUL-separated): the option parser, key references,
 * numbers, algorithm and lifecycle names, subjects (--subject), GUIDs
 * (--owner), issuance profiles (--profile), TPM URIs (--tpm), PKCS#11 URIs
 * (--tee), times (--at), purposes, certstore kinds and fingerprints.
 * Invariants: an encoded subject is a valid Name; GUIDs, kinds,
 * fingerprints and times print and parse back to the same value; a
 * calendar time names a real date. */
#include <string.h>

#include "core/base/cli.h"
#include <stdio.h>
#include <stdlib.h>

#include "core/pki/certstore.h"
#include "core/pki/chain.h"
#include "core/pki/esl.h"
#include "core/token/token.h"
#include "core/pki/issue.h"
#include "core/asn1/name.h"
#include "hal/hal.h"
#include "hal/tpm.h"
#if PB_HAL_TEE
#include "hal/p11.h"
#endif

static int on_opt(void *ctx, int id, const char *arg, pb_err *e)
{
	unsigned long long v;
	(void)ctx;
	if (id == 2)
		return pb_cli_uint("--days", arg, 1, 36500, &v, e);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* --at TIME: what parses renders as YYYY-MM-DDTHH:MM:SSZ and reads back to
 * the same instant; a calendar form must be the date it names. */
static void check_time(const char *text)
{
	int64_t t, t2, y;
	unsigned mo, d, h, mi, sec;
	char iso[64];
	pb_err e;
	const char *s = text[0] == '@' ? text + 1 : text;

	if (pb_time_parse(text, &t, &e) != 0)
		return;
	der_civil_from_epoch(t, &y, &mo, &d, &h, &mi, &sec);
	if (y < 1950 || y > 9999)
		return;
	snprintf(iso, sizeof iso, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, mo, d, h, mi, sec);
	if (pb_time_parse(iso, &t2, &e) != 0 || t2 != t)
		__builtin_trap();
	if (strchr(s, '-') != NULL || strchr(s, 'Z') != NULL) {
		char date[16];
		snprintf(date, sizeof date, "%04lld%02u%02u", (long long)y, mo, d);
		char given[16] = {0};
		for (size_t i = 0, n = 0; s[i] && n < 8; i++)
			if (s[i] >= '0' && s[i] <= '9')
				given[n++] = s[i];
		if (strcmp(date, given) != 0)
			__builtin_trap();   /* e.g. 2026-02-31 read as March 3 */
	}
}

static int sub_run(int argc, char **argv, pb_err *e)
{
	(void)argv;
	(void)e;
	return argc < 1 ? 99 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const pb_option opts[] = {{"csr", 1, 1}, {"days", 1, 2}, {"create", 0, 3}, {NULL, 0, 0}};
	char buf[4096], *argv[65];
	int argc = 0;
	pb_cli cli;
	pb_err e;

	if (size >= sizeof buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "fuzz";
	for (size_t i = 0; i < size && argc < 64;) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	for (int i = 1; i < argc; i++) {
		hal_key_ref r;
		hal_lifecycle lc;
		pb_alg alg;
		unsigned long long v;
		(void)hal_key_ref_parse(argv[i], &r, &e);
		(void)hal_lifecycle_parse(argv[i], &lc, &e);
		(void)pb_alg_parse(argv[i], &alg, &e);
		(void)pb_cli_uint("--n", argv[i], 0, ~0ull, &v, &e);
		uint8_t name[1024], guid[PB_GUID_LEN];
		size_t nlen;
		pb_profile prof;
		tpm_uri uri;
		if (pb_name_from_text(argv[i], name, sizeof name, &nlen, &e) == 0 &&
		    (nlen > sizeof name || pb_name_check(name, nlen, &e) != 0))
			__builtin_trap();   /* what we encode, we must read back */
		if (pb_guid_parse(argv[i], guid, &e) == 0) {
			/* a GUID we accept prints and parses back to the same bytes */
			char gt[37];
			uint8_t g2[PB_GUID_LEN];
			pb_guid_text(guid, gt);
			if (pb_guid_parse(gt, g2, &e) != 0 || memcmp(g2, guid, sizeof g2) != 0)
				__builtin_trap();
		}
		(void)pb_token_name_check("--name", argv[i], &e);
		check_time(argv[i]);
		unsigned eku;
		(void)pb_purpose_parse(argv[i], &eku, &e);
		pb_cs_kind kind, kind2;
		if (pb_cs_kind_parse(argv[i], &kind, &e) == 0 &&
		    (pb_cs_kind_parse(pb_cs_kind_name(kind), &kind2, &e) != 0 || kind2 != kind))
			__builtin_trap();
		uint8_t fp[32], fp2[32];
		char hex[65];
		if (pb_sha256_parse(argv[i], fp, &e) == 0) {
			pb_hex(fp, sizeof fp, hex);
			if (pb_sha256_parse(hex, fp2, &e) != 0 || memcmp(fp, fp2, sizeof fp) != 0)
				__builtin_trap();
		}
#if PB_HAL_TEE
		static p11_uri pu;
		(void)p11_uri_parse(argv[i], &pu, &e);
#endif
		(void)pb_profile_parse(argv[i], 1, &prof, &e);
		(void)tpm_parse_uri(argv[i], &uri, &e);
	}
	/* argv[1] as a subcommand: known ones run with argv[1..] */
	static const pb_subcmd cmds[] = {{"create", sub_run}, {"show", sub_run}, {NULL, NULL}};
	int src = pb_subcmd_run("fuzz", cmds, argc, argv, &e);
	if (src != 0 && src != PB_EUSAGE)
		__builtin_trap();
	if (pb_cli_parse(&cli, "fuzz", argc, argv, opts, on_opt, NULL, &e) == 0) {
		if (cli.nargs > argc)
			__builtin_trap();
		(void)pb_cli_nargs(&cli, 0, 1, "FILE", &e);
		(void)pb_cli_nargs(&cli, 2, 3, "FILES", &e);
		/* every secret source is the option given for it */
		pb_secret_src ps = pb_cli_pin_src(&cli, "PIN"), so = pb_cli_so_pin_src(&cli, "SO PIN"),
			np = pb_cli_new_pin_src(&cli, "new PIN"), oa = pb_cli_owner_auth_src(&cli);
		if (ps.fd != cli.pin_fd || ps.file != cli.pin_file || so.fd != cli.so_pin_fd ||
		    so.file != cli.so_pin_file || np.fd != cli.new_pin_fd || np.file != cli.new_pin_file ||
		    oa.fd != cli.owner_auth_fd || oa.file != cli.owner_auth_file)
			__builtin_trap();
	}
	return 0;
}
