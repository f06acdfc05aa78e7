/* core/base/json.h - the little JSON that --json output needs.
 *
 * Listing and status subcommands print one JSON object with stable keys
 * (documented in README.md); strings go through pb_json_str so that any
 * name, subject or path comes out as valid JSON.
 */
#ifndef PB_JSON_H
#define PB_JSON_H

#include <stdio.h>

/* s as a JSON string with its quotes: ", \ and control characters
 * escaped; valid UTF-8 is copied, any other byte >= 0x80 becomes U+FFFD,
 * so the output is valid JSON whatever s holds. */
void pb_json_str(FILE *f, const char *s);

/* "key": "value" (with a leading ", " unless first). */
void pb_json_kv(FILE *f, int first, const char *key, const char *value);

#endif
