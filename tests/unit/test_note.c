/* test_note.c — C2SP signed-note, tlog-checkpoint and key text forms against
 * ../shared/vectors/c2sp-note, plus tamper tests. */
#include "testutil.h"

#include "crypto/notekey.h"
#include "tlog/checkpoint.h"
#include "tlog/note.h"
#include "tlog/tile.h"

static void test_go_sumdb_vector(void **state)
{
    (void)state;
    json_t *v = load_vector_json("c2sp-note/go-sumdb-note.json");
    perr err;
    notekey_signer s;
    notekey_verifier k;
    assert_int_equal(notekey_parse_signer(json_string_value(json_object_get(v, "skey")), &s, &err), 0);
    assert_int_equal(notekey_parse_verifier(json_string_value(json_object_get(v, "vkey")), &k, &err), 0);
    /* The key texts round-trip exactly. */
    buf b;
    buf_init(&b);
    notekey_format_signer(&s, &b);
    assert_string_equal(b.data, json_string_value(json_object_get(v, "skey")));
    buf_reset(&b);
    notekey_format_verifier(&k, &b);
    assert_string_equal(b.data, json_string_value(json_object_get(v, "vkey")));
    /* Ed25519 is deterministic: our signature equals the vector's. */
    const char *text = json_string_value(json_object_get(v, "text"));
    buf_reset(&b);
    assert_int_equal(note_sign(text, strlen(text), &s, 1, &b, &err), 0);
    buf want;
    buf_init(&want);
    buf_puts(&want, text);
    buf_putc(&want, '\n');
    buf_puts(&want, json_string_value(json_object_get(v, "signature_line")));
    assert_string_equal(b.data, want.data);
    note_opened o;
    assert_int_equal(note_open(want.data, want.len, &k, 1, &o, &err), 0);
    assert_int_equal(o.text_len, strlen(text));
    assert_int_equal(o.verified, 1);
    buf_free(&b);
    buf_free(&want);
    json_decref(v);
}

static void test_checkpoint_vectors(void **state)
{
    (void)state;
    json_t *v = load_vector_json("c2sp-note/checkpoints.json");
    perr err;
    notekey_verifier logkey;
    assert_int_equal(notekey_parse_verifier(json_string_value(json_object_get(v, "log_vkey")), &logkey, &err), 0);
    notekey_signer logsigner;
    assert_int_equal(notekey_parse_signer(json_string_value(json_object_get(v, "log_skey")), &logsigner, &err), 0);
    assert_memory_equal(logsigner.pk, logkey.pk, 32);
    merkle_hash root;
    hex32(json_string_value(json_object_get(v, "root_hex")), root);
    json_t *c;
    size_t i;
    int valid = 0, invalid = 0;
    json_array_foreach(json_object_get(v, "cases"), i, c) {
        const char *note = json_string_value(json_object_get(c, "note"));
        checkpoint cp;
        err.msg[0] = '\0';
        int rc = checkpoint_open(note, strlen(note), &logkey, &cp, &err);
        if (json_is_true(json_object_get(c, "valid"))) {
            if (rc != 0)
                fail_msg("%s rejected: %s", json_string_value(json_object_get(c, "name")), err.msg);
            assert_int_equal(cp.size, json_integer_value(json_object_get(v, "tree_size")));
            assert_memory_equal(cp.root, root, 32);
            assert_string_equal(cp.origin, json_string_value(json_object_get(v, "log_origin")));
            valid++;
        } else {
            if (rc == 0)
                fail_msg("%s accepted", json_string_value(json_object_get(c, "name")));
            assert_true(strlen(err.msg) > 0);
            invalid++;
        }
        /* Cosignature: verify the witness's type-0x04 signature and its time. */
        json_t *cv = json_object_get(c, "cosigner_vkey");
        if (cv) {
            notekey_verifier keys[2];
            keys[0] = logkey;
            assert_int_equal(notekey_parse_verifier(json_string_value(cv), &keys[1], &err), 0);
            assert_int_equal(keys[1].type, NOTEKEY_TYPE_COSIGNATURE);
            note_opened o;
            assert_int_equal(note_open(note, strlen(note), keys, 2, &o, &err), 0);
            assert_int_equal(o.verified, 2);
            assert_int_equal(o.key_index[1], 1);
            assert_int_equal(o.cosigned_at[1], json_integer_value(json_object_get(c, "cosignature_time")));
        }
    }
    assert_true(valid >= 3 && invalid >= 5);
    /* We produce the identical checkpoint note from the same key and tree. */
    checkpoint mine = {.size = 8};
    strcpy(mine.origin, json_string_value(json_object_get(v, "log_origin")));
    memcpy(mine.root, root, 32);
    buf body, note;
    buf_init(&body);
    buf_init(&note);
    checkpoint_format(&mine, &body);
    assert_int_equal(note_sign(body.data, body.len, &logsigner, 1, &note, &err), 0);
    const char *first = json_string_value(json_object_get(json_array_get(json_object_get(v, "cases"), 0), "note"));
    assert_string_equal(note.data, first);
    buf_free(&body);
    buf_free(&note);
    json_decref(v);
}

/* Flipping any single bit anywhere in a signed checkpoint makes it fail. */
static void test_every_bit_flip_rejected(void **state)
{
    (void)state;
    perr err;
    notekey_signer s;
    notekey_verifier k;
    assert_int_equal(notekey_generate("example.com/log", &s, &err), 0);
    notekey_signer_public(&s, &k);
    checkpoint c = {.size = 12345};
    strcpy(c.origin, "example.com/log");
    randombytes_buf(c.root, 32);
    buf body, note;
    buf_init(&body);
    buf_init(&note);
    checkpoint_format(&c, &body);
    assert_int_equal(note_sign(body.data, body.len, &s, 1, &note, &err), 0);
    checkpoint out;
    assert_int_equal(checkpoint_open(note.data, note.len, &k, &out, &err), 0);
    for (size_t i = 0; i < note.len * 8; i++) {
        note.data[i / 8] ^= (char)(1 << (i % 8));
        if (checkpoint_open(note.data, note.len, &k, &out, &err) == 0)
            fail_msg("bit %zu flip accepted", i);
        note.data[i / 8] ^= (char)(1 << (i % 8));
    }
    buf_free(&body);
    buf_free(&note);
}

static void test_key_text_rejections(void **state)
{
    (void)state;
    perr err;
    notekey_verifier k;
    /* Wrong key ID for the key, bad name, bad base64, wrong type byte. */
    assert_int_not_equal(notekey_parse_verifier("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &k, &err), 0);
    assert_int_not_equal(notekey_parse_verifier("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &k, &err), 0);
    assert_int_not_equal(notekey_parse_verifier("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", &k, &err), 0);
    assert_int_not_equal(notekey_parse_verifier("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &k, &err), 0);
    assert_int_not_equal(notekey_parse_verifier("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &k, &err), 0);
    assert_int_equal(notekey_parse_verifier("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &k, &err), 0);
}

static void test_checkpoint_text_rejections(void **state)
{
    (void)state;
    checkpoint c;
    perr err;
    const char *bad[] = {
        "o\n01\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",  /* leading zero */
        "o\n-1\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",  /* sign */
        "o\n1\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQ=\n",     /* short root */
        "\n1\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",   /* empty origin */
        "o\n1\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",     /* no newline */
        "o\n99999999999999999999999\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_not_equal(checkpoint_parse(bad[i], strlen(bad[i]), &c, &err), 0);
    const char *ok = "o\n0\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\next\n";
    assert_int_equal(checkpoint_parse(ok, strlen(ok), &c, &err), 0);
}

static void test_tile_paths(void **state)
{
    (void)state;
    tile_ref t;
    assert_int_equal(tile_parse_path("0/x001/x234/067", &t), 0);
    assert_int_equal(t.level, 0);
    assert_int_equal(t.index, 1234067);
    assert_int_equal(t.width, 256);
    assert_int_equal(tile_parse_path("entries/000.p/7", &t), 0);
    assert_int_equal(t.level, TILE_LEVEL_ENTRIES);
    assert_int_equal(t.width, 7);
    buf b;
    buf_init(&b);
    t = (tile_ref){.level = 2, .index = 1234067, .width = 5};
    tile_format_path(&t, &b);
    assert_string_equal(b.data, "tile/2/x001/x234/067.p/5");
    buf_free(&b);
    const char *bad[] = {"0/1", "0/0001", "0/x000/001", "0/001.p/0", "0/001.p/256", "0/001.p/01",
                         "8/000", "0/x01/000", "0/001/", "entries/abc", "0/001.p/", "0/x001"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (tile_parse_path(bad[i], &t) == 0)
            fail_msg("accepted %s", bad[i]);
    assert_int_equal(tile_width_at(0, 0, 5), 5);
    assert_int_equal(tile_width_at(0, 1, 300), 44);
    assert_int_equal(tile_width_at(0, 2, 300), 0);
    assert_int_equal(tile_width_at(1, 0, 300), 1);
    assert_int_equal(tile_width_at(1, 0, 255), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_go_sumdb_vector),
        cmocka_unit_test(test_checkpoint_vectors),
        cmocka_unit_test(test_every_bit_flip_rejected),
        cmocka_unit_test(test_key_text_rejections),
        cmocka_unit_test(test_checkpoint_text_rejections),
        cmocka_unit_test(test_tile_paths),
    };
    return cmocka_run_group_tests(tests, init_sodium, NULL);
}
