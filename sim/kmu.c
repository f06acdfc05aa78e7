/* sim/kmu.c - the simulated KMU; see sim/kmu.h. */
#include "sim/kmu.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/base/file.h"
#include "core/base/lock.h"
#include "core/base/secret.h"
#include "core/base/state.h"
#include "core/crypto/crypto.h"
#include "core/crypto/kdf.h"
#include "core/crypto/keywrap.h"

#define MAGIC "PBKMU\0\0\x01"
#define KIDENT_INFO "provbox kmu KIDENT v1"

static const char *const lc_names[] = {"assembly", "provisioning", "secured", "decommissioned"};

void sim_kmu_image_wipe(sim_kmu_image *img)
{
	explicit_bzero(img, sizeof *img);
}

/* ---------------------------------------------------------------- format */

static int bad(pb_err *e, const char *what)
{
	return pb_fail(e, PB_EVERIFY, "kmu sim: state file: %s", what);
}

/* Markers are set in order: one set implies every earlier one. */
static int otp_valid(unsigned otp)
{
	return otp == 0 || otp == 1 || otp == 3 || otp == 7;
}

int sim_kmu_parse(const uint8_t *buf, size_t len, sim_kmu_image *img, pb_err *e)
{
	uint8_t digest[32];
	const uint8_t *p, *end;
	uint32_t n;
	int prev = -1;
	unsigned count;

	sim_kmu_image_wipe(img);
	if (len < SIM_KMU_HEADER || memcmp(buf, MAGIC, 8) != 0)
		return bad(e, "not a provbox KMU file");
	n = (uint32_t)buf[8] << 24 | (uint32_t)buf[9] << 16 | (uint32_t)buf[10] << 8 | buf[11];
	if (n != len - SIM_KMU_HEADER)
		return bad(e, "length does not match its header (truncated?)");
	pb_hash_data(PB_HASH_SHA256, buf + SIM_KMU_HEADER, n, digest);
	if (!pb_ct_equal(digest, buf + 12, sizeof digest))
		return bad(e, "checksum mismatch (damaged)");
	p = buf + SIM_KMU_HEADER;
	end = p + n;
	if (end - p < 2)
		return bad(e, "body too short");
	img->otp = p[0];
	count = p[1];
	p += 2;
	if (!otp_valid(img->otp))
		goto fail_otp;
	for (unsigned i = 0; i < count; i++) {
		sim_kmu_slot *s;
		unsigned idx;

		if (end - p < 5) {
			sim_kmu_image_wipe(img);
			return bad(e, "slot record truncated");
		}
		idx = p[0];
		if (idx >= SIM_KMU_SLOTS || (int)idx <= prev) {
			sim_kmu_image_wipe(img);
			return bad(e, "slot numbers out of range or out of order");
		}
		prev = (int)idx;
		s = &img->slot[idx];
		s->used = 1;
		s->flags = p[1];
		s->usage = p[2];
		s->type = p[3];
		s->len = p[4];
		p += 5;
		if ((s->flags & ~(SIM_KMU_PUSH_ONLY | SIM_KMU_WRITE_ONCE | SIM_KMU_REVOKED)) != 0 ||
		    s->usage > SIM_KMU_USAGE_DERIVE || s->type < SIM_KMU_TYPE_AES256 ||
		    s->type > SIM_KMU_TYPE_DATA) {
			sim_kmu_image_wipe(img);
			return bad(e, "slot record with unknown flags, usage or type");
		}
		if (s->len > SIM_KMU_SLOT_BYTES || (s->len == 0) != ((s->flags & SIM_KMU_REVOKED) != 0)) {
			sim_kmu_image_wipe(img);
			return bad(e, "slot value length invalid");
		}
		if ((size_t)(end - p) < s->len) {
			sim_kmu_image_wipe(img);
			return bad(e, "slot value truncated");
		}
		memcpy(s->value, p, s->len);
		p += s->len;
	}
	if (p != end) {
		sim_kmu_image_wipe(img);
		return bad(e, "trailing bytes after the last slot");
	}
	return 0;
fail_otp:
	sim_kmu_image_wipe(img);
	return bad(e, "OTP lifecycle markers out of order");
}

int sim_kmu_serialize(const sim_kmu_image *img, uint8_t *out, size_t cap, size_t *len, pb_err *e)
{
	size_t n = SIM_KMU_HEADER + 2;
	unsigned count = 0;
	uint32_t body;

	if (cap < SIM_KMU_FILE_MAX)
		return pb_fail(e, PB_EFAIL, "kmu sim: serialize: buffer too small");
	for (unsigned i = 0; i < SIM_KMU_SLOTS; i++) {
		const sim_kmu_slot *s = &img->slot[i];

		if (!s->used)
			continue;
		out[n++] = (uint8_t)i;
		out[n++] = s->flags;
		out[n++] = s->usage;
		out[n++] = s->type;
		out[n++] = s->len;
		memcpy(out + n, s->value, s->len);
		n += s->len;
		count++;
	}
	out[SIM_KMU_HEADER] = img->otp;
	out[SIM_KMU_HEADER + 1] = (uint8_t)count;
	body = (uint32_t)(n - SIM_KMU_HEADER);
	memcpy(out, MAGIC, 8);
	out[8] = (uint8_t)(body >> 24);
	out[9] = (uint8_t)(body >> 16);
	out[10] = (uint8_t)(body >> 8);
	out[11] = (uint8_t)body;
	pb_hash_data(PB_HASH_SHA256, out + SIM_KMU_HEADER, body, out + 12);
	*len = n;
	return 0;
}

/* ---------------------------------------------------------------- rules */

static int slot_range(unsigned first, unsigned n, pb_err *e)
{
	if (n < 1 || n > 2 || first >= SIM_KMU_SLOTS || first + n > SIM_KMU_SLOTS)
		return pb_fail(e, PB_EFAIL, "kmu sim: slots %u..%u: out of range 0..%u", first,
			first + n - 1, SIM_KMU_SLOTS - 1);
	return 0;
}

int sim_kmu_img_write(sim_kmu_image *img, unsigned first, unsigned n, unsigned flags,
	unsigned usage, unsigned type, const uint8_t *value, size_t len, pb_err *e)
{
	size_t chunk, off = 0;

	if (slot_range(first, n, e) != 0)
		return e->code;
	if ((flags & ~(SIM_KMU_PUSH_ONLY | SIM_KMU_WRITE_ONCE)) != 0 || usage > SIM_KMU_USAGE_DERIVE ||
	    type < SIM_KMU_TYPE_AES256 || type > SIM_KMU_TYPE_DATA)
		return pb_fail(e, PB_EFAIL, "kmu sim: slot %u: invalid flags, usage or type", first);
	if (len < n || len > n * SIM_KMU_SLOT_BYTES)
		return pb_fail(e, PB_EFAIL, "kmu sim: slot %u: value of %zu bytes does not fit %u slot(s)",
			first, len, n);
	/* check every slot before touching any: all or nothing */
	for (unsigned i = first; i < first + n; i++) {
		const sim_kmu_slot *s = &img->slot[i];

		if (s->used && (s->flags & SIM_KMU_REVOKED))
			return pb_fail(e, PB_EFAIL, "kmu sim: slot %u is revoked (until ERASEALL)", i);
		if (s->used && (s->flags & SIM_KMU_WRITE_ONCE))
			return pb_fail(e, PB_EFAIL,
				"kmu sim: slot %u is write-once and already written (until ERASEALL)", i);
	}
	/* split evenly, every slot at least one byte (len >= n) */
	chunk = (len + n - 1) / n;
	for (unsigned i = first; i < first + n; i++) {
		sim_kmu_slot *s = &img->slot[i];
		size_t take = len - off < chunk ? len - off : chunk;

		explicit_bzero(s, sizeof *s);
		s->used = 1;
		s->flags = (uint8_t)flags;
		s->usage = (uint8_t)usage;
		s->type = (uint8_t)type;
		s->len = (uint8_t)take;
		memcpy(s->value, value + off, take);
		off += take;
	}
	return 0;
}

int sim_kmu_img_read(const sim_kmu_image *img, unsigned slot, uint8_t *out, size_t cap,
	size_t *len, pb_err *e)
{
	const sim_kmu_slot *s;

	if (slot_range(slot, 1, e) != 0)
		return e->code;
	s = &img->slot[slot];
	if (!s->used)
		return pb_fail(e, PB_EFAIL, "kmu sim: slot %u is empty", slot);
	if (s->flags & SIM_KMU_REVOKED)
		return pb_fail(e, PB_EFAIL, "kmu sim: slot %u is revoked", slot);
	if (s->flags & SIM_KMU_PUSH_ONLY)
		return pb_fail(e, PB_EFAIL,
			"kmu sim: slot %u is push-only: its value goes to the crypto engine, never back", slot);
	if (cap < s->len)
		return pb_fail(e, PB_EFAIL, "kmu sim: slot %u: buffer too small", slot);
	memcpy(out, s->value, s->len);
	*len = s->len;
	return 0;
}

int sim_kmu_img_revoke(sim_kmu_image *img, unsigned first, unsigned n, pb_err *e)
{
	if (slot_range(first, n, e) != 0)
		return e->code;
	for (unsigned i = first; i < first + n; i++) {
		sim_kmu_slot *s = &img->slot[i];
		uint8_t keep_usage = s->used ? s->usage : 0, keep_type = s->used ? s->type : SIM_KMU_TYPE_DATA;
		uint8_t keep_flags = s->used ? s->flags : 0;

		explicit_bzero(s, sizeof *s);
		s->used = 1;
		s->flags = (uint8_t)(keep_flags | SIM_KMU_REVOKED);
		s->usage = keep_usage;
		s->type = keep_type;
	}
	return 0;
}

int sim_kmu_img_lc(const sim_kmu_image *img)
{
	if (img->otp & SIM_KMU_LEFT_SECURE)
		return SIM_KMU_LC_DECOMMISSIONED;
	if (img->otp & SIM_KMU_LEFT_PROVISIONING)
		return SIM_KMU_LC_SECURED;
	if (img->otp & SIM_KMU_LEFT_ASSEMBLY)
		return SIM_KMU_LC_PROVISIONING;
	return SIM_KMU_LC_ASSEMBLY;
}

int sim_kmu_img_lc_set(sim_kmu_image *img, int to, pb_err *e)
{
	int cur = sim_kmu_img_lc(img);

	if (to < SIM_KMU_LC_ASSEMBLY || to > SIM_KMU_LC_DECOMMISSIONED)
		return pb_fail(e, PB_EFAIL, "kmu sim: lifecycle state %d: unknown", to);
	if (to == cur)
		return 0;
	if (to < cur)
		return pb_fail(e, PB_EREFUSED, "kmu sim: lifecycle: OTP markers only set: %s cannot go back to %s",
			lc_names[cur], lc_names[to]);
	if (to != cur + 1)
		return pb_fail(e, PB_EFAIL, "kmu sim: lifecycle: from %s the hardware takes only %s, not %s",
			lc_names[cur], lc_names[cur + 1], lc_names[to]);
	img->otp |= (uint8_t)(1u << cur);   /* left_assembly, left_provisioning, left_secure */
	return 0;
}

/* The slots of a pair agree with each other and hold a usable key. */
static int pair_ok(const sim_kmu_image *img, unsigned first)
{
	const sim_kmu_slot *a = &img->slot[first], *b = &img->slot[first + 1];

	return first + 1 < SIM_KMU_SLOTS && a->used && b->used && !(a->flags & SIM_KMU_REVOKED) &&
	       a->flags == b->flags && a->usage == b->usage && a->type == b->type;
}

int sim_kmu_img_pair_present(const sim_kmu_image *img, unsigned first)
{
	return first + 1 < SIM_KMU_SLOTS && pair_ok(img, first);
}

/* The value of a pair, for the crypto engine only (never returned). */
static size_t pair_value(const sim_kmu_image *img, unsigned first, uint8_t out[2 * SIM_KMU_SLOT_BYTES])
{
	const sim_kmu_slot *a = &img->slot[first], *b = &img->slot[first + 1];

	memcpy(out, a->value, a->len);
	memcpy(out + a->len, b->value, b->len);
	return (size_t)a->len + b->len;
}

/* ---------------------------------------------------------------- state file */

int sim_kmu_open(sim_kmu *k, const char *state_dir, pb_err *e)
{
	pb_state st;
	char dir[PATH_MAX];

	if (pb_state_open(&st, state_dir, e) != 0 || pb_state_subdir(&st, "kmu", dir, sizeof dir, e) != 0)
		return pb_err_prefix(e, "kmu sim");
	if ((size_t)snprintf(k->path, sizeof k->path, "%s/%s", dir, SIM_KMU_FILE) >= sizeof k->path)
		return pb_fail(e, PB_EUSAGE, "kmu sim: state directory path too long");
	return 0;
}

int sim_kmu_load(const sim_kmu *k, sim_kmu_image *img, pb_err *e)
{
	uint8_t *buf;
	size_t len;
	pb_err sub;
	int rc;

	sim_kmu_image_wipe(img);
	if (!pb_exists(k->path))
		return 0;
	if (pb_file_read(k->path, SIM_KMU_FILE_MAX, &buf, &len, e) != 0)
		return pb_err_prefix(e, "kmu sim");
	rc = sim_kmu_parse(buf, len, img, &sub);
	pb_file_free(buf, len);
	if (rc != 0)   /* name the file: "kmu sim: PATH: checksum mismatch (damaged)" */
		pb_fail(e, rc, "kmu sim: %s: %s", k->path, sub.msg + strlen("kmu sim: state file: "));
	return rc;
}

typedef int (*update_fn)(sim_kmu_image *img, void *arg, pb_err *e);

/* Remove "slots.tmp.XXXXXX" left by a writer killed mid-write. Only
 * under the lock: then no writer is alive to own one. */
static void drop_stale_temps(const sim_kmu *k)
{
	const char *slash = strrchr(k->path, '/');
	char dir[PATH_MAX], tmp[PATH_MAX + 300];
	size_t dl = slash ? (size_t)(slash - k->path) : 0;
	const char *base = slash ? slash + 1 : k->path;
	size_t bl = strlen(base);
	struct dirent *de;
	DIR *d;

	memcpy(dir, k->path, dl);
	dir[dl] = '\0';
	if ((d = opendir(dl ? dir : ".")) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, base, bl) == 0 && strncmp(de->d_name + bl, ".tmp.", 5) == 0 &&
		    strlen(de->d_name + bl + 5) == 6) {
			snprintf(tmp, sizeof tmp, "%s/%s", dl ? dir : ".", de->d_name);
			unlink(tmp);
		}
	closedir(d);
}

/* Lock, load, change, save if anything changed, unlock. */
static int update(const sim_kmu *k, update_fn fn, void *arg, pb_err *e)
{
	sim_kmu_image img;
	uint8_t before[SIM_KMU_FILE_MAX], after[SIM_KMU_FILE_MAX];
	size_t blen = 0, alen = 0;
	int existed, rc;
	pb_lock l;

	if (pb_lock_acquire(&l, k->path, e) != 0)
		return e->code;
	drop_stale_temps(k);
	existed = pb_exists(k->path);
	rc = sim_kmu_load(k, &img, e);
	if (rc == 0)
		rc = sim_kmu_serialize(&img, before, sizeof before, &blen, e);
	if (rc == 0)
		rc = fn(&img, arg, e);
	if (rc == 0)
		rc = sim_kmu_serialize(&img, after, sizeof after, &alen, e);
	if (rc == 0 && (!existed || alen != blen || memcmp(before, after, alen) != 0))
		if ((rc = pb_atomic_write(k->path, after, alen, 0600, e)) != 0)
			pb_err_prefix(e, "kmu sim");
	sim_kmu_image_wipe(&img);
	explicit_bzero(before, blen);
	explicit_bzero(after, alen);
	pb_lock_release(&l);
	return rc;
}

static int do_gen_huk(sim_kmu_image *img, void *arg, pb_err *e)
{
	uint8_t v[64];
	int rc;

	(void)arg;
	for (unsigned s = SIM_KMU_MKEK; s < SIM_KMU_KIDENT; s++)
		if (img->slot[s].used)
			return pb_fail(e, PB_EFAIL, "kmu sim: HUKs already written (slot %u in use; ERASEALL clears them)", s);
	if (pb_random(v, sizeof v, e) != 0)
		return e->code;
	rc = sim_kmu_img_write(img, SIM_KMU_MKEK, 2, SIM_KMU_PUSH_ONLY | SIM_KMU_WRITE_ONCE,
		SIM_KMU_USAGE_DERIVE, SIM_KMU_TYPE_AES256, v, 32, e);
	if (rc == 0)
		rc = sim_kmu_img_write(img, SIM_KMU_MEXT, 2, SIM_KMU_PUSH_ONLY | SIM_KMU_WRITE_ONCE,
			SIM_KMU_USAGE_DERIVE, SIM_KMU_TYPE_AES256, v + 32, 32, e);
	explicit_bzero(v, sizeof v);
	return rc;
}

int sim_kmu_gen_huk(const sim_kmu *k, pb_err *e)
{
	return update(k, do_gen_huk, NULL, e);
}

/* The identity key's KEK: HKDF over the MKEK, inside the "engine". */
static int kident_kek(const sim_kmu_image *img, uint8_t kek[32], pb_err *e)
{
	uint8_t mkek[2 * SIM_KMU_SLOT_BYTES];
	size_t n;

	if (!pair_ok(img, SIM_KMU_MKEK))
		return pb_fail(e, PB_EFAIL, "kmu sim: MKEK missing (slots 2-3 empty or revoked; run gen-huk)");
	if (img->slot[SIM_KMU_MKEK].usage != SIM_KMU_USAGE_DERIVE ||
	    img->slot[SIM_KMU_MKEK].type != SIM_KMU_TYPE_AES256)
		return pb_fail(e, PB_EFAIL, "kmu sim: slots 2-3 do not hold a derive-only MKEK");
	n = pair_value(img, SIM_KMU_MKEK, mkek);
	if (n != 32) {
		explicit_bzero(mkek, sizeof mkek);
		return pb_fail(e, PB_EFAIL, "kmu sim: MKEK has %zu bytes, expected 32", n);
	}
	pb_hkdf_sha256(NULL, 0, mkek, n, KIDENT_INFO, sizeof KIDENT_INFO - 1, kek, 32);
	explicit_bzero(mkek, sizeof mkek);
	return 0;
}

static int do_gen_identity(sim_kmu_image *img, void *arg, pb_err *e)
{
	uint8_t kek[32], wrapped[64];
	size_t wlen;
	pb_privkey key;
	int rc;

	(void)arg;
	for (unsigned s = SIM_KMU_KIDENT; s < SIM_KMU_KIDENT + 2; s++)
		if (img->slot[s].used)
			return pb_fail(e, PB_EFAIL, "kmu sim: identity key already written (slot %u%s)", s,
				img->slot[s].flags & SIM_KMU_REVOKED ? " revoked until ERASEALL" : " in use");
	if (kident_kek(img, kek, e) != 0)
		return e->code;
	rc = pb_privkey_generate(PB_ALG_EC_P256, &key, e);
	if (rc == 0)
		rc = pb_kwp_wrap(kek, sizeof kek, key.x, key.xlen, wrapped, sizeof wrapped, &wlen, e);
	if (rc == 0)
		rc = sim_kmu_img_write(img, SIM_KMU_KIDENT, 2, SIM_KMU_PUSH_ONLY | SIM_KMU_WRITE_ONCE,
			SIM_KMU_USAGE_SIGN, SIM_KMU_TYPE_P256_WRAPPED, wrapped, wlen, e);
	pb_privkey_wipe(&key);
	explicit_bzero(kek, sizeof kek);
	explicit_bzero(wrapped, sizeof wrapped);
	return rc;
}

int sim_kmu_gen_identity(const sim_kmu *k, pb_err *e)
{
	return update(k, do_gen_identity, NULL, e);
}

typedef struct write_args {
	unsigned first, n, flags, usage, type;
	const uint8_t *value;
	size_t len;
} write_args;

static int do_write(sim_kmu_image *img, void *arg, pb_err *e)
{
	const write_args *a = arg;

	return sim_kmu_img_write(img, a->first, a->n, a->flags, a->usage, a->type, a->value, a->len, e);
}

int sim_kmu_write(const sim_kmu *k, unsigned first, unsigned n, unsigned flags, unsigned usage,
	unsigned type, const uint8_t *value, size_t len, pb_err *e)
{
	write_args a = {first, n, flags, usage, type, value, len};

	return update(k, do_write, &a, e);
}

static int do_revoke(sim_kmu_image *img, void *arg, pb_err *e)
{
	const write_args *a = arg;

	return sim_kmu_img_revoke(img, a->first, a->n, e);
}

int sim_kmu_revoke(const sim_kmu *k, unsigned first, unsigned n, pb_err *e)
{
	write_args a = {.first = first, .n = n};

	return update(k, do_revoke, &a, e);
}

static int do_erase_all(sim_kmu_image *img, void *arg, pb_err *e)
{
	(void)arg;
	(void)e;
	sim_kmu_image_wipe(img);
	return 0;
}

int sim_kmu_erase_all(const sim_kmu *k, pb_err *e)
{
	return update(k, do_erase_all, NULL, e);
}

static int do_lc_set(sim_kmu_image *img, void *arg, pb_err *e)
{
	return sim_kmu_img_lc_set(img, *(const int *)arg, e);
}

int sim_kmu_lc_write(const sim_kmu *k, int to, pb_err *e)
{
	return update(k, do_lc_set, &to, e);
}

int sim_kmu_lc_read(const sim_kmu *k, int *lc, int *present, pb_err *e)
{
	sim_kmu_image img;

	if (sim_kmu_load(k, &img, e) != 0)
		return e->code;
	*lc = sim_kmu_img_lc(&img);
	*present = img.otp != 0;
	sim_kmu_image_wipe(&img);
	return 0;
}

int sim_kmu_read(const sim_kmu *k, unsigned slot, uint8_t *out, size_t cap, size_t *len, pb_err *e)
{
	sim_kmu_image img;
	int rc;

	if (sim_kmu_load(k, &img, e) != 0)
		return e->code;
	rc = sim_kmu_img_read(&img, slot, out, cap, len, e);
	sim_kmu_image_wipe(&img);
	return rc;
}

/* Unwrap the sign key at slot into key (the caller wipes it). */
static int load_sign_key(const sim_kmu_image *img, unsigned slot, pb_privkey *key, int *found, pb_err *e)
{
	uint8_t kek[32], wrapped[2 * SIM_KMU_SLOT_BYTES];
	size_t wlen, xlen = 0;
	br_ec_private_key sk;
	br_ec_public_key pk;
	uint8_t pbuf[BR_EC_KBUF_PUB_MAX_SIZE];
	int rc;

	memset(key, 0, sizeof *key);
	*found = 0;
	if (slot_range(slot, 2, e) != 0)
		return e->code;
	if (!img->slot[slot].used && !img->slot[slot + 1].used)
		return 0;
	if (img->slot[slot].flags & SIM_KMU_REVOKED)   /* gone as a key: found = 0 */
		return 0;
	if (!pair_ok(img, slot))
		return pb_fail(e, PB_EFAIL, "kmu sim: slots %u-%u do not hold one key", slot, slot + 1);
	if (img->slot[slot].usage != SIM_KMU_USAGE_SIGN)
		return pb_fail(e, PB_EFAIL, "kmu sim: slots %u-%u hold a %s key: it does not sign", slot,
			slot + 1, img->slot[slot].usage == SIM_KMU_USAGE_DERIVE ? "derive-only" : "data");
	if (img->slot[slot].type != SIM_KMU_TYPE_P256_WRAPPED)
		return pb_fail(e, PB_EFAIL, "kmu sim: slots %u-%u: not a wrapped secp256r1 key", slot, slot + 1);
	if (kident_kek(img, kek, e) != 0)
		return e->code;
	wlen = pair_value(img, slot, wrapped);
	rc = pb_kwp_unwrap(kek, sizeof kek, wrapped, wlen, key->x, sizeof key->x, &xlen, e);
	explicit_bzero(kek, sizeof kek);
	explicit_bzero(wrapped, sizeof wrapped);
	if (rc != 0)
		return pb_fail(e, PB_EVERIFY, "kmu sim: slots %u-%u: the key does not decrypt under the MKEK",
			slot, slot + 1);
	key->alg = PB_ALG_EC_P256;
	key->xlen = xlen;
	pb_privkey_to_br_ec(key, &sk);
	if (xlen != 32 || br_ec_compute_pub(pb_ec_impl(BR_EC_secp256r1), &pk, pbuf, &sk) == 0)
		return pb_fail(e, PB_EVERIFY, "kmu sim: slots %u-%u: not a secp256r1 scalar", slot, slot + 1);
	key->pub.alg = PB_ALG_EC_P256;
	memcpy(key->pub.q, pk.q, pk.qlen);
	key->pub.qlen = pk.qlen;
	*found = 1;
	return 0;
}

int sim_kmu_public(const sim_kmu *k, unsigned slot, pb_pubkey *pub, int *found, pb_err *e)
{
	sim_kmu_image img;
	pb_privkey key;
	int rc;

	if (sim_kmu_load(k, &img, e) != 0)
		return e->code;
	rc = load_sign_key(&img, slot, &key, found, e);
	if (rc == 0 && *found)
		*pub = key.pub;
	pb_privkey_wipe(&key);
	sim_kmu_image_wipe(&img);
	return rc;
}

int sim_kmu_sign(const sim_kmu *k, unsigned slot, pb_hash h, const uint8_t *digest, size_t dlen,
	uint8_t *sig, size_t cap, size_t *siglen, pb_err *e)
{
	sim_kmu_image img;
	pb_privkey key;
	int found = 0, rc;

	if (sim_kmu_load(k, &img, e) != 0)
		return e->code;
	rc = load_sign_key(&img, slot, &key, &found, e);
	if (rc == 0 && !found)
		rc = pb_fail(e, PB_EFAIL, "kmu sim: slots %u-%u are %s", slot, slot + 1,
			img.slot[slot].flags & SIM_KMU_REVOKED ? "revoked (until ERASEALL)" : "empty");
	if (rc == 0)
		rc = pb_privkey_sign(&key, h, digest, dlen, sig, cap, siglen, e);
	pb_privkey_wipe(&key);
	sim_kmu_image_wipe(&img);
	return rc;
}
