/* seal.c — payload encryption for readers (the format is in seal.h).
 *
 * Parsing reads the untrusted bytes in place: every length is checked against
 * what is left before it is used, and a payload is accepted only in its one
 * canonical encoding (known mode, ids valid and strictly ascending, nothing
 * missing), so two payloads for the same readers cannot differ in form. */
#include "crypto/seal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SEAL_FORMAT "parley-seal/v2\n"
#define SEAL_FORMAT_BYTES (sizeof SEAL_FORMAT - 1)
#define SEAL_MODE_CLEAR 0x00
#define SEAL_MODE_SEALED 0x01
#define SEAL_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEAL_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define SEALED_KEY_BYTES (SEAL_KEY_BYTES + crypto_box_SEALBYTES)
#define SEAL_COUNT_BYTES 2

_Static_assert(SEAL_MAX_READERS <= 0xffff, "the reader count is two bytes");
_Static_assert(IDENT_PARTICIPANT_MAX <= 0xff, "a reader id's length is one byte");

/* A payload parsed in place: pointers into the caller's bytes. */
typedef struct seal_view {
    int encrypted;
    const uint8_t *content; /* clear: the plaintext; sealed: the ciphertext */
    size_t content_len;
    const uint8_t *nonce;
    const uint8_t *key;     /* the sealed content key of the reader asked for, if any */
} seal_view;

static void additional_data(buf *ad, const char *message_id)
{
    buf_puts(ad, SEAL_FORMAT);
    buf_puts(ad, message_id);
}

static int by_id(const void *a, const void *b)
{
    return strcmp((*(const seal_reader *const *)a)->id, (*(const seal_reader *const *)b)->id);
}

/* The readers in ascending id order (the canonical order); NULL on error. */
static const seal_reader **sorted_readers(const seal_reader *readers, size_t n, perr *err)
{
    const seal_reader **s = malloc(n * sizeof *s);
    if (s == NULL) {
        perr_set(err, PERR_INTERNAL, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!ident_valid_participant(readers[i].id)) {
            perr_set(err, PERR_INVALID, "reader \"%.40s\" is not a participant id", readers[i].id);
            free(s);
            return NULL;
        }
        s[i] = &readers[i];
    }
    qsort(s, n, sizeof *s, by_id);
    for (size_t i = 1; i < n; i++)
        if (strcmp(s[i - 1]->id, s[i]->id) == 0) {
            perr_set(err, PERR_INVALID, "reader %s is named twice", s[i]->id);
            free(s);
            return NULL;
        }
    return s;
}

int seal_payload(const uint8_t *plain, size_t len, const char *message_id, const seal_reader *readers,
                 size_t nreaders, buf *out, perr *err)
{
    if (nreaders == 0 || nreaders > SEAL_MAX_READERS)
        return perr_set(err, PERR_INVALID, "a sealed payload needs 1 to %d readers", SEAL_MAX_READERS);
    const seal_reader **sorted = sorted_readers(readers, nreaders, err);
    if (sorted == NULL)
        return -1;
    uint8_t key[SEAL_KEY_BYTES], nonce[SEAL_NONCE_BYTES];
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    randombytes_buf(nonce, sizeof nonce);
    size_t start = out->len;
    uint8_t count[SEAL_COUNT_BYTES] = {(uint8_t)(nreaders >> 8), (uint8_t)nreaders};
    buf_puts(out, SEAL_FORMAT);
    buf_putc(out, SEAL_MODE_SEALED);
    buf_append(out, nonce, sizeof nonce);
    buf_append(out, count, sizeof count);
    int rc = 0;
    for (size_t i = 0; i < nreaders && rc == 0; i++) {
        uint8_t sealed[SEALED_KEY_BYTES];
        if (crypto_box_seal(sealed, key, sizeof key, sorted[i]->box_pk) != 0) {
            rc = perr_set(err, PERR_INVALID, "cannot seal the content key to %s", sorted[i]->id);
            break;
        }
        buf_putc(out, (char)strlen(sorted[i]->id));
        buf_puts(out, sorted[i]->id);
        buf_append(out, sealed, sizeof sealed);
    }
    free(sorted);
    if (rc == 0 && buf_reserve(out, len + SEAL_TAG_BYTES) != 0)
        rc = perr_set(err, PERR_INTERNAL, "out of memory");
    if (rc == 0) {
        buf ad;
        buf_init(&ad);
        additional_data(&ad, message_id);
        unsigned long long ctlen;
        crypto_aead_xchacha20poly1305_ietf_encrypt((uint8_t *)out->data + out->len, &ctlen, plain, len,
                                                   (const uint8_t *)ad.data, ad.len, NULL, nonce, key);
        out->len += (size_t)ctlen;
        out->data[out->len] = '\0';
        if (ad.failed)
            rc = perr_set(err, PERR_INTERNAL, "out of memory");
        buf_free(&ad);
    }
    sodium_memzero(key, sizeof key);
    if (rc == 0 && out->failed)
        rc = perr_set(err, PERR_INTERNAL, "out of memory");
    if (rc != 0 && !out->failed) {
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}

int seal_clear(const uint8_t *plain, size_t len, buf *out, perr *err)
{
    buf_puts(out, SEAL_FORMAT);
    buf_putc(out, SEAL_MODE_CLEAR);
    buf_append(out, plain, len);
    return out->failed ? perr_set(err, PERR_INTERNAL, "out of memory") : 0;
}

/* Checks the form of untrusted payload bytes. Lists the key holders in info
 * (when given) and finds want_id's sealed key (when given). */
static int parse_payload(const uint8_t *p, size_t len, const char *want_id, seal_info *info, seal_view *v,
                         perr *err)
{
    memset(v, 0, sizeof *v);
    if (info) {
        info->encrypted = 0;
        info->nreaders = 0;
    }
    if (len < SEAL_FORMAT_BYTES + 1 || memcmp(p, SEAL_FORMAT, SEAL_FORMAT_BYTES) != 0)
        return perr_set(err, PERR_INVALID, "payload: not a parley-seal/v2 payload");
    const uint8_t *at = p + SEAL_FORMAT_BYTES + 1, *end = p + len;
    if (p[SEAL_FORMAT_BYTES] == SEAL_MODE_CLEAR) {
        v->content = at;
        v->content_len = (size_t)(end - at);
        return 0;
    }
    if (p[SEAL_FORMAT_BYTES] != SEAL_MODE_SEALED)
        return perr_set(err, PERR_INVALID, "payload: unknown mode %u", (unsigned)p[SEAL_FORMAT_BYTES]);
    if ((size_t)(end - at) < SEAL_NONCE_BYTES + SEAL_COUNT_BYTES)
        return perr_set(err, PERR_INVALID, "payload: truncated before the reader count");
    v->encrypted = 1;
    v->nonce = at;
    at += SEAL_NONCE_BYTES;
    size_t count = (size_t)at[0] << 8 | at[1];
    at += SEAL_COUNT_BYTES;
    if (count == 0 || count > SEAL_MAX_READERS)
        return perr_set(err, PERR_INVALID, "payload: a sealed payload has 1 to %d readers, not %zu",
                        SEAL_MAX_READERS, count);
    char prev[IDENT_PARTICIPANT_MAX + 1] = "", id[IDENT_PARTICIPANT_MAX + 1];
    for (size_t i = 0; i < count; i++) {
        size_t idlen = at < end ? at[0] : 0;
        if (idlen == 0 || idlen > IDENT_PARTICIPANT_MAX || (size_t)(end - at) < 1 + idlen + SEALED_KEY_BYTES)
            return perr_set(err, PERR_INVALID, "payload: reader %zu of %zu is truncated or malformed", i + 1,
                            count);
        memcpy(id, at + 1, idlen);
        id[idlen] = '\0';
        if (!ident_valid_participant(id))
            return perr_set(err, PERR_INVALID, "payload: reader %zu is not a participant id", i + 1);
        if (i > 0 && strcmp(prev, id) >= 0)
            return perr_set(err, PERR_INVALID, "payload: readers must be in ascending order without repeats (%s)",
                            id);
        memcpy(prev, id, idlen + 1);
        if (want_id && strcmp(id, want_id) == 0)
            v->key = at + 1 + idlen;
        if (info)
            memcpy(info->readers[info->nreaders++], id, idlen + 1);
        at += 1 + idlen + SEALED_KEY_BYTES;
    }
    if ((size_t)(end - at) < SEAL_TAG_BYTES)
        return perr_set(err, PERR_INVALID, "payload: the ciphertext is shorter than its tag");
    v->content = at;
    v->content_len = (size_t)(end - at);
    if (info)
        info->encrypted = 1;
    return 0;
}

int seal_inspect(const uint8_t *payload, size_t len, seal_info *info, perr *err)
{
    seal_view v;
    return parse_payload(payload, len, NULL, info, &v, err);
}

int seal_open(const uint8_t *payload, size_t len, const char *message_id, const char *reader_id,
              const uint8_t box_pk[KEYFILE_BOX_BYTES], const uint8_t box_sk[KEYFILE_BOX_BYTES],
              buf *out, perr *err)
{
    seal_view v;
    if (parse_payload(payload, len, reader_id, NULL, &v, err) != 0)
        return -1;
    if (!v.encrypted) {
        buf_append(out, v.content, v.content_len);
        return out->failed ? perr_set(err, PERR_INTERNAL, "out of memory") : 0;
    }
    if (v.key == NULL)
        return perr_set(err, PERR_FORBIDDEN, "the payload is not sealed to %s", reader_id);
    uint8_t key[SEAL_KEY_BYTES];
    if (crypto_box_seal_open(key, v.key, SEALED_KEY_BYTES, box_pk, box_sk) != 0)
        return perr_set(err, PERR_SIGNATURE, "the content key sealed to %s does not open with this key", reader_id);
    buf ad;
    buf_init(&ad);
    additional_data(&ad, message_id);
    int rc = 0;
    if (ad.failed || buf_reserve(out, v.content_len) != 0)
        rc = perr_set(err, PERR_INTERNAL, "out of memory");
    else {
        unsigned long long plen;
        if (crypto_aead_xchacha20poly1305_ietf_decrypt((uint8_t *)out->data + out->len, &plen, NULL, v.content,
                                                       v.content_len, (const uint8_t *)ad.data, ad.len, v.nonce,
                                                       key) != 0)
            rc = perr_set(err, PERR_SIGNATURE, "payload ciphertext does not authenticate for message %s",
                          message_id);
        else {
            out->len += (size_t)plen;
            out->data[out->len] = '\0';
        }
    }
    sodium_memzero(key, sizeof key);
    buf_free(&ad);
    return rc;
}
