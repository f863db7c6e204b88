/* credentials.c — issuing and checking API tokens. */
#include "hotline/credentials.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "util/codec.h"

static void token_hash(const uint8_t key[CREDENTIAL_KEY_BYTES], const char *participant,
                       const uint8_t secret[CREDENTIAL_SECRET_BYTES], uint8_t hash[CREDENTIAL_HASH_BYTES])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, key, CREDENTIAL_KEY_BYTES, CREDENTIAL_HASH_BYTES);
    crypto_generichash_update(&st, (const uint8_t *)participant, strlen(participant) + 1);
    crypto_generichash_update(&st, secret, CREDENTIAL_SECRET_BYTES);
    crypto_generichash_final(&st, hash, CREDENTIAL_HASH_BYTES);
}

void credential_issue(const uint8_t key[CREDENTIAL_KEY_BYTES], const char *participant,
                      char token[CREDENTIAL_TOKEN_MAX], uint8_t hash[CREDENTIAL_HASH_BYTES])
{
    uint8_t secret[CREDENTIAL_SECRET_BYTES];
    char hex[2 * CREDENTIAL_SECRET_BYTES + 1];
    randombytes_buf(secret, sizeof secret);
    hex_encode(hex, secret, sizeof secret);
    snprintf(token, CREDENTIAL_TOKEN_MAX, "%s.%s", participant, hex);
    token_hash(key, participant, secret, hash);
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(hex, sizeof hex);
}

/* Splits "<id>.<hex>" (or, with user given, also a bare "<hex>"). */
static int split_token(const char *t, const char *user, char id[IDENT_PARTICIPANT_MAX + 1],
                       uint8_t secret[CREDENTIAL_SECRET_BYTES])
{
    const char *dot = strrchr(t, '.');
    const char *hex = dot ? dot + 1 : t;
    if (dot) {
        size_t n = (size_t)(dot - t);
        if (n > IDENT_PARTICIPANT_MAX)
            return -1;
        memcpy(id, t, n);
        id[n] = '\0';
        if (user && strcmp(user, id) != 0)
            return -1;
    } else {
        if (user == NULL || strlen(user) > IDENT_PARTICIPANT_MAX)
            return -1;
        strcpy(id, user);
    }
    return ident_valid_participant(id) && hex_decode(secret, CREDENTIAL_SECRET_BYTES, hex) == 0 ? 0 : -1;
}

static int parse_authorization(const char *h, char id[IDENT_PARTICIPANT_MAX + 1],
                               uint8_t secret[CREDENTIAL_SECRET_BYTES])
{
    if (strncasecmp(h, "Bearer ", 7) == 0)
        return split_token(h + 7, NULL, id, secret);
    if (strncasecmp(h, "Basic ", 6) != 0)
        return -1;
    char decoded[256];
    size_t n;
    const char *b64 = h + 6;
    if (b64_decode((uint8_t *)decoded, sizeof decoded - 1, &n, b64, strlen(b64)) != 0)
        return -1;
    decoded[n] = '\0';
    char *colon = strchr(decoded, ':');
    if (colon == NULL || memchr(decoded, '\0', n) != NULL)
        return -1;
    *colon = '\0';
    int rc = split_token(colon + 1, decoded, id, secret);
    sodium_memzero(decoded, sizeof decoded);
    return rc;
}

int credential_check(credential_lookup_fn lookup, void *ctx, const uint8_t key[CREDENTIAL_KEY_BYTES],
                     const char *authorization, char participant[IDENT_PARTICIPANT_MAX + 1], perr *err)
{
    uint8_t secret[CREDENTIAL_SECRET_BYTES], want[CREDENTIAL_HASH_BYTES], got[CREDENTIAL_HASH_BYTES];
    if (authorization == NULL)
        return perr_set(err, PERR_UNAUTHENTICATED, "credentials required: Authorization: Bearer <token>");
    if (strlen(authorization) > 512 || parse_authorization(authorization, participant, secret) != 0)
        return perr_set(err, PERR_UNAUTHENTICATED, "malformed credentials");
    token_hash(key, participant, secret, got);
    sodium_memzero(secret, sizeof secret);
    perr found_err = {0};
    int found = lookup(ctx, participant, want, &found_err) == 0;
    if (!found && found_err.code != PERR_NOT_FOUND) {
        *err = found_err;
        return -1;
    }
    if (!found)
        randombytes_buf(want, sizeof want);
    if (sodium_memcmp(want, got, CREDENTIAL_HASH_BYTES) != 0 || !found) {
        participant[0] = '\0';
        return perr_set(err, PERR_UNAUTHENTICATED, "invalid credentials");
    }
    return 0;
}
