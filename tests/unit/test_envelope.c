/* test_envelope.c — building, parsing and verifying envelopes, and each
 * rejection reason. */
#include "testutil.h"

#include "envelope/envelope.h"
#include "json/jcs.h"

static notekey_signer us;

static int setup(void **state)
{
    if (init_sodium(state) != 0)
        return -1;
    return notekey_generate("US", &us, NULL);
}

static int build(envelope *e, const char *payload)
{
    static const char *const to[] = {"RU", "OSCE-SEC"};
    envelope_params p = {.group = "us-ru-ict", .recipients = to, .nrecipients = 2,
                         .kind = KIND_NOTIFICATION, .created_ms = 1795000000000,
                         .deadline_ms = 1795000000000 + 72 * 3600 * 1000, .tlp = TLP_AMBER,
                         .payload = (const uint8_t *)payload, .payload_len = strlen(payload)};
    perr err;
    return envelope_build(&p, &us, e, &err);
}

static char *wire(const envelope *e)
{
    json_t *j = envelope_to_json(e);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

static void test_round_trip(void **state)
{
    (void)state;
    envelope e, back;
    assert_int_equal(build(&e, "incident: scanning from AS64500"), 0);
    char *s = wire(&e);
    perr err;
    assert_int_equal(envelope_parse(s, strlen(s), ENVELOPE_WITH_PAYLOAD, &back, &err), 0);
    assert_string_equal(back.id, e.id);
    assert_string_equal(back.sender, "US");
    assert_int_equal(back.nrecipients, 2);
    assert_string_equal(back.recipients[1], "OSCE-SEC");
    assert_int_equal(back.kind, KIND_NOTIFICATION);
    assert_int_equal(back.tlp, TLP_AMBER);
    assert_int_equal(back.deadline_ms - back.created_ms, 72 * 3600 * 1000);
    assert_memory_equal(back.payload, "incident: scanning from AS64500", back.payload_size);
    /* The leaf omits the payload but keeps its hash, and parses as a leaf. */
    size_t len;
    char *leaf = envelope_leaf(&back, &len, &err);
    envelope_free(&back);
    assert_null(strstr(leaf, "AS64500"));
    /* The leaf is already in canonical form (RFC 8785): the log hashes exactly one text. */
    json_t *parsed = jcs_parse(leaf, len, &err);
    size_t clen;
    char *canonical = jcs_dumps(parsed, &clen, &err);
    json_decref(parsed);
    assert_int_equal(clen, len);
    assert_memory_equal(canonical, leaf, len);
    free(canonical);
    envelope l;
    assert_int_equal(envelope_parse(leaf, len, ENVELOPE_LEAF_ONLY, &l, &err), 0);
    assert_null(l.payload);
    /* A leaf is not a wire envelope, and vice versa. */
    assert_int_not_equal(envelope_parse(leaf, len, ENVELOPE_WITH_PAYLOAD, &back, &err), 0);
    assert_int_not_equal(envelope_parse(s, strlen(s), ENVELOPE_LEAF_ONLY, &back, &err), 0);
    free(leaf);
    free(s);
    envelope_free(&l);
    envelope_free(&e);
}

/* Any single flipped bit in a signed envelope is rejected. */
static void test_every_bit_flip_rejected(void **state)
{
    (void)state;
    envelope e, back;
    assert_int_equal(build(&e, "x"), 0);
    size_t len;
    perr err;
    char *leaf = envelope_leaf(&e, &len, &err);
    for (size_t i = 0; i < len * 8; i++) {
        leaf[i / 8] ^= (char)(1 << (i % 8));
        if (envelope_parse(leaf, len, ENVELOPE_LEAF_ONLY, &back, &err) == 0)
            fail_msg("bit %zu flip accepted", i);
        leaf[i / 8] ^= (char)(1 << (i % 8));
    }
    free(leaf);
    envelope_free(&e);
}

/* Replaces one header member (or removes it with value NULL) and re-signs,
 * so only the field rule is under test, not the signature. */
static int parse_modified(const char *member, json_t *value, perr *err)
{
    envelope e, back;
    build(&e, "p");
    json_t *h = json_deep_copy(e.header);
    if (value)
        json_object_set_new(h, member, value);
    else
        json_object_del(h, member);
    buf msg;
    buf_init(&msg);
    buf_puts(&msg, ENVELOPE_SIGNING_CONTEXT);
    jcs_serialize(h, &msg, err);
    uint8_t sig[64];
    notekey_sign(&us, msg.data, msg.len, sig);
    buf b64;
    buf_init(&b64);
    buf_put_b64(&b64, sig, 64);
    json_t *j = json_pack("{s:o, s:s, s:s}", "header", h, "signature", b64.data, "payload", "cA==");
    char *s = json_dumps(j, 0);
    int rc = envelope_parse(s, strlen(s), ENVELOPE_WITH_PAYLOAD, &back, err);
    if (rc == 0)
        envelope_free(&back);
    free(s);
    json_decref(j);
    buf_free(&msg);
    buf_free(&b64);
    envelope_free(&e);
    return rc;
}

static void test_field_rules(void **state)
{
    (void)state;
    perr err;
    struct { const char *member; json_t *value; const char *reason; } cases[] = {
        {"id", json_string("not-a-uuid"), "\"id\""},
        {"id", json_string("01a20739-c0d5-1129-8eb6-f6368ac4ece0"), "\"id\""},   /* version 1 */
        {"id", json_string("01A20739-C0D5-7129-8EB6-F6368AC4ECE0"), "\"id\""},   /* uppercase */
        {"group", json_string("a"), "\"group\""},
        {"sender", json_string("R U"), "\"sender\""},
        {"recipients", json_array(), "recipients"},
        {"recipients", json_pack("[s,s]", "RU", "RU"), "twice"},
        {"recipients", json_pack("[s]", "US"), "sender cannot"},
        {"kind", json_string("accusation"), "kind"},
        {"tlp", json_string("WHITE"), "TLP"},
        {"created", json_string("2026-13-01T00:00:00Z"), "\"created\""},
        {"created", json_string("2026-11-23T10:00:00+01:00"), "\"created\""},
        {"deadline", json_string("2026-01-01T00:00:00Z"), "after"},
        {"in_reply_to", json_integer(5), "in_reply_to"},
        {"v", json_integer(2), "version"},
        {"payload_size", json_integer(-1), "payload_size"},
        {"payload_sha256", json_string("00"), "payload_sha256"},
        {"extra", json_string("x"), "unexpected member"},
        {"deadline", NULL, "missing member \"deadline\""},
        {"in_reply_to", NULL, "missing member \"in_reply_to\""},
        {"sender_key", json_string("RU+12259682+AYCd+yF4AtxULZpDIC9sqwwHdCE3cbLQDAtNOe95N3VM"), "sender_key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        err.msg[0] = '\0';
        if (parse_modified(cases[i].member, cases[i].value, &err) == 0)
            fail_msg("case %zu (%s) accepted", i, cases[i].member);
        if (strstr(err.msg, cases[i].reason) == NULL)
            fail_msg("case %zu: reason \"%s\" lacks \"%s\"", i, err.msg, cases[i].reason);
    }
}

static void test_signature_and_payload_checks(void **state)
{
    (void)state;
    envelope e, back;
    perr err;
    assert_int_equal(build(&e, "evidence"), 0);
    json_t *j = envelope_to_json(&e);
    /* Payload swapped: hash no longer matches. */
    json_object_set_new(j, "payload", json_string("ZXZpZGVuY0U="));
    char *s = json_dumps(j, 0);
    assert_int_not_equal(envelope_parse(s, strlen(s), ENVELOPE_WITH_PAYLOAD, &back, &err), 0);
    assert_non_null(strstr(err.msg, "payload"));
    free(s);
    /* Signed by another key that claims to be US: signature check fails. */
    notekey_signer mallory;
    notekey_generate("US", &mallory, &err);
    uint8_t sig[64];
    notekey_sign(&mallory, "x", 1, sig);
    buf b64;
    buf_init(&b64);
    buf_put_b64(&b64, sig, 64);
    envelope_free(&e);
    build(&e, "evidence");
    json_decref(j);
    j = envelope_to_json(&e);
    json_object_set_new(j, "signature", json_string(b64.data));
    s = json_dumps(j, 0);
    assert_int_not_equal(envelope_parse(s, strlen(s), ENVELOPE_WITH_PAYLOAD, &back, &err), 0);
    assert_int_equal(err.code, PERR_SIGNATURE);
    free(s);
    buf_free(&b64);
    json_decref(j);
    envelope_free(&e);
    /* Oversize, non-JSON, wrong top-level types. */
    assert_int_not_equal(envelope_parse("[]", 2, ENVELOPE_WITH_PAYLOAD, &back, &err), 0);
    assert_int_not_equal(envelope_parse("{", 1, ENVELOPE_WITH_PAYLOAD, &back, &err), 0);
    assert_int_not_equal(envelope_parse("x", ENVELOPE_MAX_JSON + 1, ENVELOPE_WITH_PAYLOAD, &back, &err), 0);
    assert_int_equal(err.code, PERR_TOO_LARGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_every_bit_flip_rejected),
        cmocka_unit_test(test_field_rules),
        cmocka_unit_test(test_signature_and_payload_checks),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
