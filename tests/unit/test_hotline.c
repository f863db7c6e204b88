/* test_hotline.c — the hotline's building blocks: sealed payloads (every
 * reader opens, others cannot, any tampering fails), signed statements (any
 * bit flip rejected), API credentials (keyed hash, Bearer and Basic forms,
 * wrong or foreign tokens refused) and strict directory bodies. */
#include "testutil.h"

#include "crypto/keyfile.h"
#include "crypto/seal.h"
#include "envelope/statement.h"
#include "hotline/credentials.h"
#include "hotline/directory.h"
#include "json/jcs.h"

static const char *MSG = "01a20739-c0d5-7129-8eb6-f6368ac4ece9";

static void test_seal_round_trip_and_tampering(void **state)
{
    (void)state;
    participant_secret us, ru, de;
    perr err;
    keyfile_generate("US", &us, &err);
    keyfile_generate("RU", &ru, &err);
    keyfile_generate("DE", &de, &err);
    const char *plain = "{\"text\":\"incident at 06:00 UTC\"}";
    seal_reader readers[] = {{"US", us.box_pk}, {"RU", ru.box_pk}};
    buf p;
    buf_init(&p);
    assert_int_equal(seal_payload((const uint8_t *)plain, strlen(plain), MSG, readers, 2, &p, &err), 0);
    assert_null(strstr(p.data, "incident"));
    /* The form of seal.h: format id, mode, nonce, two readers in id order. */
    static const char format[] = "parley-seal/v2\n";
    const size_t readers_end = strlen(format) + 1 + 24 + 2 + 2 * (1 + 2 + 80);
    assert_int_equal(p.len, readers_end + strlen(plain) + 16);
    assert_memory_equal(p.data, format, strlen(format));
    assert_int_equal(p.data[strlen(format)], 1);
    seal_info info;
    assert_int_equal(seal_inspect((const uint8_t *)p.data, p.len, &info, &err), 0);
    assert_true(info.encrypted);
    assert_int_equal(info.nreaders, 2);
    assert_string_equal(info.readers[0], "RU");
    assert_string_equal(info.readers[1], "US");
    buf out;
    buf_init(&out);
    assert_int_equal(seal_open((const uint8_t *)p.data, p.len, MSG, "RU", ru.box_pk, ru.box_sk, &out, &err), 0);
    assert_string_equal(out.data, plain);
    buf_reset(&out);
    assert_int_equal(seal_open((const uint8_t *)p.data, p.len, MSG, "US", us.box_pk, us.box_sk, &out, &err), 0);
    assert_string_equal(out.data, plain);
    /* Not a reader; a reader's name with another key; another message id. */
    assert_int_not_equal(seal_open((const uint8_t *)p.data, p.len, MSG, "DE", de.box_pk, de.box_sk, &out, &err), 0);
    assert_int_equal(err.code, PERR_FORBIDDEN);
    assert_int_not_equal(seal_open((const uint8_t *)p.data, p.len, MSG, "RU", de.box_pk, de.box_sk, &out, &err), 0);
    assert_int_not_equal(seal_open((const uint8_t *)p.data, p.len, "01a20739-c0d5-7129-8eb6-f6368ac4ecea", "RU",
                                   ru.box_pk, ru.box_sk, &out, &err), 0);
    /* A change to any byte fails for at least one reader: the form, the
     * nonce, the ciphertext for both, a reader's sealed key for that reader. */
    uint8_t *t = malloc(p.len);
    for (size_t i = 0; i < p.len; i++) {
        memcpy(t, p.data, p.len);
        t[i] ^= 0x80;
        buf_reset(&out);
        int ru_opens = seal_open(t, p.len, MSG, "RU", ru.box_pk, ru.box_sk, &out, &err) == 0;
        buf_reset(&out);
        int us_opens = seal_open(t, p.len, MSG, "US", us.box_pk, us.box_sk, &out, &err) == 0;
        if (ru_opens && us_opens)
            fail_msg("change at byte %zu accepted", i);
    }
    /* Cut short anywhere before the readers end and a tag fits: malformed. */
    for (size_t n = 0; n < readers_end + 16; n++)
        if (seal_inspect((const uint8_t *)p.data, n, &info, &err) == 0)
            fail_msg("payload cut to %zu bytes accepted", n);
    /* The readers out of order (US before RU): one reader set, one encoding. */
    const size_t first = strlen(format) + 1 + 24 + 2, rec = 1 + 2 + 80;
    memcpy(t, p.data, p.len);
    memcpy(t + first, p.data + first + rec, rec);
    memcpy(t + first + rec, p.data + first, rec);
    assert_int_not_equal(seal_inspect(t, p.len, &info, &err), 0);
    assert_non_null(strstr(err.msg, "ascending"));
    memcpy(t, p.data, p.len); /* "RU" becomes "!U", not a participant id */
    t[first + 1] = '!';
    assert_int_not_equal(seal_inspect(t, p.len, &info, &err), 0);
    assert_non_null(strstr(err.msg, "not a participant id"));
    free(t);
    /* A reader named twice is refused when sealing. */
    seal_reader twice[] = {{"RU", ru.box_pk}, {"RU", ru.box_pk}};
    size_t before = p.len;
    assert_int_not_equal(seal_payload((const uint8_t *)plain, strlen(plain), MSG, twice, 2, &p, &err), 0);
    assert_int_equal(p.len, before);
    /* Malformed forms: nothing, the old JSON form, another format id, an
     * unknown mode, no readers. */
    static const char no_readers[] = "parley-seal/v2\n\001nnnnnnnnnnnnnnnnnnnnnnnn\000\000tttttttttttttttt";
    struct {
        const char *p;
        size_t n;
    } bad[] = {{"", 0},
               {"{\"enc\":\"none\",\"content\":\"aGk=\"}", 31},
               {"parley-seal/v1\n\000hi", 18},
               {"parley-seal/v2\n\002hi", 18},
               {no_readers, sizeof no_readers - 1}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (seal_inspect((const uint8_t *)bad[i].p, bad[i].n, &info, &err) == 0)
            fail_msg("malformed payload %zu accepted", i);
    /* The clear form round-trips and says it is not encrypted. */
    buf c;
    buf_init(&c);
    assert_int_equal(seal_clear((const uint8_t *)"hello", 5, &c, &err), 0);
    assert_int_equal(seal_inspect((const uint8_t *)c.data, c.len, &info, &err), 0);
    assert_false(info.encrypted);
    buf_reset(&out);
    assert_int_equal(seal_open((const uint8_t *)c.data, c.len, MSG, "DE", de.box_pk, de.box_sk, &out, &err), 0);
    assert_string_equal(out.data, "hello");
    buf_free(&c);
    buf_free(&out);
    buf_free(&p);
    keyfile_wipe(&us);
    keyfile_wipe(&ru);
    keyfile_wipe(&de);
}

static void test_statement_bit_flips(void **state)
{
    (void)state;
    notekey_signer admin;
    perr err;
    assert_int_equal(notekey_generate("node.example/admin", &admin, &err), 0);
    json_t *body = json_pack("{s:s, s:[s,s]}", "id", "us-ru-ict", "members", "US", "RU");
    statement st;
    assert_int_equal(statement_build(STMT_GROUP, body, 1795000000000, &admin, &st, &err), 0);
    json_decref(body);
    size_t len;
    char *leaf = statement_leaf(&st, &len, &err);
    statement_free(&st);
    assert_int_equal(statement_parse(leaf, len, &st, &err), 0);
    assert_int_equal(st.type, STMT_GROUP);
    assert_string_equal(st.signer_key.name, "node.example/admin");
    statement_free(&st);
    for (size_t i = 0; i < len * 8; i++) {
        leaf[i / 8] ^= (char)(1 << (i % 8));
        if (statement_parse(leaf, len, &st, &err) == 0)
            fail_msg("bit %zu flip accepted", i);
        leaf[i / 8] ^= (char)(1 << (i % 8));
    }
    free(leaf);
    notekey_signer_wipe(&admin);
}

/* A one-row credential table standing in for the store. */
static uint8_t stored_hash[32];
static char stored_id[40];
static int fake_credential_get(void *ctx, const char *participant, uint8_t hash[32], perr *err)
{
    (void)ctx;
    if (strcmp(participant, stored_id) != 0)
        return perr_set(err, PERR_NOT_FOUND, "none");
    memcpy(hash, stored_hash, 32);
    return 0;
}

static void test_credentials(void **state)
{
    (void)state;
    uint8_t key[CREDENTIAL_KEY_BYTES];
    randombytes_buf(key, sizeof key);
    char token[CREDENTIAL_TOKEN_MAX], who[IDENT_PARTICIPANT_MAX + 1], header[400];
    credential_issue(key, "US", token, stored_hash);
    strcpy(stored_id, "US");
    assert_int_equal(strlen(token), 3 + 64);
    perr err;
    snprintf(header, sizeof header, "Bearer %s", token);
    assert_int_equal(credential_check(fake_credential_get, NULL, key, header, who, &err), 0);
    assert_string_equal(who, "US");
    /* Basic: user US with the whole token or only its secret part. */
    char basic[200], b64[300];
    snprintf(basic, sizeof basic, "US:%s", token);
    b64_encode(b64, sizeof b64, (const uint8_t *)basic, strlen(basic));
    snprintf(header, sizeof header, "Basic %s", b64);
    assert_int_equal(credential_check(fake_credential_get, NULL, key, header, who, &err), 0);
    snprintf(basic, sizeof basic, "US:%s", token + 3);
    b64_encode(b64, sizeof b64, (const uint8_t *)basic, strlen(basic));
    snprintf(header, sizeof header, "Basic %s", b64);
    assert_int_equal(credential_check(fake_credential_get, NULL, key, header, who, &err), 0);
    /* Refusals: absent, changed secret, another id, another node key, user mismatch, junk. */
    assert_int_not_equal(credential_check(fake_credential_get, NULL, key, NULL, who, &err), 0);
    assert_int_equal(err.code, PERR_UNAUTHENTICATED);
    snprintf(header, sizeof header, "Bearer %s", token);
    header[strlen(header) - 1] ^= 1;
    assert_int_not_equal(credential_check(fake_credential_get, NULL, key, header, who, &err), 0);
    snprintf(header, sizeof header, "Bearer RU.%s", token + 3);
    assert_int_not_equal(credential_check(fake_credential_get, NULL, key, header, who, &err), 0);
    uint8_t other[CREDENTIAL_KEY_BYTES] = {1};
    snprintf(header, sizeof header, "Bearer %s", token);
    assert_int_not_equal(credential_check(fake_credential_get, NULL, other, header, who, &err), 0);
    snprintf(basic, sizeof basic, "RU:%s", token);
    b64_encode(b64, sizeof b64, (const uint8_t *)basic, strlen(basic));
    snprintf(header, sizeof header, "Basic %s", b64);
    assert_int_not_equal(credential_check(fake_credential_get, NULL, key, header, who, &err), 0);
    const char *junk[] = {"", "Bearer", "Bearer ", "Bearer US.", "Bearer .abc", "Token x", "Basic ####", "Basic "};
    for (size_t i = 0; i < sizeof junk / sizeof *junk; i++) {
        assert_int_not_equal(credential_check(fake_credential_get, NULL, key, junk[i], who, &err), 0);
        assert_int_equal(err.code, PERR_UNAUTHENTICATED);
    }
}

static void test_directory_bodies(void **state)
{
    (void)state;
    perr err;
    group_policy *g = malloc(sizeof *g);
    const char *good = "{\"id\":\"osce-ict\",\"name\":\"OSCE\",\"members\":[\"US\",\"RU\",\"DE\"],\"coordinators\":[\"DE\"],"
                       "\"kinds\":[\"comm-check\",\"comm-check-reply\"],\"deadlines\":{\"comm-check\":86400},"
                       "\"default_tlp\":\"GREEN\"}";
    json_t *j = jcs_parse(good, strlen(good), &err);
    assert_int_equal(directory_parse_group(j, g, &err), 0);
    assert_int_equal(g->nmembers, 3);
    assert_true(group_has_coordinator(g, "DE"));
    assert_false(group_has_coordinator(g, "US"));
    assert_int_equal(g->deadline_s[KIND_COMM_CHECK], 86400);
    assert_false(g->kinds_allowed & (1u << KIND_NOTIFICATION));
    assert_int_equal(g->default_tlp, TLP_GREEN);
    json_decref(j);
    const char *bad[] = {
        "{\"id\":\"x\",\"name\":\"n\",\"members\":[\"US\"]}",                     /* id too short */
        "{\"id\":\"g1\",\"name\":\"n\",\"members\":[]}",                          /* no members */
        "{\"id\":\"g1\",\"name\":\"n\",\"members\":[\"US\",\"US\"]}",             /* duplicate */
        "{\"id\":\"g1\",\"name\":\"n\",\"members\":[\"US\"],\"coordinators\":[\"RU\"]}", /* not a member */
        "{\"id\":\"g1\",\"name\":\"n\",\"members\":[\"US\"],\"kinds\":[\"gossip\"]}",
        "{\"id\":\"g1\",\"name\":\"n\",\"members\":[\"US\"],\"deadlines\":{\"reply\":0}}",
        "{\"id\":\"g1\",\"name\":\"n\",\"members\":[\"US\"],\"default_tlp\":\"WHITE\"}",
        "{\"id\":\"g1\",\"name\":\"n\",\"members\":[\"US\"],\"extra\":1}",
        "{\"id\":\"g1\",\"name\":\"\",\"members\":[\"US\"]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        j = jcs_parse(bad[i], strlen(bad[i]), &err);
        assert_non_null(j);
        if (directory_parse_group(j, g, &err) == 0)
            fail_msg("bad group %zu accepted", i);
        json_decref(j);
    }
    free(g);
    participant_secret s;
    participant_public pub;
    keyfile_generate("US", &s, &err);
    keyfile_public_of(&s, &pub);
    json_t *pj = keyfile_public_to_json(&pub);
    json_object_set_new(pj, "id", json_string("US"));
    json_object_del(pj, "participant");
    json_object_set_new(pj, "name", json_string("United States"));
    json_object_set_new(pj, "contacts", json_pack("[{s:s, s:s, s:s, s:s}]", "name", "Duty", "role", "duty", "hours", "24/7",
                                              "time_zone", "UTC"));
    store_participant *p = malloc(sizeof *p);
    assert_int_equal(directory_parse_participant(pj, p, &err), 0);
    assert_string_equal(p->status, "active");
    json_object_set_new(pj, "contacts", json_pack("[{s:s}]", "name", "Duty"));
    assert_int_not_equal(directory_parse_participant(pj, p, &err), 0);
    json_object_del(pj, "contacts");
    json_object_set_new(pj, "status", json_string("gone"));
    assert_int_not_equal(directory_parse_participant(pj, p, &err), 0);
    json_object_set_new(pj, "status", json_string("active"));
    json_object_set_new(pj, "id", json_string("RU")); /* key named US under id RU */
    assert_int_not_equal(directory_parse_participant(pj, p, &err), 0);
    free(p);
    json_decref(pj);
    keyfile_wipe(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seal_round_trip_and_tampering),
        cmocka_unit_test(test_statement_bit_flips),
        cmocka_unit_test(test_credentials),
        cmocka_unit_test(test_directory_bodies),
    };
    return cmocka_run_group_tests(tests, init_sodium, NULL);
}
