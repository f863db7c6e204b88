/* ident.h — the identifier syntaxes of the domain model (DESIGN.md §3).
 * One definition each, so every layer accepts exactly the same strings. */
#ifndef PARLEY_IDENT_H
#define PARLEY_IDENT_H

#include <stdint.h>

#define IDENT_PARTICIPANT_MAX 32
#define IDENT_GROUP_MAX 64
#define IDENT_UUID_LEN 36

/* [A-Za-z0-9-]{2,32}, e.g. "US", "OSCE-SEC". */
int ident_valid_participant(const char *s);
/* [A-Za-z0-9-]{2,64}, e.g. "us-ru-ict". */
int ident_valid_group(const char *s);
/* Lowercase canonical UUID text of version 4 or 7 with the RFC 9562 variant. */
int ident_valid_uuid(const char *s);
/* A fresh UUIDv7 (time-ordered, so ids index well). out holds 37 bytes. */
void ident_new_uuid(char out[IDENT_UUID_LEN + 1], int64_t now_ms);

#endif
