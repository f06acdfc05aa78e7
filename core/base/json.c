/* core/base/json.c - JSON strings; see json.h. */
#include "core/base/json.h"

void pb_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void pb_json_kv(FILE *f, int first, const char *key, const char *value)
{
	if (!first)
		fputs(", ", f);
	pb_json_str(f, key);
	fputs(": ", f);
	pb_json_str(f, value);
}
