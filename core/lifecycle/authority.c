/* core/lifecycle/authority.c - the lifecycle authority record; see authority.h. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/file.h"
#include "core/base/lock.h"
#include "core/base/secret.h"
#include "core/crypto/crypto.h"
#include "core/lifecycle/authority.h"
#include "core/pki/certstore.h"

#define MAGIC "provbox-lifecycle-authority 1"

static int uri_ok(const char *s, size_t len)
{
	if (len == 0 || len >= PB_LC_URI_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

int pb_lc_authority_encode(const pb_lc_authority *a, char *out, size_t cap, size_t *len, pb_err *e)
{
	uint8_t sum[32];
	char hex[65];
	int n, m;

	if ((a->kind != HAL_TPM && a->kind != HAL_KMU) || !uri_ok(a->uri, strlen(a->uri)))
		return pb_fail(e, PB_EUSAGE, "lifecycle authority: cannot record %s '%s'",
			hal_kind_name(a->kind), a->uri);
	n = snprintf(out, cap, MAGIC "\nkind %s\nuri %s\n", hal_kind_name(a->kind), a->uri);
	if (n < 0 || (size_t)n >= cap)
		return pb_fail(e, PB_EFAIL, "lifecycle authority: too long");
	pb_hash_data(PB_HASH_SHA256, out, (size_t)n, sum);
	pb_hex(sum, 32, hex);
	m = snprintf(out + n, cap - (size_t)n, "sha256 %s\n", hex);
	if (m < 0 || (size_t)m >= cap - (size_t)n)
		return pb_fail(e, PB_EFAIL, "lifecycle authority: too long");
	*len = (size_t)(n + m);
	return 0;
}

/* The next line of buf from *pos that starts with prefix: its rest. */
static int line(const uint8_t *buf, size_t len, size_t *pos, const char *prefix, const char **val,
	size_t *vlen)
{
	size_t plen = strlen(prefix);
	const uint8_t *nl;

	if (*pos >= len || len - *pos < plen || memcmp(buf + *pos, prefix, plen) != 0)
		return -1;
	nl = memchr(buf + *pos, '\n', len - *pos);
	if (nl == NULL)
		return -1;
	*val = (const char *)buf + *pos + plen;
	*vlen = (size_t)(nl - buf) - *pos - plen;
	*pos = (size_t)(nl - buf) + 1;
	return 0;
}

int pb_lc_authority_parse(const uint8_t *buf, size_t len, pb_lc_authority *a, pb_err *e)
{
	size_t pos = 0, vlen, body;
	const char *val;
	uint8_t sum[32];
	char hex[65];

	memset(a, 0, sizeof *a);
	if (len > PB_LC_AUTHORITY_FILE_MAX || line(buf, len, &pos, MAGIC, &val, &vlen) != 0 || vlen != 0)
		return pb_fail(e, PB_EVERIFY, "lifecycle authority record: not a version 1 record (damaged)");
	if (line(buf, len, &pos, "kind ", &val, &vlen) != 0)
		return pb_fail(e, PB_EVERIFY, "lifecycle authority record: no kind line (damaged)");
	if (vlen == 3 && memcmp(val, "tpm", 3) == 0)
		a->kind = HAL_TPM;
	else if (vlen == 3 && memcmp(val, "kmu", 3) == 0)
		a->kind = HAL_KMU;
	else
		return pb_fail(e, PB_EVERIFY, "lifecycle authority record: unknown kind (damaged)");
	if (line(buf, len, &pos, "uri ", &val, &vlen) != 0 || !uri_ok(val, vlen))
		return pb_fail(e, PB_EVERIFY, "lifecycle authority record: bad uri line (damaged)");
	memcpy(a->uri, val, vlen);
	a->uri[vlen] = '\0';
	body = pos;
	if (line(buf, len, &pos, "sha256 ", &val, &vlen) != 0 || vlen != 64 || pos != len)
		return pb_fail(e, PB_EVERIFY, "lifecycle authority record: bad checksum line (damaged)");
	pb_hash_data(PB_HASH_SHA256, buf, body, sum);
	pb_hex(sum, 32, hex);
	if (!pb_ct_equal(hex, val, 64))
		return pb_fail(e, PB_EVERIFY, "lifecycle authority record: checksum does not match (damaged)");
	return 0;
}

static int authority_path(const pb_state *st, char *out, size_t cap, pb_err *e)
{
	return pb_state_path(st, "lifecycle/authority", out, cap, e);
}

int pb_lc_authority_read(const pb_state *st, pb_lc_authority *a, int *present, pb_err *e)
{
	char path[PATH_MAX];
	struct stat sb;
	uint8_t *buf;
	size_t len;
	int rc;

	*present = 0;
	if (authority_path(st, path, sizeof path, e) != 0)
		return e->code;
	if (lstat(path, &sb) != 0)
		return 0;
	*present = 1;
	if (!S_ISREG(sb.st_mode) || sb.st_size > PB_LC_AUTHORITY_FILE_MAX)
		return pb_fail(e, PB_EVERIFY, "%s: not a lifecycle authority record (damaged)", path);
	if (pb_file_read(path, PB_LC_AUTHORITY_FILE_MAX * 2, &buf, &len, e) != 0)
		return e->code;
	rc = pb_lc_authority_parse(buf, len, a, e);
	pb_file_free(buf, len);
	return rc ? pb_err_prefix(e, "%s", path) : 0;
}

/* Does the state dir hold results of provisioning (anchors, a device
 * certificate, a token)? Only these need an authority record before them. */
static const char *provisioned_what(const pb_state *st)
{
	char path[PATH_MAX];
	pb_err ignored;
	DIR *d;
	struct dirent *de;
	int token = 0;

	if (pb_cs_present(st))
		return "a certificate store";
	if (pb_state_path(st, "tokens", path, sizeof path, &ignored) == 0 && (d = opendir(path)) != NULL) {
		while (!token && (de = readdir(d)) != NULL) {
			size_t n = strlen(de->d_name);
			token = n > 4 && strcmp(de->d_name + n - 4, ".p12") == 0;
		}
		closedir(d);
	}
	return token ? "a token" : NULL;
}

int pb_lc_bind(const hal_open_opts *o, pb_state *st, pb_lc_authority *a, hal_open_opts *out,
	int *recorded, pb_err *e)
{
	const char *what;

	*out = *o;
	if (pb_state_open(st, o->state_dir, e) != 0 || pb_lc_authority_read(st, a, recorded, e) != 0)
		return e->code;
	if (!*recorded) {
		if ((what = provisioned_what(st)) != NULL)
			return pb_fail(e, PB_EVERIFY, "the state directory holds %s but no lifecycle authority "
				"record (lifecycle/authority): tampered with", what);
		/* the authority the options name: the KMU when given (and built
		 * in, as core/lifecycle asks it), else the TPM */
		int kmu = o->kmu_uri != NULL && hal_kind_available(HAL_KMU);
		memset(a, 0, sizeof *a);
		a->kind = kmu ? HAL_KMU : HAL_TPM;
		snprintf(a->uri, sizeof a->uri, "%s", kmu ? o->kmu_uri : o->tpm_uri ? o->tpm_uri : "sim");
	} else if (!hal_kind_available(a->kind)) {
		return pb_fail(e, PB_EFAIL, "the lifecycle authority is %s %s, which this build does not have",
			hal_kind_name(a->kind), a->uri);
	}
	if (a->kind == HAL_KMU) {
		out->kmu_uri = a->uri;
	} else {
		out->tpm_uri = a->uri;
		out->kmu_uri = NULL;
	}
	return 0;
}

int pb_lc_authority_record(const pb_state *st, pb_lc_authority *a, pb_err *e)
{
	char path[PATH_MAX], dir[PATH_MAX], buf[PB_LC_AUTHORITY_FILE_MAX];
	pb_lc_authority cur;
	pb_lock lock;
	size_t len;
	int present, rc;

	if (pb_state_subdir(st, "lifecycle", dir, sizeof dir, e) != 0 ||
	    authority_path(st, path, sizeof path, e) != 0 ||
	    pb_lc_authority_encode(a, buf, sizeof buf, &len, e) != 0 ||
	    pb_lock_acquire(&lock, path, e) != 0)
		return e->code;
	rc = pb_lc_authority_read(st, &cur, &present, e);
	if (rc == 0 && present)
		*a = cur;      /* another process recorded it first: that one holds */
	else if (rc == 0)
		rc = pb_atomic_write(path, buf, len, 0600, e);
	pb_lock_release(&lock);
	return rc;
}
