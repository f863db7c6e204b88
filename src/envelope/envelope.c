/* envelope.c — building, signing, parsing and verifying envelopes. */
#include "envelope/envelope.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "json/jcs.h"
#include "json/jget.h"
#include "util/buf.h"
#include "util/codec.h"
#include "util/timefmt.h"

static const char *const kind_names[KIND_COUNT] = {
    "notification", "consultation-request", "reply", "acknowledgement",
    "comm-check", "comm-check-reply", "national-view", "closure",
};
static const char *const tlp_names[TLP_COUNT] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};

static const char *const header_fields[] = {
    "v", "id", "group", "sender", "sender_key", "recipients", "kind", "in_reply_to",
    "created", "deadline", "tlp", "payload_sha256", "payload_size", NULL};

/* Index of s in a name table, or -1. */
static int name_index(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

const char *envelope_kind_name(enum envelope_kind k)
{
    return (unsigned)k < KIND_COUNT ? kind_names[k] : "?";
}

int envelope_kind_parse(const char *s, enum envelope_kind *out)
{
    int i = name_index(kind_names, KIND_COUNT, s);
    if (i >= 0)
        *out = (enum envelope_kind)i;
    return i >= 0 ? 0 : -1;
}

const char *tlp_name(enum tlp_level t)
{
    return (unsigned)t < TLP_COUNT ? tlp_names[t] : "?";
}

int tlp_parse(const char *s, enum tlp_level *out)
{
    int i = name_index(tlp_names, TLP_COUNT, s);
    if (i >= 0)
        *out = (enum tlp_level)i;
    return i >= 0 ? 0 : -1;
}

void envelope_free(envelope *e)
{
    json_decref(e->header);
    free(e->signed_text);
    free(e->payload);
    memset(e, 0, sizeof *e);
}

/* The bytes a sender signs. */
static int signing_input(const json_t *header, buf *out, perr *err)
{
    buf_puts(out, ENVELOPE_SIGNING_CONTEXT);
    if (jcs_serialize(header, out, err) != 0)
        return -1;
    if (out->len - strlen(ENVELOPE_SIGNING_CONTEXT) > ENVELOPE_MAX_HEADER)
        return perr_set(err, PERR_TOO_LARGE, "envelope header is larger than %d bytes", ENVELOPE_MAX_HEADER);
    return 0;
}

int envelope_build(const envelope_params *p, const notekey_signer *signer, envelope *out,
                   perr *err)
{
    memset(out, 0, sizeof *out);
    char id[IDENT_UUID_LEN + 1];
    int64_t created = p->created_ms;
    if (created == 0)
        return perr_set(err, PERR_INVALID, "envelope: created time is required");
    if (p->id && *p->id)
        snprintf(id, sizeof id, "%s", p->id);
    else
        ident_new_uuid(id, created);
    if (p->payload_len > ENVELOPE_MAX_PAYLOAD)
        return perr_set(err, PERR_TOO_LARGE, "payload is larger than %d bytes", ENVELOPE_MAX_PAYLOAD);
    uint8_t hash[32];
    crypto_hash_sha256(hash, p->payload, p->payload_len);
    char hash_hex[65];
    hex_encode(hash_hex, hash, 32);
    notekey_verifier vk;
    notekey_signer_public(signer, &vk);
    buf key;
    buf_init(&key);
    notekey_format_verifier(&vk, &key);
    json_t *recips = json_array();
    for (size_t i = 0; i < p->nrecipients; i++)
        json_array_append_new(recips, json_string(p->recipients[i]));
    json_t *h = json_object();
    json_object_set_new(h, "v", json_integer(ENVELOPE_VERSION));
    json_object_set_new(h, "id", json_string(id));
    json_object_set_new(h, "group", json_string(p->group ? p->group : ""));
    json_object_set_new(h, "sender", json_string(signer->name));
    json_object_set_new(h, "sender_key", json_string(key.data));
    json_object_set_new(h, "recipients", recips);
    json_object_set_new(h, "kind", json_string(envelope_kind_name(p->kind)));
    json_object_set_new(h, "in_reply_to", p->in_reply_to && *p->in_reply_to ? json_string(p->in_reply_to) : json_null());
    json_object_set_new(h, "created", jtime_ms(created));
    json_object_set_new(h, "deadline", jtime_ms(p->deadline_ms));
    json_object_set_new(h, "tlp", json_string(tlp_name(p->tlp)));
    json_object_set_new(h, "payload_sha256", json_string(hash_hex));
    json_object_set_new(h, "payload_size", json_integer((json_int_t)p->payload_len));
    buf_free(&key);

    buf msg;
    buf_init(&msg);
    if (signing_input(h, &msg, err) != 0) {
        buf_free(&msg);
        json_decref(h);
        return -1;
    }
    uint8_t sig[NOTEKEY_SIG_BYTES];
    notekey_sign(signer, msg.data, msg.len, sig);
    buf_free(&msg);

    /* Re-parse what we built so a built envelope meets the same checks as a received one. */
    json_t *wire = json_object();
    json_object_set_new(wire, "header", h);
    buf b64;
    buf_init(&b64);
    buf_put_b64(&b64, sig, sizeof sig);
    json_object_set_new(wire, "signature", json_string(b64.data));
    buf_reset(&b64);
    buf_put_b64(&b64, p->payload ? p->payload : (const uint8_t *)"", p->payload_len);
    json_object_set_new(wire, "payload", json_string(b64.data));
    buf_free(&b64);
    int rc = envelope_from_json(wire, ENVELOPE_WITH_PAYLOAD, out, err);
    json_decref(wire);
    return rc;
}

static int parse_time(const json_t *h, const char *key, int nullable, int64_t *out, perr *err)
{
    const char *s;
    *out = 0;
    if (nullable ? jget_string_opt(h, key, &s, err) : jget_string(h, key, &s, err))
        return -1;
    if (s == NULL) {
        if (json_object_get(h, key) == NULL)
            return perr_set(err, PERR_INVALID, "missing member \"%s\"", key);
        return 0;
    }
    if (timefmt_parse_ms(s, out) != 0)
        return perr_set(err, PERR_INVALID, "\"%s\" is not an RFC 3339 UTC time", key);
    return 0;
}

static int parse_header(const json_t *h, envelope *e, perr *err)
{
    const char *s;
    uint64_t v;
    if (jget_only(h, header_fields, err) != 0)
        return -1;
    if (jget_uint(h, "v", 1000, &v, err) != 0)
        return -1;
    if (v != ENVELOPE_VERSION)
        return perr_set(err, PERR_INVALID, "unsupported envelope version %llu", (unsigned long long)v);
    if (jget_string(h, "id", &s, err) != 0)
        return -1;
    if (!ident_valid_uuid(s))
        return perr_set(err, PERR_INVALID, "\"id\" must be a lowercase UUIDv4 or UUIDv7");
    strcpy(e->id, s);
    if (jget_string(h, "group", &s, err) != 0)
        return -1;
    if (!ident_valid_group(s))
        return perr_set(err, PERR_INVALID, "\"group\" must match [A-Za-z0-9-]{2,64}");
    strcpy(e->group, s);
    if (jget_string(h, "sender", &s, err) != 0)
        return -1;
    if (!ident_valid_participant(s))
        return perr_set(err, PERR_INVALID, "\"sender\" must match [A-Za-z0-9-]{2,32}");
    strcpy(e->sender, s);
    if (jget_string(h, "sender_key", &s, err) != 0)
        return -1;
    if (notekey_parse_verifier(s, &e->sender_key, err) != 0)
        return perr_wrap(err, "\"sender_key\": ");
    if (e->sender_key.type != NOTEKEY_TYPE_ED25519 || strcmp(e->sender_key.name, e->sender) != 0)
        return perr_set(err, PERR_INVALID, "\"sender_key\" must be an Ed25519 key named after the sender");

    json_t *r;
    if (jget_array(h, "recipients", &r, err) != 0)
        return -1;
    size_t n = json_array_size(r);
    if (n == 0 || n > ENVELOPE_MAX_RECIPIENTS)
        return perr_set(err, PERR_INVALID, "\"recipients\" must list 1 to %d participants", ENVELOPE_MAX_RECIPIENTS);
    for (size_t i = 0; i < n; i++) {
        const char *rid = json_string_value(json_array_get(r, i));
        if (rid == NULL || !ident_valid_participant(rid))
            return perr_set(err, PERR_INVALID, "\"recipients\"[%zu] is not a participant id", i);
        if (strcmp(rid, e->sender) == 0)
            return perr_set(err, PERR_INVALID, "the sender cannot be a recipient");
        for (size_t k = 0; k < i; k++)
            if (strcmp(e->recipients[k], rid) == 0)
                return perr_set(err, PERR_INVALID, "\"recipients\" lists %s twice", rid);
        strcpy(e->recipients[i], rid);
    }
    e->nrecipients = n;

    if (jget_string(h, "kind", &s, err) != 0)
        return -1;
    if (envelope_kind_parse(s, &e->kind) != 0)
        return perr_set(err, PERR_INVALID, "unknown message kind \"%.40s\"", s);
    if (jget_string_opt(h, "in_reply_to", &s, err) != 0)
        return -1;
    if (json_object_get(h, "in_reply_to") == NULL)
        return perr_set(err, PERR_INVALID, "missing member \"in_reply_to\"");
    if (s) {
        if (!ident_valid_uuid(s))
            return perr_set(err, PERR_INVALID, "\"in_reply_to\" must be a message id");
        strcpy(e->in_reply_to, s);
    }
    if (parse_time(h, "created", 0, &e->created_ms, err) != 0 ||
        parse_time(h, "deadline", 1, &e->deadline_ms, err) != 0)
        return -1;
    if (e->deadline_ms != 0 && e->deadline_ms <= e->created_ms)
        return perr_set(err, PERR_INVALID, "\"deadline\" must be after \"created\"");
    if (jget_string(h, "tlp", &s, err) != 0)
        return -1;
    if (tlp_parse(s, &e->tlp) != 0)
        return perr_set(err, PERR_INVALID, "unknown TLP label \"%.20s\"", s);
    if (jget_string(h, "payload_sha256", &s, err) != 0)
        return -1;
    if (hex_decode(e->payload_sha256, 32, s) != 0)
        return perr_set(err, PERR_INVALID, "\"payload_sha256\" must be 64 lowercase hex digits");
    return jget_uint(h, "payload_size", ENVELOPE_MAX_PAYLOAD, &e->payload_size, err);
}

int envelope_from_json(const json_t *j, int form, envelope *out, perr *err)
{
    static const char *const wire_fields[] = {"header", "signature", "payload", NULL};
    static const char *const leaf_fields[] = {"header", "signature", NULL};
    memset(out, 0, sizeof *out);
    json_t *h;
    const char *sig_b64;
    if (jget_only(j, form == ENVELOPE_LEAF_ONLY ? leaf_fields : wire_fields, err) != 0 ||
        jget_object(j, "header", &h, err) != 0 || parse_header(h, out, err) != 0 ||
        jget_string(j, "signature", &sig_b64, err) != 0)
        goto fail;
    size_t n = 0;
    if (b64_decode_public(out->signature, sizeof out->signature, &n, sig_b64, strlen(sig_b64)) != 0 ||
        n != NOTEKEY_SIG_BYTES) {
        perr_set(err, PERR_INVALID, "\"signature\" must be 64 bytes of base64");
        goto fail;
    }
    if (form == ENVELOPE_WITH_PAYLOAD) {
        const char *p;
        if (jget_string(j, "payload", &p, err) != 0)
            goto fail;
        size_t plen = strlen(p);
        if (plen > (ENVELOPE_MAX_PAYLOAD + 2) / 3 * 4) {
            perr_set(err, PERR_TOO_LARGE, "payload is larger than %d bytes", ENVELOPE_MAX_PAYLOAD);
            goto fail;
        }
        out->payload = malloc(plen / 4 * 3 + 1);
        if (out->payload == NULL) {
            perr_set(err, PERR_INTERNAL, "out of memory");
            goto fail;
        }
        if (b64_decode_public(out->payload, plen / 4 * 3 + 1, &n, p, plen) != 0) {
            perr_set(err, PERR_INVALID, "\"payload\" is not base64");
            goto fail;
        }
        uint8_t hash[32];
        crypto_hash_sha256(hash, out->payload, n);
        if (n != out->payload_size || memcmp(hash, out->payload_sha256, 32) != 0) {
            perr_set(err, PERR_INVALID, "payload does not match \"payload_sha256\"/\"payload_size\"");
            goto fail;
        }
    }
    buf msg;
    buf_init(&msg);
    if (signing_input(h, &msg, err) != 0) {
        buf_free(&msg);
        goto fail;
    }
    out->signed_text = buf_steal(&msg, &out->signed_len);
    if (notekey_verify(&out->sender_key, out->signed_text, out->signed_len, out->signature) != 0) {
        perr_set(err, PERR_SIGNATURE, "envelope signature does not verify with %s's key %08x",
                 out->sender, (unsigned)out->sender_key.id);
        goto fail;
    }
    out->header = json_incref(h);
    return 0;
fail:
    free(out->signed_text);
    free(out->payload);
    memset(out, 0, sizeof *out);
    return -1;
}

int envelope_parse(const char *json, size_t len, int form, envelope *out, perr *err)
{
    memset(out, 0, sizeof *out);
    if (len > ENVELOPE_MAX_JSON)
        return perr_set(err, PERR_TOO_LARGE, "envelope is larger than %d bytes", ENVELOPE_MAX_JSON);
    json_t *j = jcs_parse(json, len, err);
    if (j == NULL)
        return perr_wrap(err, "envelope: ");
    int rc = envelope_from_json(j, form, out, err);
    json_decref(j);
    return rc;
}

static json_t *leaf_object(const envelope *e)
{
    buf b64;
    buf_init(&b64);
    buf_put_b64(&b64, e->signature, sizeof e->signature);
    json_t *j = json_pack("{s:O, s:s}", "header", e->header, "signature", b64.data);
    buf_free(&b64);
    return j;
}

/* JCS(leaf_object(e)) without serialising the header again: "header" sorts
 * before "signature", and the header's canonical text is the signed text. */
char *envelope_leaf(const envelope *e, size_t *len, perr *err)
{
    size_t ctx = strlen(ENVELOPE_SIGNING_CONTEXT);
    buf b;
    buf_init(&b);
    buf_puts(&b, "{\"header\":");
    buf_append(&b, e->signed_text + ctx, e->signed_len - ctx);
    buf_puts(&b, ",\"signature\":\"");
    buf_put_b64(&b, e->signature, sizeof e->signature);
    buf_puts(&b, "\"}");
    if (b.failed) {
        buf_free(&b);
        perr_set(err, PERR_INTERNAL, "out of memory");
        return NULL;
    }
    return buf_steal(&b, len);
}

json_t *envelope_to_json(const envelope *e)
{
    json_t *j = leaf_object(e);
    if (j && e->payload) {
        buf b64;
        buf_init(&b64);
        buf_put_b64(&b64, e->payload, e->payload_size);
        json_object_set_new(j, "payload", json_string(b64.data));
        buf_free(&b64);
    }
    return j;
}
