/* jget.h — strict accessors for JSON objects of our own formats (envelopes,
 * receipts, key files, config). Each format lists its members once; an
 * unknown member, a missing required member or a member of the wrong type is
 * an error naming the member. */
#ifndef PARLEY_JGET_H
#define PARLEY_JGET_H

#include <jansson.h>
#include <stdint.h>

#include "util/err.h"

/* j must be an object whose every member is named in the NULL-terminated list. */
int jget_only(const json_t *j, const char *const *allowed, perr *err);
int jget_string(const json_t *j, const char *key, const char **out, perr *err);
/* Absent or null → *out = NULL. */
int jget_string_opt(const json_t *j, const char *key, const char **out, perr *err);
/* A non-negative integer no larger than max (at most 2^53, the JSON-safe range). */
int jget_uint(const json_t *j, const char *key, uint64_t max, uint64_t *out, perr *err);
int jget_array(const json_t *j, const char *key, json_t **out, perr *err);
int jget_object(const json_t *j, const char *key, json_t **out, perr *err);
/* The JSON value of a time in ms since the epoch: an RFC 3339 UTC string, or null for 0. */
json_t *jtime_ms(int64_t ms);

#endif
