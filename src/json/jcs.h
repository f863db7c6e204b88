/* jcs.h — RFC 8785 JSON Canonicalization Scheme over jansson values, so that a
 * signature covers exactly one byte string per JSON value.
 * Invariants: output has no whitespace; members sorted by UTF-16 code units;
 * numbers printed as ECMAScript Number-to-String; strings escape only what
 * RFC 8785 §3.2.2.2 requires. jansson integers beyond 2^53 are converted to
 * IEEE doubles first, as every JCS number is a double. */
#ifndef PARLEY_JCS_H
#define PARLEY_JCS_H

#include <jansson.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

/* Appends the canonical form of v to out. */
int jcs_serialize(const json_t *v, buf *out, perr *err);
/* Appends the canonical JSON string for len bytes of UTF-8 text s. */
void jcs_put_string(buf *out, const char *s, size_t len);
/* Returns a malloc'd NUL-terminated canonical string (length in *len). */
char *jcs_dumps(const json_t *v, size_t *len, perr *err);
/* Parses untrusted JSON text: duplicate member names are rejected (RFC 8785
 * §3.1 leaves them undefined, so they must never reach a signature). */
json_t *jcs_parse(const char *text, size_t len, perr *err);
/* ECMAScript Number-to-String for a finite double; out holds >= 32 bytes. */
int jcs_format_number(double v, char out[32]);
/* Orders two UTF-8 strings by their UTF-16 code units (<0, 0, >0). */
int jcs_compare_keys(const char *a, const char *b);

#endif
