/* test_codec.c — the public-data base64 decoder accepts exactly the strings
 * libsodium's constant-time decoder accepts, and yields the same bytes. */
#include "testutil.h"

/* Both decoders on one string: same verdict, same length, same bytes. */
static void agree(const char *in, size_t len, size_t max)
{
    uint8_t a[512], b[512];
    size_t na = 0, nb = 0;
    assert_true(max <= sizeof a);
    int ra = b64_decode(a, max, &na, in, len);
    int rb = b64_decode_public(b, max, &nb, in, len);
    if (ra != rb)
        fail_msg("verdicts differ on \"%.*s\" (max %zu): libsodium %d, public %d", (int)len, in, max, ra, rb);
    if (ra == 0) {
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, na);
    }
}

static void test_known_answers(void **state)
{
    (void)state;
    static const struct { const char *text, *bytes; } ok[] = {
        {"", ""}, {"Zg==", "f"}, {"Zm8=", "fo"}, {"Zm9v", "foo"}, {"Zm9vYg==", "foob"},
        {"Zm9vYmE=", "fooba"}, {"Zm9vYmFy", "foobar"}, {"+/+/", "\xfb\xff\xbf"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        uint8_t out[16];
        size_t n;
        assert_int_equal(b64_decode_public(out, sizeof out, &n, ok[i].text, strlen(ok[i].text)), 0);
        assert_int_equal(n, strlen(ok[i].bytes));
        assert_memory_equal(out, ok[i].bytes, n);
    }
    /* unpadded, bad padding, non-canonical trailing bits, outside the alphabet, URL-safe, whitespace */
    static const char *const bad[] = {"Zg", "Zg=", "Zg===", "Z===", "====", "Zh==", "Zm9=", "Zm-v", "Zm_v",
                                      "Zm9v\n", " Zm9v", "Zm=v", "=m9v", "Zm9vY===", "Zm\0v", "\xc3\xa9" "AA"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint8_t out[16];
        size_t n;
        size_t len = strlen(bad[i]) ? strlen(bad[i]) : 4;
        if (b64_decode_public(out, sizeof out, &n, bad[i], len) == 0)
            fail_msg("accepted \"%s\"", bad[i]);
        agree(bad[i], len, sizeof out);
    }
    uint8_t out[3];
    size_t n;
    assert_int_not_equal(b64_decode_public(out, 2, &n, "Zm9v", 4), 0); /* longer than max */
    assert_int_equal(b64_decode_public(out, 3, &n, "Zm9v", 4), 0);
}

/* Random encodings, then every single-character change of each: the two
 * decoders never disagree. */
static void test_agrees_with_libsodium(void **state)
{
    (void)state;
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n.\x80";
    for (int round = 0; round < 300; round++) {
        uint8_t raw[64];
        size_t rlen = randombytes_uniform(sizeof raw + 1);
        randombytes_buf(raw, rlen);
        char text[100];
        b64_encode(text, sizeof text, raw, rlen);
        size_t tlen = strlen(text);
        agree(text, tlen, rlen);
        if (rlen > 0)
            agree(text, tlen, rlen - 1);
        for (size_t i = 0; i < tlen; i++) {
            char saved = text[i];
            for (size_t k = 0; k < sizeof alphabet - 1; k++) {
                text[i] = alphabet[k];
                agree(text, tlen, sizeof raw);
            }
            text[i] = saved;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_agrees_with_libsodium),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
