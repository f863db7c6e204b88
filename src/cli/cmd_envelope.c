/* cmd_envelope.c — raw envelopes, for scripts and tests that need to build
 * one by hand (the workflow commands in cmd_message.c seal and send for you):
 *   parley envelope create --key KEYFILE --group G --to ID[,ID…] --kind KIND
 *          [--tlp LABEL] [--payload-file F | --text S] [--deadline TIME | --deadline-hours H]
 *          [--in-reply-to ID] [--out FILE]
 *   parley submit FILE [--receipt FILE] (+ client.h session options)
 * --payload-file is taken as given; --text is wrapped in seal.h's clear form
 * and makes the default TLP CLEAR, since above TLP:CLEAR the node accepts
 * only a sealed payload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "crypto/seal.h"
#include "crypto/keyfile.h"
#include "envelope/envelope.h"
#include "log/receipt.h"
#include "util/clock.h"
#include "util/fileio.h"
#include "util/timefmt.h"

#define MAKE_OPTS "key", "group", "to", "kind", "tlp", "payload-file", "text", "deadline", \
                  "deadline-hours", "in-reply-to"

/* Builds and signs an envelope from the command-line options. */
static int make_envelope(const cli_args *a, envelope *out)
{
    const char *keyfile, *group, *to, *kind;
    if (!(keyfile = cli_need(a, "key")) || !(group = cli_need(a, "group")) ||
        !(to = cli_need(a, "to")) || !(kind = cli_need(a, "kind")))
        return EXIT_USAGE;
    envelope_params p = {.group = group, .created_ms = clock_now_ms(), .tlp = TLP_AMBER};
    if (envelope_kind_parse(kind, &p.kind) != 0)
        return cli_fail(EXIT_USAGE, "--kind: unknown kind %s", kind);
    if (cli_opt(a, "tlp") && tlp_parse(cli_opt(a, "tlp"), &p.tlp) != 0)
        return cli_fail(EXIT_USAGE, "--tlp: one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED");
    char recips_buf[4096];
    const char *recips[ENVELOPE_MAX_RECIPIENTS];
    snprintf(recips_buf, sizeof recips_buf, "%s", to);
    if (cli_split(recips_buf, recips, ENVELOPE_MAX_RECIPIENTS, &p.nrecipients) != 0 || p.nrecipients == 0)
        return cli_fail(EXIT_USAGE, "--to: 1 to %d comma-separated participant ids", ENVELOPE_MAX_RECIPIENTS);
    p.recipients = recips;
    p.in_reply_to = cli_opt(a, "in-reply-to");
    if (cli_opt(a, "deadline") && timefmt_parse_ms(cli_opt(a, "deadline"), &p.deadline_ms) != 0)
        return cli_fail(EXIT_USAGE, "--deadline: an RFC 3339 UTC time such as 2026-12-01T12:00:00Z");
    uint64_t hours;
    if (cli_opt(a, "deadline-hours")) {
        if (cli_u64(cli_opt(a, "deadline-hours"), &hours) != 0 || hours == 0 || hours > 24 * 365)
            return cli_fail(EXIT_USAGE, "--deadline-hours: 1 to 8760");
        p.deadline_ms = p.created_ms + (int64_t)hours * 3600 * 1000;
    }
    perr err;
    char *payload = NULL;
    size_t plen = 0;
    if (cli_opt(a, "payload-file")) {
        payload = file_read(cli_opt(a, "payload-file"), ENVELOPE_MAX_PAYLOAD, &plen, &err);
        if (payload == NULL)
            return cli_fail(EXIT_INVALID, "--payload-file: %s", err.msg);
    } else if (cli_opt(a, "text")) {
        buf clear;
        buf_init(&clear);
        seal_clear((const uint8_t *)cli_opt(a, "text"), strlen(cli_opt(a, "text")), &clear, &err);
        payload = buf_steal(&clear, &plen);
        if (!cli_opt(a, "tlp"))
            p.tlp = TLP_CLEAR;
    }
    p.payload = (const uint8_t *)payload;
    p.payload_len = plen;
    participant_secret key;
    int rc = keyfile_load_secret(keyfile, &key, &err);
    if (rc == 0) {
        rc = envelope_build(&p, &key.signer, out, &err);
        keyfile_wipe(&key);
    }
    free(payload);
    if (rc != 0)
        return cli_fail(EXIT_INVALID, "%s", err.msg);
    return EXIT_OK;
}

static int write_json_out(const char *path, json_t *j)
{
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (text == NULL)
        return cli_fail(EXIT_INVALID, "out of memory");
    int rc = EXIT_OK;
    if (path == NULL || strcmp(path, "-") == 0) {
        printf("%s\n", text);
    } else {
        perr err;
        size_t len = strlen(text);
        text[len] = '\n';
        if (file_write_atomic(path, text, len + 1, 0644, 0, &err) != 0)
            rc = cli_fail(EXIT_INVALID, "%s", err.msg);
    }
    free(text);
    return rc;
}

static int envelope_create(int argc, char **argv)
{
    static const char *const opts[] = {MAKE_OPTS, "out", NULL};
    cli_args a;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 0)
        return cli_fail(EXIT_USAGE, "usage: parley envelope create --key KEYFILE --group G --to IDS --kind KIND ...");
    envelope e;
    int rc = make_envelope(&a, &e);
    if (rc != EXIT_OK)
        return rc;
    json_t *j = envelope_to_json(&e);
    rc = write_json_out(cli_opt(&a, "out"), j);
    json_decref(j);
    envelope_free(&e);
    return rc;
}

int cmd_envelope(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "create") == 0)
        return envelope_create(argc - 1, argv + 1);
    return cli_fail(EXIT_USAGE, "usage: parley envelope create ...");
}

/* POSTs an envelope; on 201 writes the receipt and verifies it. */
static int post_envelope(client *c, const char *body, size_t len, const cli_args *a)
{
    buf resp;
    buf_init(&resp);
    long status = 0;
    perr err;
    if (client_call_raw(c, "POST", "/api/v1/messages", body, len, &status, &resp, &err) != 0) {
        buf_free(&resp);
        return cli_fail(EXIT_INVALID, "submit: %s", err.msg);
    }
    if (status != 201) {
        int rc = cli_fail(EXIT_INVALID, "submit: the node refused the envelope (HTTP %ld): %s", status,
                          resp.data ? resp.data : "");
        buf_free(&resp);
        return rc;
    }
    int rc = EXIT_OK;
    const char *out = cli_opt(a, "receipt");
    if (out && file_write_atomic(out, resp.data, resp.len, 0644, 0, &err) != 0)
        rc = cli_fail(EXIT_INVALID, "%s", err.msg);
    const notekey_verifier *lk = rc == EXIT_OK ? client_log_key(c, &err) : NULL;
    receipt_info info;
    if (rc == EXIT_OK && lk == NULL) {
        rc = cli_fail(EXIT_INVALID, "submit: no log key: %s", err.msg);
    } else if (rc == EXIT_OK && receipt_verify(resp.data, resp.len, lk, NULL, &info, &err) != 0) {
        rc = cli_fail(EXIT_INVALID, "submit: the node's receipt does NOT verify: %s", err.msg);
    } else if (rc == EXIT_OK) {
        buf what;
        buf_init(&what);
        receipt_describe(&info, &what);
        printf("logged %s as leaf %llu; receipt verified against checkpoint of size %llu\n", what.data,
               (unsigned long long)info.leaf_index, (unsigned long long)info.cp.size);
        buf_free(&what);
        receipt_info_free(&info);
    }
    buf_free(&resp);
    return rc;
}

int cmd_submit(int argc, char **argv)
{
    static const char *const opts[] = {CLIENT_OPTS, "receipt", NULL};
    cli_args a;
    client c;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 1)
        return cli_fail(EXIT_USAGE, "usage: parley submit FILE [--receipt FILE] --server URL --token-file F");
    int rc = client_open(&a, CLIENT_NEED_TOKEN, &c);
    if (rc != EXIT_OK)
        return rc;
    perr err;
    size_t len;
    char *body = file_read(a.pos[0], ENVELOPE_MAX_JSON, &len, &err);
    rc = body ? post_envelope(&c, body, len, &a) : cli_fail(EXIT_INVALID, "%s", err.msg);
    free(body);
    client_close(&c);
    return rc;
}
