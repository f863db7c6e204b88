/* test_jcs.c — RFC 8785 canonicalisation against ../shared/vectors/rfc8785-jcs. */
#include "testutil.h"

#include "json/jcs.h"

static void check_file(const char *name)
{
    char in_rel[256], out_rel[256];
    snprintf(in_rel, sizeof in_rel, "rfc8785-jcs/input/%s", name);
    snprintf(out_rel, sizeof out_rel, "rfc8785-jcs/output/%s", name);
    size_t in_len, want_len;
    perr err;
    char *in = file_read(vector_path(in_rel), 1 << 20, &in_len, &err);
    assert_non_null(in);
    char *want = file_read(vector_path(out_rel), 1 << 20, &want_len, &err);
    assert_non_null(want);
    json_t *v = jcs_parse(in, in_len, &err);
    assert_non_null(v);
    size_t got_len;
    char *got = jcs_dumps(v, &got_len, &err);
    assert_non_null(got);
    if (got_len != want_len || memcmp(got, want, want_len) != 0)
        fail_msg("%s:\n got  %s\n want %s", name, got, want);
    free(got);
    free(want);
    free(in);
    json_decref(v);
}

static void test_vector_files(void **state)
{
    (void)state;
    const char *names[] = {"arrays.json", "french.json", "structures.json", "unicode.json",
                           "values.json"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        check_file(names[i]);
}

static void test_number_vectors(void **state)
{
    (void)state;
    perr err;
    size_t len;
    char *csv = file_read(vector_path("rfc8785-jcs/numbers.csv"), 1 << 20, &len, &err);
    assert_non_null(csv);
    int count = 0;
    for (char *line = strtok(csv, "\n"); line; line = strtok(NULL, "\n")) {
        char *comma = strchr(line, ',');
        assert_non_null(comma);
        *comma = '\0';
        uint64_t bits = strtoull(line, NULL, 16);
        double d;
        memcpy(&d, &bits, sizeof d);
        char out[32];
        assert_int_equal(jcs_format_number(d, out), 0);
        assert_string_equal(out, comma + 1);
        count++;
    }
    assert_true(count >= 7);
    free(csv);
}

/* Further ECMAScript Number-to-String cases (RFC 8785 Appendix B; checked
 * against Node.js's String(Number)). */
static void test_more_numbers(void **state)
{
    (void)state;
    static const struct { uint64_t bits; const char *want; } cases[] = {
        {0x0000000000000001ULL, "5e-324"},
        {0x8000000000000001ULL, "-5e-324"},
        {0x7fefffffffffffffULL, "1.7976931348623157e+308"},
        {0xffefffffffffffffULL, "-1.7976931348623157e+308"},
        {0x4340000000000000ULL, "9007199254740992"},
        {0xc340000000000000ULL, "-9007199254740992"},
        {0x4430000000000000ULL, "295147905179352830000"},
        {0x44b52d02c7e14af5ULL, "9.999999999999997e+22"},
        {0x44b52d02c7e14af6ULL, "1e+23"},
        {0x44b52d02c7e14af7ULL, "1.0000000000000001e+23"},
        {0x444b1ae4d6e2ef4eULL, "999999999999999700000"},
        {0x444b1ae4d6e2ef4fULL, "999999999999999900000"},
        {0x3eb0c6f7a0b5ed8dULL, "0.000001"},
        {0x41b3de4355555553ULL, "333333333.3333332"},
        {0x41b3de4355555556ULL, "333333333.3333334"},
        {0xc083f29ed0000000ULL, "-638.3275451660156"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double d;
        memcpy(&d, &cases[i].bits, sizeof d);
        char out[32];
        assert_int_equal(jcs_format_number(d, out), 0);
        assert_string_equal(out, cases[i].want);
    }
}

static void test_utf16_key_order(void **state)
{
    (void)state;
    /* U+10000 (surrogates D800 DC00) sorts before U+E000 in UTF-16 order,
     * though its UTF-8 bytes sort after. */
    assert_true(jcs_compare_keys("\xf0\x90\x80\x80", "\xee\x80\x80") < 0);
    assert_true(jcs_compare_keys("a", "b") < 0);
    assert_true(jcs_compare_keys("ab", "a") > 0);
    assert_int_equal(jcs_compare_keys("\xc3\xa9", "\xc3\xa9"), 0);
    perr err;
    const char *text = "{\"\xee\x80\x80\":1,\"\xf0\x90\x80\x80\":2,\"\\u0080\":3}";
    json_t *v = jcs_parse(text, strlen(text), &err);
    assert_non_null(v);
    char *s = jcs_dumps(v, NULL, &err);
    assert_string_equal(s, "{\"\xc2\x80\":3,\"\xf0\x90\x80\x80\":2,\"\xee\x80\x80\":1}");
    free(s);
    json_decref(v);
}

static void test_rejects_duplicates_and_bad_json(void **state)
{
    (void)state;
    perr err = {0};
    assert_null(jcs_parse("{\"a\":1,\"a\":2}", 13, &err));
    assert_int_equal(err.code, PERR_INVALID);
    assert_null(jcs_parse("{\"a\":", 5, &err));
    assert_null(jcs_parse("[1e400]", 7, &err));
    assert_null(jcs_parse("[\"\\ud800\"]", 10, &err));
}

/* Found by fuzz_jcs: JCS prints doubles below 1e21 without an exponent, so
 * its output may hold integers beyond int64; they must parse back. */
static void test_big_integers_round_trip(void **state)
{
    (void)state;
    perr err;
    const char *in = "{\"v\":1,\"n\":[41500000370955161533.3,100000000000000000000]}";
    json_t *v = jcs_parse(in, strlen(in), &err);
    assert_non_null(v);
    char *c1 = jcs_dumps(v, NULL, &err);
    assert_string_equal(c1, "{\"n\":[41500000370955160000,100000000000000000000],\"v\":1}");
    json_t *v2 = jcs_parse(c1, strlen(c1), &err);
    assert_non_null(v2);
    char *c2 = jcs_dumps(v2, NULL, &err);
    assert_string_equal(c1, c2);
    free(c1);
    free(c2);
    json_decref(v);
    json_decref(v2);
}

static void test_control_escapes(void **state)
{
    (void)state;
    perr err;
    json_t *v = json_pack("[s]", "\x01\x1f\x7f\t\"\\/");
    char *s = jcs_dumps(v, NULL, &err);
    assert_string_equal(s, "[\"\\u0001\\u001f\x7f\\t\\\"\\\\/\"]");
    free(s);
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_files),
        cmocka_unit_test(test_number_vectors),
        cmocka_unit_test(test_more_numbers),
        cmocka_unit_test(test_utf16_key_order),
        cmocka_unit_test(test_rejects_duplicates_and_bad_json),
        cmocka_unit_test(test_control_escapes),
        cmocka_unit_test(test_big_integers_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
