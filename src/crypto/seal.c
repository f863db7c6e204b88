/* seal.c — payload encryption for readers (see seal.h). */
#include "crypto/seal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "json/jcs.h"
#include "json/jget.h"
#include "util/codec.h"

#define SEAL_FORMAT "parley-seal/v1"
#define SEAL_AD_CONTEXT "parley-seal/v1\n"
#define SEALED_KEY_BYTES (SEAL_KEY_BYTES + crypto_box_SEALBYTES)

/* Decodes base64 into a fresh buffer of at most max bytes. */
static uint8_t *b64_dup(const char *s, size_t max, size_t *n)
{
    size_t slen = strlen(s);
    if (slen / 4 * 3 > max + 3)
        return NULL;
    uint8_t *out = malloc(slen / 4 * 3 + 1);
    if (out == NULL || b64_decode_public(out, slen / 4 * 3 + 1, n, s, slen) != 0 || *n > max) {
        free(out);
        return NULL;
    }
    return out;
}

static void additional_data(buf *ad, const char *message_id)
{
    buf_puts(ad, SEAL_AD_CONTEXT);
    buf_puts(ad, message_id);
}

static void put_b64_member(json_t *obj, const char *key, const uint8_t *data, size_t len)
{
    buf b;
    buf_init(&b);
    buf_put_b64(&b, data, len);
    json_object_set_new(obj, key, json_string(b.data ? b.data : ""));
    buf_free(&b);
}

static int emit(json_t *j, buf *out, perr *err)
{
    if (j == NULL)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    int rc = jcs_serialize(j, out, err);
    json_decref(j);
    return rc;
}

int seal_payload(const uint8_t *plain, size_t len, const char *message_id, const seal_reader *readers,
                 size_t nreaders, buf *out, perr *err)
{
    if (nreaders == 0 || nreaders > SEAL_MAX_READERS)
        return perr_set(err, PERR_INVALID, "a sealed payload needs 1 to %d readers", SEAL_MAX_READERS);
    uint8_t key[SEAL_KEY_BYTES], nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    randombytes_buf(nonce, sizeof nonce);
    uint8_t *ct = malloc(len + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    if (ct == NULL)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    buf ad;
    buf_init(&ad);
    additional_data(&ad, message_id);
    unsigned long long ctlen;
    crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &ctlen, plain, len, (const uint8_t *)ad.data, ad.len,
                                               NULL, nonce, key);
    buf_free(&ad);
    json_t *keys = json_object();
    int rc = 0;
    for (size_t i = 0; i < nreaders && rc == 0; i++) {
        uint8_t sealed[SEALED_KEY_BYTES];
        if (!ident_valid_participant(readers[i].id))
            rc = perr_set(err, PERR_INVALID, "reader \"%.40s\" is not a participant id", readers[i].id);
        else if (crypto_box_seal(sealed, key, sizeof key, readers[i].box_pk) != 0)
            rc = perr_set(err, PERR_INVALID, "cannot seal the content key to %s", readers[i].id);
        else
            put_b64_member(keys, readers[i].id, sealed, sizeof sealed);
    }
    sodium_memzero(key, sizeof key);
    json_t *j = NULL;
    if (rc == 0) {
        j = json_pack("{s:s, s:o}", "enc", SEAL_FORMAT, "keys", keys);
        keys = NULL;
        if (j) {
            put_b64_member(j, "nonce", nonce, sizeof nonce);
            put_b64_member(j, "ciphertext", ct, (size_t)ctlen);
        }
        rc = emit(j, out, err);
    }
    json_decref(keys);
    free(ct);
    return rc;
}

int seal_clear(const uint8_t *plain, size_t len, buf *out, perr *err)
{
    json_t *j = json_pack("{s:s}", "enc", "none");
    if (j)
        put_b64_member(j, "content", plain, len);
    return emit(j, out, err);
}

/* Parses the payload JSON and checks its members; *j is owned by the caller. */
static int parse_payload(const uint8_t *payload, size_t len, json_t **j, seal_info *info, perr *err)
{
    static const char *const sealed_fields[] = {"enc", "nonce", "keys", "ciphertext", NULL};
    static const char *const clear_fields[] = {"enc", "content", NULL};
    memset(info, 0, sizeof *info);
    *j = jcs_parse((const char *)payload, len, err);
    if (*j == NULL)
        return perr_wrap(err, "payload: ");
    const char *enc, *s;
    if (!json_is_object(*j) || jget_string(*j, "enc", &enc, err) != 0)
        return perr_set(err, PERR_INVALID, "payload must be an object with \"enc\"");
    if (strcmp(enc, "none") == 0)
        return jget_only(*j, clear_fields, err) || jget_string(*j, "content", &s, err) ? -1 : 0;
    if (strcmp(enc, SEAL_FORMAT) != 0)
        return perr_set(err, PERR_INVALID, "payload \"enc\" must be \"%s\" or \"none\"", SEAL_FORMAT);
    json_t *keys;
    if (jget_only(*j, sealed_fields, err) != 0 || jget_string(*j, "nonce", &s, err) != 0 ||
        jget_string(*j, "ciphertext", &s, err) != 0 || jget_object(*j, "keys", &keys, err) != 0)
        return -1;
    info->encrypted = 1;
    const char *id;
    json_t *v;
    json_object_foreach(keys, id, v) {
        if (info->nreaders == SEAL_MAX_READERS)
            return perr_set(err, PERR_INVALID, "payload has more than %d readers", SEAL_MAX_READERS);
        if (!ident_valid_participant(id) || !json_is_string(v))
            return perr_set(err, PERR_INVALID, "payload \"keys\" must map participant ids to base64");
        size_t n;
        uint8_t *k = b64_dup(json_string_value(v), SEALED_KEY_BYTES, &n);
        free(k);
        if (k == NULL || n != SEALED_KEY_BYTES)
            return perr_set(err, PERR_INVALID, "payload key for %s is not %d bytes of base64", id, SEALED_KEY_BYTES);
        strcpy(info->readers[info->nreaders++], id);
    }
    if (info->nreaders == 0)
        return perr_set(err, PERR_INVALID, "a sealed payload must have at least one reader");
    return 0;
}

int seal_inspect(const uint8_t *payload, size_t len, seal_info *info, perr *err)
{
    json_t *j;
    int rc = parse_payload(payload, len, &j, info, err);
    json_decref(j);
    return rc;
}

int seal_open(const uint8_t *payload, size_t len, const char *message_id, const char *reader_id,
              const uint8_t box_pk[KEYFILE_BOX_BYTES], const uint8_t box_sk[KEYFILE_BOX_BYTES],
              buf *out, perr *err)
{
    json_t *j;
    seal_info *info = malloc(sizeof *info);
    if (info == NULL)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    int rc = parse_payload(payload, len, &j, info, err);
    int encrypted = info->encrypted;
    free(info);
    if (rc != 0) {
        json_decref(j);
        return -1;
    }
    size_t n, nn, ctn;
    if (!encrypted) {
        uint8_t *c = b64_dup(json_string_value(json_object_get(j, "content")), len, &n);
        if (c == NULL)
            rc = perr_set(err, PERR_INVALID, "payload \"content\" is not base64");
        else
            buf_append(out, c, n);
        free(c);
        json_decref(j);
        return rc;
    }
    const char *sealed_b64 = json_string_value(json_object_get(json_object_get(j, "keys"), reader_id));
    uint8_t *sealed = sealed_b64 ? b64_dup(sealed_b64, SEALED_KEY_BYTES, &n) : NULL;
    uint8_t *nonce = b64_dup(json_string_value(json_object_get(j, "nonce")), 64, &nn);
    uint8_t *ct = b64_dup(json_string_value(json_object_get(j, "ciphertext")), len, &ctn);
    uint8_t key[SEAL_KEY_BYTES];
    buf ad;
    buf_init(&ad);
    additional_data(&ad, message_id);
    if (sealed_b64 == NULL)
        rc = perr_set(err, PERR_FORBIDDEN, "the payload is not sealed to %s", reader_id);
    else if (sealed == NULL || nonce == NULL || ct == NULL ||
             nn != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
             ctn < crypto_aead_xchacha20poly1305_ietf_ABYTES)
        rc = perr_set(err, PERR_INVALID, "payload members are not well-formed base64");
    else if (crypto_box_seal_open(key, sealed, n, box_pk, box_sk) != 0)
        rc = perr_set(err, PERR_SIGNATURE, "the content key sealed to %s does not open with this key", reader_id);
    else if (buf_reserve(out, ctn) != 0)
        rc = perr_set(err, PERR_INTERNAL, "out of memory");
    else {
        unsigned long long plen;
        if (crypto_aead_xchacha20poly1305_ietf_decrypt((uint8_t *)out->data + out->len, &plen, NULL, ct,
                                                       ctn, (const uint8_t *)ad.data, ad.len, nonce,
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
    free(sealed);
    free(nonce);
    free(ct);
    json_decref(j);
    return rc;
}
