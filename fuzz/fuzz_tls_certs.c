/* fuzz/fuzz_tls_certs.c - the certificate files connect reads (--ca
 * bundles into trust anchors, --cert/--chain into the chain it sends):
 * PEM with any blocks, or DER. What loads must be usable: every anchor
 * has a DN and a key of a known type, every chain entry its bytes. */
#include <stdlib.h>
#include <string.h>

#include "core/tls/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pb_tls_anchors a;
	pb_tls_chain c = {0};
	uint8_t *copy = malloc(size + 1);
	pb_err e;

	if (copy == NULL)
		return 0;
	/* NUL-terminated, as pb_file_read hands it */
	memcpy(copy, data, size);
	copy[size] = 0;
	if (pb_tls_anchors_add(&a, copy, size, "fuzz", &e) == 0 && a.n == 0)
		abort();
	for (size_t i = 0; i < a.n; i++) {
		if (a.ta[i].dn.len == 0 || a.ta[i].dn.data[0] != 0x30)
			abort();
		if (a.ta[i].pkey.key_type != BR_KEYTYPE_EC && a.ta[i].pkey.key_type != BR_KEYTYPE_RSA)
			abort();
	}
	pb_tls_anchors_free(&a);
	if (pb_tls_chain_add(&c, copy, size, "fuzz", &e) == 0 && c.n == 0)
		abort();
	for (size_t i = 0; i < c.n; i++)
		if (c.cert[i].data_len == 0)
			abort();
	pb_tls_chain_free(&c);
	free(copy);
	return 0;
}
