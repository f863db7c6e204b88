/* credentials.h — participants' API tokens.
 *
 * A token is "<participant>.<64 hex digits>": 256 random bits, shown once
 * when issued. The node keeps only BLAKE2b-256 keyed with the node's token
 * key (crypto_generichash) over the participant id and the secret, and
 * compares hashes in constant time. A fast keyed hash is the right tool for
 * a random 256-bit secret; a slow password hash would cap the request rate.
 * Accepted on requests as "Authorization: Bearer <token>" or as HTTP Basic
 * with the participant id as user and the token (whole, or its hex part)
 * as password. */
#ifndef PARLEY_CREDENTIALS_H
#define PARLEY_CREDENTIALS_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/ident.h"

#define CREDENTIAL_KEY_BYTES 32
#define CREDENTIAL_SECRET_BYTES 32
#define CREDENTIAL_HASH_BYTES 32
#define CREDENTIAL_TOKEN_MAX (IDENT_PARTICIPANT_MAX + 1 + 2 * CREDENTIAL_SECRET_BYTES + 1)

/* Finds the stored hash of a participant's current token; PERR_NOT_FOUND if none. */
typedef int (*credential_lookup_fn)(void *ctx, const char *participant, uint8_t hash[CREDENTIAL_HASH_BYTES],
                                    perr *err);

/* A fresh token for participant and the hash to store. */
void credential_issue(const uint8_t key[CREDENTIAL_KEY_BYTES], const char *participant,
                      char token[CREDENTIAL_TOKEN_MAX], uint8_t hash[CREDENTIAL_HASH_BYTES]);
/* Checks an Authorization header value against the hash lookup finds; on
 * success writes the participant id. PERR_UNAUTHENTICATED for anything but a
 * valid, current token. */
int credential_check(credential_lookup_fn lookup, void *ctx, const uint8_t key[CREDENTIAL_KEY_BYTES],
                     const char *authorization, char participant[IDENT_PARTICIPANT_MAX + 1], perr *err);

#endif
