/* bench/p256_rate.c - the ceiling BearSSL sets for certificate issuance:
 * P-256 ECDSA signs and verifies per CPU-second on one core, through the
 * same calls and implementation choice provbox uses (core/crypto/key.h over
 * core/crypto/crypto.h: br_ec_p256_m31). CPU time, not wall time, so that other
 * load on the machine does not lower the ceiling. Built and run by
 * bench/issue.sh; prints "sign N/s" and "verify N/s". */
#include <stdio.h>
#include <time.h>

#include "core/crypto/crypto.h"
#include "core/crypto/key.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	pb_privkey k;
	pb_err e;
	uint8_t digest[32] = {1}, sig[PB_SIG_MAX];
	size_t siglen = 0;
	int n = 0, ok = 0;
	double t0, t1;

	if (pb_privkey_generate(PB_ALG_EC_P256, &k, &e) != 0) {
		fprintf(stderr, "p256_rate: %s\n", e.msg);
		return 1;
	}
	for (t0 = now(), n = 0; (t1 = now()) - t0 < 2.0; n++) {
		digest[0] = (uint8_t)n;
		if (pb_privkey_sign(&k, PB_HASH_SHA256, digest, 32, sig, sizeof sig, &siglen, &e) != 0)
			return 1;
	}
	printf("sign %.0f/s\n", n / (t1 - t0));
	for (t0 = now(), n = 0; (t1 = now()) - t0 < 2.0; n++)
		ok += pb_pubkey_verify(&k.pub, PB_HASH_SHA256, digest, 32, sig, siglen);
	printf("verify %.0f/s\n", n / (t1 - t0));
	pb_privkey_wipe(&k);
	return ok == n ? 0 : 1;
}
