/* tests/hardening/heapscan.c - linked into a provbox with -Wl,--wrap=free
 * (and --wrap=realloc): every heap block our code and the static
 * libraries free is searched, just before it goes back to the allocator,
 * for the byte strings in $PB_HEAPSCAN_NEEDLES (hex, comma-separated:
 * the private key's scalar and a stretch of its PEM text). A hit means
 * key material was left in freed memory; the process then ends with
 * exit 97 whatever it was going to return. $PB_HEAPSCAN_REPORT gets
 * "frees=N bytes=N hits=N" so the caller can tell the scan ran.
 * $PB_HEAPSCAN_PLANT=1 frees one unwiped copy of each needle first: the
 * check must then fail (the proof that it can). Runs under valgrind:
 * the block is copied and marked defined before the search, so that
 * memcheck judges provbox, not the scan. glibc's own frees (stdio) are
 * not seen; provbox reads key files with read(2), not stdio. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <valgrind/memcheck.h>

void __real_free(void *p);
void *__real_realloc(void *p, size_t n);
void __wrap_free(void *p);
void *__wrap_realloc(void *p, size_t n);

#define NEEDLES_MAX 8
static unsigned char needle[NEEDLES_MAX][128];
static size_t needle_len[NEEDLES_MAX], nneedles;
static unsigned long frees, bytes, hits;
static unsigned char scratch[1 << 20];

static void scan(const void *p)
{
	size_t n = malloc_usable_size((void *)p);

	if (n > sizeof scratch)
		n = sizeof scratch;
	memcpy(scratch, p, n);
	VALGRIND_MAKE_MEM_DEFINED(scratch, n);
	frees++;
	bytes += n;
	for (size_t i = 0; i < nneedles; i++)
		if (memmem(scratch, n, needle[i], needle_len[i]) != NULL)
			hits++;
	memset(scratch, 0, n);
}

void __wrap_free(void *p)
{
	if (p != NULL && nneedles)
		scan(p);
	__real_free(p);
}

void *__wrap_realloc(void *p, size_t n)
{
	/* a moving realloc frees the old block without wiping it */
	if (p != NULL && nneedles)
		scan(p);
	return __real_realloc(p, n);
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

__attribute__((constructor)) static void heapscan_init(void)
{
	const char *s = getenv("PB_HEAPSCAN_NEEDLES");

	while (s != NULL && *s && nneedles < NEEDLES_MAX) {
		size_t n = 0;
		while (hexval(s[0]) >= 0 && hexval(s[1]) >= 0 && n < sizeof needle[0]) {
			needle[nneedles][n++] = (unsigned char)(hexval(s[0]) << 4 | hexval(s[1]));
			s += 2;
		}
		if (n >= 16)
			needle_len[nneedles++] = n;
		s = strchr(s, ',');
		s = s ? s + 1 : NULL;
	}
	if (getenv("PB_HEAPSCAN_PLANT") != NULL)
		for (size_t i = 0; i < nneedles; i++) {
			unsigned char *b = malloc(needle_len[i] + 32);
			if (b) {
				memcpy(b + 16, needle[i], needle_len[i]);
				__wrap_free(b);   /* direct: the compiler may drop a malloc/free pair */
			}
		}
}

__attribute__((destructor)) static void heapscan_done(void)
{
	const char *r = getenv("PB_HEAPSCAN_REPORT");
	FILE *f;

	if (r != NULL && (f = fopen(r, "w")) != NULL) {
		fprintf(f, "frees=%lu bytes=%lu hits=%lu\n", frees, bytes, hits);
		fclose(f);
	}
	if (hits)
		_exit(97);
}
