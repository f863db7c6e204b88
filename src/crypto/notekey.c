/* notekey.c — signed-note key generation, text forms and Ed25519 calls. */
#include "crypto/notekey.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "util/codec.h"

int notekey_valid_name(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > NOTEKEY_NAME_MAX)
        return 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p <= 0x20 || *p == '+' || *p == 0x7f)
            return 0;
    /* Non-ASCII must at least be valid UTF-8; U+2014 etc. are allowed. */
    const unsigned char *p = (const unsigned char *)name;
    while (*p) {
        int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3
                : (*p & 0xf8) == 0xf0 ? 4 : 0;
        if (n == 0 || (n == 2 && *p < 0xc2))
            return 0;
        for (int i = 1; i < n; i++)
            if ((p[i] & 0xc0) != 0x80)
                return 0;
        /* Unicode spaces: U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028/9, U+202F, U+205F, U+3000. */
        if (n == 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
            return 0;
        if (n == 3 && p[0] == 0xe2 && p[1] == 0x80 &&
            (p[2] <= 0x8a || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
            return 0;
        p += n;
    }
    return 1;
}

uint32_t notekey_id(const char *name, uint8_t type, const uint8_t pk[NOTEKEY_PUBLIC_BYTES])
{
    crypto_hash_sha256_state st;
    uint8_t h[crypto_hash_sha256_BYTES];
    const uint8_t sep[2] = {'\n', type};
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
    crypto_hash_sha256_update(&st, sep, 2);
    crypto_hash_sha256_update(&st, pk, NOTEKEY_PUBLIC_BYTES);
    crypto_hash_sha256_final(&st, h);
    return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

int notekey_from_seed(const char *name, const uint8_t seed[NOTEKEY_SEED_BYTES],
                      notekey_signer *out, perr *err)
{
    if (!notekey_valid_name(name))
        return perr_set(err, PERR_INVALID, "key name %.40s is not valid", name);
    memset(out, 0, sizeof *out);
    strcpy(out->name, name);
    crypto_sign_seed_keypair(out->pk, out->sk, seed);
    out->id = notekey_id(name, NOTEKEY_TYPE_ED25519, out->pk);
    return 0;
}

int notekey_generate(const char *name, notekey_signer *out, perr *err)
{
    uint8_t seed[NOTEKEY_SEED_BYTES];
    randombytes_buf(seed, sizeof seed);
    int rc = notekey_from_seed(name, seed, out, err);
    sodium_memzero(seed, sizeof seed);
    return rc;
}

void notekey_signer_public(const notekey_signer *s, notekey_verifier *out)
{
    memset(out, 0, sizeof *out);
    strcpy(out->name, s->name);
    out->type = NOTEKEY_TYPE_ED25519;
    out->id = s->id;
    memcpy(out->pk, s->pk, NOTEKEY_PUBLIC_BYTES);
}

void notekey_signer_wipe(notekey_signer *s)
{
    sodium_memzero(s, sizeof *s);
}

/* Splits "name+hex8+base64" (the caller has removed any PRIVATE+KEY+ prefix).
 * Base64 may contain '+', so the name ends at the first '+', the ID at the second. */
static int split_key_text(const char *text, char name[NOTEKEY_NAME_MAX + 1], uint32_t *id,
                          uint8_t *raw, size_t raw_max, size_t *raw_len, perr *err)
{
    const char *p1 = strchr(text, '+');
    if (p1 == NULL || p1 == text || (size_t)(p1 - text) > NOTEKEY_NAME_MAX)
        return perr_set(err, PERR_INVALID, "key text: missing or oversized name");
    const char *p2 = strchr(p1 + 1, '+');
    if (p2 == NULL || p2 - p1 - 1 != 8)
        return perr_set(err, PERR_INVALID, "key text: key ID must be 8 hex digits");
    memcpy(name, text, (size_t)(p1 - text));
    name[p1 - text] = '\0';
    if (!notekey_valid_name(name))
        return perr_set(err, PERR_INVALID, "key text: invalid name");
    char idhex[9];
    uint8_t idbytes[4];
    memcpy(idhex, p1 + 1, 8);
    idhex[8] = '\0';
    if (hex_decode(idbytes, 4, idhex) != 0)
        return perr_set(err, PERR_INVALID, "key text: key ID must be 8 lowercase hex digits");
    *id = (uint32_t)idbytes[0] << 24 | (uint32_t)idbytes[1] << 16 | (uint32_t)idbytes[2] << 8 |
          idbytes[3];
    if (b64_decode(raw, raw_max, raw_len, p2 + 1, strlen(p2 + 1)) != 0)
        return perr_set(err, PERR_INVALID, "key text: bad base64 key");
    return 0;
}

int notekey_parse_verifier(const char *text, notekey_verifier *out, perr *err)
{
    uint8_t raw[1 + NOTEKEY_PUBLIC_BYTES + 1];
    size_t n = 0;
    memset(out, 0, sizeof *out);
    if (split_key_text(text, out->name, &out->id, raw, sizeof raw, &n, err) != 0)
        return -1;
    if (n != 1 + NOTEKEY_PUBLIC_BYTES ||
        (raw[0] != NOTEKEY_TYPE_ED25519 && raw[0] != NOTEKEY_TYPE_COSIGNATURE))
        return perr_set(err, PERR_INVALID, "verifier key: not an Ed25519 key");
    out->type = raw[0];
    memcpy(out->pk, raw + 1, NOTEKEY_PUBLIC_BYTES);
    if (notekey_id(out->name, out->type, out->pk) != out->id)
        return perr_set(err, PERR_INVALID, "verifier key: key ID does not match the key");
    return 0;
}

int notekey_parse_signer(const char *text, notekey_signer *out, perr *err)
{
    static const char prefix[] = "PRIVATE+KEY+";
    if (strncmp(text, prefix, sizeof prefix - 1) != 0)
        return perr_set(err, PERR_INVALID, "signer key: must start with PRIVATE+KEY+");
    uint8_t raw[1 + NOTEKEY_SEED_BYTES + 1];
    size_t n = 0;
    char name[NOTEKEY_NAME_MAX + 1];
    uint32_t id;
    int rc = split_key_text(text + sizeof prefix - 1, name, &id, raw, sizeof raw, &n, err);
    if (rc == 0 && (n != 1 + NOTEKEY_SEED_BYTES || raw[0] != NOTEKEY_TYPE_ED25519))
        rc = perr_set(err, PERR_INVALID, "signer key: not an Ed25519 seed");
    if (rc == 0)
        rc = notekey_from_seed(name, raw + 1, out, err);
    if (rc == 0 && out->id != id)
        rc = perr_set(err, PERR_INVALID, "signer key: key ID does not match the key");
    sodium_memzero(raw, sizeof raw);
    if (rc != 0)
        notekey_signer_wipe(out);
    return rc;
}

void notekey_format_verifier(const notekey_verifier *v, buf *out)
{
    uint8_t raw[1 + NOTEKEY_PUBLIC_BYTES];
    raw[0] = v->type;
    memcpy(raw + 1, v->pk, NOTEKEY_PUBLIC_BYTES);
    buf_printf(out, "%s+%08x+", v->name, (unsigned)v->id);
    buf_put_b64(out, raw, sizeof raw);
}

void notekey_format_signer(const notekey_signer *s, buf *out)
{
    uint8_t raw[1 + NOTEKEY_SEED_BYTES];
    raw[0] = NOTEKEY_TYPE_ED25519;
    /* libsodium's secret key is seed || public key. */
    memcpy(raw + 1, s->sk, NOTEKEY_SEED_BYTES);
    buf_printf(out, "PRIVATE+KEY+%s+%08x+", s->name, (unsigned)s->id);
    buf_put_b64(out, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
}

void notekey_sign(const notekey_signer *s, const void *msg, size_t len,
                  uint8_t sig[NOTEKEY_SIG_BYTES])
{
    crypto_sign_detached(sig, NULL, msg, len, s->sk);
}

int notekey_verify(const notekey_verifier *v, const void *msg, size_t len,
                   const uint8_t sig[NOTEKEY_SIG_BYTES])
{
    return crypto_sign_verify_detached(sig, msg, len, v->pk);
}
