/* cmd_verify.c — offline verification for auditors and senders:
 *   parley verify receipt FILE --key LOG_VKEY [--sender-key VKEY]
 *   parley verify checkpoint FILE --key LOG_VKEY
 *   parley verify envelope FILE
 *   parley verify evidence FILE --key LOG_VKEY   (FILE: {"object", "receipt"} from /api/v1/evidence)
 * Exit 0 when everything checks, 1 with the reason when anything does not,
 * 2 on a usage error (missing arguments, unreadable key). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "envelope/envelope.h"
#include "json/jcs.h"
#include "log/receipt.h"
#include "util/codec.h"
#include "util/fileio.h"
#include "util/timefmt.h"

static char *read_input(const char *path, size_t max, size_t *len)
{
    perr err;
    char *text = file_read(path, max, len, &err);
    if (text == NULL)
        cli_fail(EXIT_INVALID, "%s", err.msg);
    return text;
}

/* Loads the --key verifier and reads FILE; returns EXIT_OK or an exit code. */
static int key_and_input(const char *key, const char *path, size_t max, notekey_verifier *vk,
                         char **text, size_t *len)
{
    perr err;
    if (cli_load_vkey(key, vk, &err) != 0)
        return cli_fail(EXIT_USAGE, "--key: %s", err.msg);
    *text = read_input(path, max, len);
    return *text ? EXIT_OK : EXIT_INVALID;
}

static int verify_receipt(int argc, char **argv)
{
    static const char *const opts[] = {"key", "sender-key", NULL};
    cli_args a;
    const char *key;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 1 || !(key = cli_need(&a, "key")))
        return cli_fail(EXIT_USAGE, "usage: parley verify receipt FILE --key LOG_VKEY [--sender-key VKEY]");
    perr err;
    notekey_verifier logkey, sender;
    const char *sk = cli_opt(&a, "sender-key");
    if (sk && cli_load_vkey(sk, &sender, &err) != 0)
        return cli_fail(EXIT_USAGE, "--sender-key: %s", err.msg);
    size_t len;
    char *text;
    int rc0 = key_and_input(key, a.pos[0], RECEIPT_MAX_BYTES + 1, &logkey, &text, &len);
    if (rc0 != EXIT_OK)
        return rc0;
    receipt_info info;
    int rc = receipt_verify(text, len, &logkey, sk ? &sender : NULL, &info, &err);
    free(text);
    if (rc != 0)
        return cli_fail(EXIT_INVALID, "receipt INVALID: %s", err.msg);
    buf what;
    buf_init(&what);
    receipt_describe(&info, &what);
    printf("receipt valid: %s, is leaf %llu of %s at tree size %llu\n", what.data,
           (unsigned long long)info.leaf_index, info.cp.origin, (unsigned long long)info.cp.size);
    buf_free(&what);
    receipt_info_free(&info);
    return EXIT_OK;
}

static int verify_checkpoint(int argc, char **argv)
{
    static const char *const opts[] = {"key", NULL};
    cli_args a;
    const char *key;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 1 || !(key = cli_need(&a, "key")))
        return cli_fail(EXIT_USAGE, "usage: parley verify checkpoint FILE --key LOG_VKEY");
    perr err;
    notekey_verifier logkey;
    size_t len;
    char *text;
    int rc0 = key_and_input(key, a.pos[0], NOTE_MAX_BYTES + 1, &logkey, &text, &len);
    if (rc0 != EXIT_OK)
        return rc0;
    checkpoint cp;
    int rc = checkpoint_open(text, len, &logkey, &cp, &err);
    free(text);
    if (rc != 0)
        return cli_fail(EXIT_INVALID, "checkpoint INVALID: %s", err.msg);
    printf("checkpoint valid: %s size %llu\n", cp.origin, (unsigned long long)cp.size);
    return EXIT_OK;
}

static int verify_envelope(int argc, char **argv)
{
    cli_args a;
    if (cli_parse(argc, argv, NULL, NULL, &a) != 0 || a.npos != 1)
        return cli_fail(EXIT_USAGE, "usage: parley verify envelope FILE");
    size_t len;
    char *text = read_input(a.pos[0], ENVELOPE_MAX_JSON + 1, &len);
    if (text == NULL)
        return EXIT_INVALID;
    envelope e;
    perr err;
    /* Either form: with payload (as sent) or a bare leaf (as logged). */
    int rc = envelope_parse(text, len, ENVELOPE_WITH_PAYLOAD, &e, &err);
    if (rc != 0 && strstr(err.msg, "missing member \"payload\""))
        rc = envelope_parse(text, len, ENVELOPE_LEAF_ONLY, &e, &err);
    free(text);
    if (rc != 0)
        return cli_fail(EXIT_INVALID, "envelope INVALID: %s", err.msg);
    printf("envelope valid: %s %s signed by %s+%08x\n", envelope_kind_name(e.kind), e.id, e.sender,
           (unsigned)e.sender_key.id);
    envelope_free(&e);
    return EXIT_OK;
}

/* The receipt verifies, its entry is an evidence record adding this object,
 * and the record's hash is SHA-256 of the object's canonical JSON. */
static int verify_evidence(int argc, char **argv)
{
    static const char *const opts[] = {"key", NULL};
    cli_args a;
    const char *key;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 1 || !(key = cli_need(&a, "key")))
        return cli_fail(EXIT_USAGE, "usage: parley verify evidence FILE --key LOG_VKEY");
    notekey_verifier logkey;
    size_t len;
    char *text;
    int rc0 = key_and_input(key, a.pos[0], 2 * ENVELOPE_MAX_JSON, &logkey, &text, &len);
    if (rc0 != EXIT_OK)
        return rc0;
    perr err = {0};
    json_t *j = jcs_parse(text, len, &err);
    free(text);
    json_t *object = json_object_get(j, "object");
    char *receipt = json_dumps(json_object_get(j, "receipt"), JSON_COMPACT);
    char *canon = object ? jcs_dumps(object, &len, &err) : NULL;
    receipt_info info;
    int rc = EXIT_INVALID, parsed = 0;
    if (j == NULL || object == NULL || receipt == NULL || canon == NULL) {
        cli_fail(EXIT_INVALID, "evidence INVALID: the file needs \"object\" and \"receipt\" (%s)", err.msg);
    } else if (receipt_verify(receipt, strlen(receipt), &logkey, NULL, &info, &err) != 0) {
        cli_fail(EXIT_INVALID, "evidence INVALID: receipt: %s", err.msg);
    } else {
        parsed = 1;
        uint8_t h[32];
        char hex[65];
        crypto_hash_sha256(h, (const uint8_t *)canon, len);
        hex_encode(hex, h, 32);
        const json_t *e = info.entry.evidence;
        const char *op = json_string_value(json_object_get(e, "op"));
        const char *sha = json_string_value(json_object_get(e, "sha256"));
        const char *oid = json_string_value(json_object_get(e, "object"));
        const char *given = json_string_value(json_object_get(object, "id"));
        if (info.entry.type != RECORD_EVIDENCE || op == NULL || strcmp(op, "add") != 0)
            cli_fail(EXIT_INVALID, "evidence INVALID: the receipt's entry does not add an object");
        else if (sha == NULL || strcmp(sha, hex) != 0)
            cli_fail(EXIT_INVALID, "evidence INVALID: the object's SHA-256 %s differs from the logged %s", hex,
                     sha ? sha : "-");
        else if (oid == NULL || given == NULL || strcmp(oid, given) != 0)
            cli_fail(EXIT_INVALID, "evidence INVALID: the logged object id is %s", oid ? oid : "-");
        else {
            buf what;
            buf_init(&what);
            receipt_describe(&info, &what);
            printf("evidence valid: %s, is leaf %llu of %s at tree size %llu\n", what.data,
                   (unsigned long long)info.leaf_index, info.cp.origin, (unsigned long long)info.cp.size);
            buf_free(&what);
            rc = EXIT_OK;
        }
    }
    if (parsed)
        receipt_info_free(&info);
    free(receipt);
    free(canon);
    json_decref(j);
    return rc;
}

int cmd_verify(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "evidence") == 0)
        return verify_evidence(argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "receipt") == 0)
        return verify_receipt(argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "checkpoint") == 0)
        return verify_checkpoint(argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "envelope") == 0)
        return verify_envelope(argc - 1, argv + 1);
    return cli_fail(EXIT_USAGE, "usage: parley verify receipt|checkpoint|envelope FILE ...");
}
