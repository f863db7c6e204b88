/* statement.c — building, parsing and verifying signed statements. */
#include "envelope/statement.h"

#include <stdlib.h>
#include <string.h>

#include "json/jcs.h"
#include "json/jget.h"
#include "util/buf.h"
#include "util/codec.h"
#include "util/timefmt.h"

static const char *const type_names[STMT_COUNT] = {"participant", "group", "credential", "delivery"};
static const char *const header_fields[] = {"v", "id", "type", "signer_key", "created", "body", NULL};

const char *statement_type_name(enum statement_type t)
{
    return (unsigned)t < STMT_COUNT ? type_names[t] : "?";
}

void statement_free(statement *s)
{
    json_decref(s->header);
    memset(s, 0, sizeof *s);
}

static int signing_input(const json_t *header, buf *out, perr *err)
{
    buf_puts(out, STATEMENT_SIGNING_CONTEXT);
    if (jcs_serialize(header, out, err) != 0)
        return -1;
    if (out->len > STATEMENT_MAX_BYTES)
        return perr_set(err, PERR_TOO_LARGE, "statement is larger than %d bytes", STATEMENT_MAX_BYTES);
    return 0;
}

static json_t *leaf_object(const statement *s)
{
    char sig[128]; /* base64 of 64 bytes is 88 characters */
    b64_encode(sig, sizeof sig, s->signature, NOTEKEY_SIG_BYTES);
    return json_pack("{s:O, s:s}", "statement", s->header, "signature", sig);
}

int statement_build(enum statement_type type, json_t *body, int64_t created_ms,
                    const notekey_signer *signer, statement *out, perr *err)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(body))
        return perr_set(err, PERR_INVALID, "statement body must be an object");
    char id[IDENT_UUID_LEN + 1], created[TIMEFMT_MAX];
    ident_new_uuid(id, created_ms);
    timefmt_format_ms(created, created_ms);
    notekey_verifier vk;
    notekey_signer_public(signer, &vk);
    buf key, msg;
    buf_init(&key);
    buf_init(&msg);
    notekey_format_verifier(&vk, &key);
    json_t *h = json_pack("{s:i, s:s, s:s, s:s, s:s, s:O}", "v", STATEMENT_VERSION, "id", id, "type",
                          statement_type_name(type), "signer_key", key.data, "created", created,
                          "body", body);
    buf_free(&key);
    int rc = -1;
    if (h == NULL) {
        perr_set(err, PERR_INTERNAL, "out of memory");
    } else if (signing_input(h, &msg, err) == 0) {
        statement tmp = {.header = h};
        notekey_sign(signer, msg.data, msg.len, tmp.signature);
        /* Re-parse what we built so it meets the same checks as a received one. */
        json_t *leaf = leaf_object(&tmp);
        rc = statement_from_json(leaf, out, err);
        json_decref(leaf);
    }
    buf_free(&msg);
    json_decref(h);
    return rc;
}

static int parse_header(const json_t *h, statement *s, perr *err)
{
    const char *v;
    uint64_t ver;
    if (jget_only(h, header_fields, err) != 0 || jget_uint(h, "v", 1000, &ver, err) != 0)
        return -1;
    if (ver != STATEMENT_VERSION)
        return perr_set(err, PERR_INVALID, "unsupported statement version %llu", (unsigned long long)ver);
    if (jget_string(h, "id", &v, err) != 0)
        return -1;
    if (!ident_valid_uuid(v))
        return perr_set(err, PERR_INVALID, "statement \"id\" must be a lowercase UUIDv4 or UUIDv7");
    strcpy(s->id, v);
    if (jget_string(h, "type", &v, err) != 0)
        return -1;
    int t = -1;
    for (int i = 0; i < STMT_COUNT; i++)
        if (strcmp(v, type_names[i]) == 0)
            t = i;
    if (t < 0)
        return perr_set(err, PERR_INVALID, "unknown statement type \"%.40s\"", v);
    s->type = (enum statement_type)t;
    if (jget_string(h, "signer_key", &v, err) != 0)
        return -1;
    if (notekey_parse_verifier(v, &s->signer_key, err) != 0)
        return perr_wrap(err, "statement \"signer_key\": ");
    if (s->signer_key.type != NOTEKEY_TYPE_ED25519)
        return perr_set(err, PERR_INVALID, "statement \"signer_key\" must be an Ed25519 key");
    if (jget_string(h, "created", &v, err) != 0)
        return -1;
    if (timefmt_parse_ms(v, &s->created_ms) != 0)
        return perr_set(err, PERR_INVALID, "statement \"created\" is not an RFC 3339 UTC time");
    return jget_object(h, "body", &s->body, err);
}

int statement_from_json(const json_t *j, statement *out, perr *err)
{
    static const char *const leaf_fields[] = {"statement", "signature", NULL};
    memset(out, 0, sizeof *out);
    json_t *h;
    const char *sig;
    size_t n = 0;
    if (jget_only(j, leaf_fields, err) != 0 || jget_object(j, "statement", &h, err) != 0 ||
        parse_header(h, out, err) != 0 || jget_string(j, "signature", &sig, err) != 0)
        goto fail;
    if (b64_decode_public(out->signature, sizeof out->signature, &n, sig, strlen(sig)) != 0 ||
        n != NOTEKEY_SIG_BYTES) {
        perr_set(err, PERR_INVALID, "statement \"signature\" must be 64 bytes of base64");
        goto fail;
    }
    buf msg;
    buf_init(&msg);
    int bad = signing_input(h, &msg, err) != 0 ? -1
              : notekey_verify(&out->signer_key, msg.data, msg.len, out->signature) != 0 ? 1 : 0;
    buf_free(&msg);
    if (bad < 0)
        goto fail;
    if (bad) {
        perr_set(err, PERR_SIGNATURE, "statement signature does not verify with key %s+%08x",
                 out->signer_key.name, (unsigned)out->signer_key.id);
        goto fail;
    }
    out->header = json_incref(h);
    return 0;
fail:
    memset(out, 0, sizeof *out);
    return -1;
}

int statement_parse(const char *json, size_t len, statement *out, perr *err)
{
    memset(out, 0, sizeof *out);
    if (len > STATEMENT_MAX_BYTES)
        return perr_set(err, PERR_TOO_LARGE, "statement is larger than %d bytes", STATEMENT_MAX_BYTES);
    json_t *j = jcs_parse(json, len, err);
    if (j == NULL)
        return perr_wrap(err, "statement: ");
    int rc = statement_from_json(j, out, err);
    json_decref(j);
    return rc;
}

char *statement_leaf(const statement *s, size_t *len, perr *err)
{
    json_t *j = leaf_object(s);
    if (j == NULL) {
        perr_set(err, PERR_INTERNAL, "out of memory");
        return NULL;
    }
    char *out = jcs_dumps(j, len, err);
    json_decref(j);
    return out;
}

json_t *statement_to_json(const statement *s)
{
    return leaf_object(s);
}
