/* fuzz/fuzz_signer.h - one software EC P-256 signer per harness process,
 * for the parse -> encode -> parse invariants (x509, csr). */
#ifndef PB_FUZZ_SIGNER_H
#define PB_FUZZ_SIGNER_H

#include <stdlib.h>

#include "core/crypto/key.h"

static const pb_signer *fuzz_signer(void)
{
	static pb_privkey k;
	static pb_signer s;
	static int ready;
	pb_err e;

	if (!ready) {
		if (pb_privkey_generate(PB_ALG_EC_P256, &k, &e) != 0)
			abort();
		pb_signer_from_privkey(&s, &k);
		ready = 1;
	}
	return &s;
}

#endif
