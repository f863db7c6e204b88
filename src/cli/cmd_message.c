/* cmd_message.c — the hotline workflow from a participant's desk:
 *   parley send --group G --to IDS --kind KIND [--tlp L] [--subject S] [--text S | --text-file F]
 *               [--attach F,F…] [--evidence ID,ID…] [--deadline T | --deadline-hours H]
 *               [--in-reply-to ID] [--receipt FILE]
 *   parley inbox [--box in|sent|all] [--group G] [--kind K] [--json]
 *   parley show ID [--save DIR] [--json]
 *   parley ack ID [--text S]           parley reply ID --text S [--attach …]
 *   parley close ID [--text S]         parley check --group G [--text S] [--deadline-hours H]
 *   parley report --group G [--last N] [--json]
 * plus the session options of client.h. The payload is a JSON document
 * {"subject","text","severity","evidence":[ids],"attachments":[{"name",
 * "media_type","sha256","data"}]} sealed to the recipients and the sender
 * (and, at TLP:GREEN, to every member of the group). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "crypto/seal.h"
#include "envelope/envelope.h"
#include "json/jcs.h"
#include "log/receipt.h"
#include "util/clock.h"
#include "util/codec.h"
#include "util/fileio.h"
#include "util/timefmt.h"

#define MAX_ATTACH_BYTES (512 * 1024)

typedef struct outgoing {
    const char *group;
    enum envelope_kind kind;
    const char *recipients[ENVELOPE_MAX_RECIPIENTS];
    size_t nrecipients;
    enum tlp_level tlp;
    const char *in_reply_to;
    int64_t deadline_ms;
    json_t *document;          /* the plaintext */
    const char *receipt_path;
} outgoing;

static const json_t *find_group(client *c, const char *id, perr *err)
{
    const json_t *d = client_directory(c, err);
    size_t i;
    json_t *g;
    if (d == NULL)
        return NULL;
    json_array_foreach(json_object_get(d, "groups"), i, g) {
        const char *gid = json_string_value(json_object_get(g, "id"));
        if (gid && strcmp(gid, id) == 0)
            return g;
    }
    perr_set(err, PERR_NOT_FOUND, "group %s is not in the node's directory (or you are not told of it)", id);
    return NULL;
}

static int add_reader(const char **ids, size_t *n, const char *id)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(ids[i], id) == 0)
            return 0;
    if (*n == SEAL_MAX_READERS)
        return -1;
    ids[(*n)++] = id;
    return 0;
}

/* Seals the document for its readers (or leaves it clear at TLP:CLEAR). */
static int make_payload(client *c, const outgoing *o, const char *msg_id, buf *payload, perr *err)
{
    size_t len;
    char *plain = jcs_dumps(o->document, &len, err);
    if (plain == NULL)
        return -1;
    int rc;
    if (o->tlp == TLP_CLEAR) {
        rc = seal_clear((const uint8_t *)plain, len, payload, err);
        free(plain);
        return rc;
    }
    const char *ids[SEAL_MAX_READERS];
    size_t n = 0;
    add_reader(ids, &n, c->key.id);
    for (size_t i = 0; i < o->nrecipients; i++)
        add_reader(ids, &n, o->recipients[i]);
    if (o->tlp == TLP_GREEN) {
        const json_t *g = find_group(c, o->group, err);
        size_t i;
        json_t *m;
        if (g == NULL) {
            free(plain);
            return -1;
        }
        json_array_foreach(json_object_get(g, "members"), i, m)
            if (json_string_value(m))
                add_reader(ids, &n, json_string_value(m));
    }
    participant_public *keys = calloc(n, sizeof *keys);
    seal_reader *readers = calloc(n, sizeof *readers);
    rc = keys && readers ? 0 : perr_set(err, PERR_INTERNAL, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = client_participant(c, ids[i], &keys[i], err);
        readers[i] = (seal_reader){keys[i].id, keys[i].box_pk};
    }
    if (rc == 0)
        rc = seal_payload((const uint8_t *)plain, len, msg_id, readers, n, payload, err);
    sodium_memzero(plain, len);
    free(plain);
    free(keys);
    free(readers);
    return rc;
}

static int send_outgoing(client *c, const outgoing *o, char id_out[IDENT_UUID_LEN + 1])
{
    perr err = {0};
    char id[IDENT_UUID_LEN + 1];
    int64_t now = clock_now_ms();
    ident_new_uuid(id, now);
    buf payload;
    buf_init(&payload);
    envelope e;
    json_t *receipt = NULL;
    int rc = make_payload(c, o, id, &payload, &err);
    if (rc == 0) {
        envelope_params p = {.id = id, .group = o->group, .recipients = o->recipients,
                             .nrecipients = o->nrecipients, .kind = o->kind, .in_reply_to = o->in_reply_to,
                             .created_ms = now, .deadline_ms = o->deadline_ms, .tlp = o->tlp,
                             .payload = (const uint8_t *)payload.data, .payload_len = payload.len};
        rc = envelope_build(&p, &c->key.signer, &e, &err);
    }
    buf_free(&payload);
    if (rc != 0)
        return cli_fail(EXIT_INVALID, "send: %s", err.msg);
    json_t *wire = envelope_to_json(&e);
    envelope_free(&e);
    rc = client_call(c, "POST", "/api/v1/messages", wire, &receipt, &err);
    json_decref(wire);
    if (rc != 0)
        return cli_fail(EXIT_INVALID, "send: the node refused the message: %s", err.msg);
    char *text = json_dumps(receipt, JSON_INDENT(2) | JSON_SORT_KEYS);
    const notekey_verifier *lk = client_log_key(c, &err);
    receipt_info info;
    if (lk == NULL || receipt_verify(text, strlen(text), lk, NULL, &info, &err) != 0) {
        rc = cli_fail(EXIT_INVALID, "send: the node's receipt does NOT verify: %s", err.msg);
    } else {
        printf("sent %s %s to", envelope_kind_name(o->kind), id);
        for (size_t i = 0; i < o->nrecipients; i++)
            printf("%s%s", i ? "," : " ", o->recipients[i]);
        printf(" (TLP:%s); receipt verified: leaf %llu, tree size %llu\n", tlp_name(o->tlp),
               (unsigned long long)info.leaf_index, (unsigned long long)info.cp.size);
        receipt_info_free(&info);
        if (o->receipt_path) {
            size_t len = strlen(text);
            text[len] = '\n';
            if (file_write_atomic(o->receipt_path, text, len + 1, 0644, 0, &err) != 0)
                rc = cli_fail(EXIT_INVALID, "--receipt: %s", err.msg);
            text[len] = '\0';
        }
    }
    if (id_out)
        strcpy(id_out, id);
    free(text);
    json_decref(receipt);
    return rc;
}


static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The plaintext document from --subject/--text/--text-file/--attach/--evidence. */
static int make_document(const cli_args *a, json_t **out)
{
    perr err = {0};
    json_t *d = json_object();
    *out = d;
    if (cli_opt(a, "subject"))
        json_object_set_new(d, "subject", json_string(cli_opt(a, "subject")));
    if (cli_opt(a, "severity"))
        json_object_set_new(d, "severity", json_string(cli_opt(a, "severity")));
    if (cli_opt(a, "text"))
        json_object_set_new(d, "text", json_string(cli_opt(a, "text")));
    if (cli_opt(a, "text-file")) {
        size_t len;
        char *t = file_read(cli_opt(a, "text-file"), MAX_ATTACH_BYTES, &len, &err);
        if (t == NULL)
            return cli_fail(EXIT_USAGE, "--text-file: %s", err.msg);
        json_object_set_new(d, "text", json_stringn(t, len));
        free(t);
        if (json_object_get(d, "text") == NULL)
            return cli_fail(EXIT_USAGE, "--text-file: not UTF-8 text");
    }
    char list[4096];
    const char *items[64];
    if (cli_opt(a, "evidence")) {
        snprintf(list, sizeof list, "%s", cli_opt(a, "evidence"));
        json_t *ev = json_array();
        size_t n;
        if (cli_split(list, items, 64, &n) != 0) {
            json_decref(ev);
            return cli_fail(EXIT_USAGE, "--evidence: at most 64 ids");
        }
        for (size_t i = 0; i < n; i++)
            json_array_append_new(ev, json_string(items[i]));
        json_object_set_new(d, "evidence", ev);
    }
    if (cli_opt(a, "attach")) {
        snprintf(list, sizeof list, "%s", cli_opt(a, "attach"));
        json_t *att = json_array();
        json_object_set_new(d, "attachments", att);
        size_t n;
        if (cli_split(list, items, 64, &n) != 0)
            return cli_fail(EXIT_USAGE, "--attach: at most 64 files");
        for (size_t i = 0; i < n; i++) {
            size_t len;
            char *data = file_read(items[i], MAX_ATTACH_BYTES, &len, &err);
            if (data == NULL)
                return cli_fail(EXIT_USAGE, "--attach: %s", err.msg);
            uint8_t h[32];
            char hex[65];
            crypto_hash_sha256(h, (const uint8_t *)data, len);
            hex_encode(hex, h, 32);
            buf b64;
            buf_init(&b64);
            buf_put_b64(&b64, (const uint8_t *)data, len);
            json_array_append_new(att, json_pack("{s:s, s:s, s:s, s:s}", "name", base_name(items[i]), "media_type",
                                                 "application/octet-stream", "sha256", hex, "data",
                                                 b64.data ? b64.data : ""));
            buf_free(&b64);
            free(data);
        }
    }
    return EXIT_OK;
}

static int parse_deadline(const cli_args *a, int64_t *deadline)
{
    *deadline = 0;
    if (cli_opt(a, "deadline") && timefmt_parse_ms(cli_opt(a, "deadline"), deadline) != 0)
        return cli_fail(EXIT_USAGE, "--deadline: an RFC 3339 UTC time such as 2026-12-01T12:00:00Z");
    uint64_t hours;
    if (cli_opt(a, "deadline-hours")) {
        if (cli_u64(cli_opt(a, "deadline-hours"), &hours) != 0 || hours == 0 || hours > 24 * 365)
            return cli_fail(EXIT_USAGE, "--deadline-hours: 1 to 8760");
        *deadline = clock_now_ms() + (int64_t)hours * 3600 * 1000;
    }
    return EXIT_OK;
}

static int group_default_tlp(client *c, const char *group, enum tlp_level *out)
{
    perr err = {0};
    const json_t *g = find_group(c, group, &err);
    if (g == NULL)
        return cli_fail(EXIT_INVALID, "%s", err.msg);
    const char *t = json_string_value(json_object_get(g, "default_tlp"));
    *out = TLP_AMBER;
    if (t)
        tlp_parse(t, out);
    return EXIT_OK;
}

#define DOC_OPTS "subject", "severity", "text", "text-file", "attach", "evidence"

int cmd_send(int argc, char **argv)
{
    static const char *const opts[] = {CLIENT_OPTS, DOC_OPTS, "group", "to", "kind", "tlp", "deadline",
                                       "deadline-hours", "in-reply-to", "receipt", NULL};
    cli_args a;
    client c;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 0)
        return cli_fail(EXIT_USAGE, "usage: parley send --group G --to IDS --kind KIND [--tlp L] [--text S] ...");
    const char *group, *to, *kind;
    if (!(group = cli_need(&a, "group")) || !(to = cli_need(&a, "to")) || !(kind = cli_need(&a, "kind")))
        return EXIT_USAGE;
    outgoing o = {.group = group, .in_reply_to = cli_opt(&a, "in-reply-to"), .receipt_path = cli_opt(&a, "receipt")};
    if (envelope_kind_parse(kind, &o.kind) != 0)
        return cli_fail(EXIT_USAGE, "--kind: unknown kind %s", kind);
    if (cli_opt(&a, "tlp") && tlp_parse(cli_opt(&a, "tlp"), &o.tlp) != 0)
        return cli_fail(EXIT_USAGE, "--tlp: one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED");
    char list[4096];
    snprintf(list, sizeof list, "%s", to);
    if (cli_split(list, o.recipients, ENVELOPE_MAX_RECIPIENTS, &o.nrecipients) != 0 || o.nrecipients == 0)
        return cli_fail(EXIT_USAGE, "--to: 1 to %d comma-separated participant ids", ENVELOPE_MAX_RECIPIENTS);
    int rc = parse_deadline(&a, &o.deadline_ms);
    if (rc != EXIT_OK || (rc = client_open(&a, CLIENT_NEED_TOKEN | CLIENT_NEED_KEY, &c)) != EXIT_OK)
        return rc;
    if (rc == EXIT_OK && !cli_opt(&a, "tlp"))
        rc = group_default_tlp(&c, group, &o.tlp);
    if (rc == EXIT_OK)
        rc = make_document(&a, &o.document);
    if (rc == EXIT_OK)
        rc = send_outgoing(&c, &o, NULL);
    json_decref(o.document);
    client_close(&c);
    return rc;
}

/* ---- reading ---- */

static void print_message_line(const json_t *m)
{
    const char *id = json_string_value(json_object_get(m, "id"));
    const char *deadline = json_string_value(json_object_get(m, "deadline"));
    printf("%s  %-20s %-6s -> ", id ? id : "?", json_string_value(json_object_get(m, "kind")),
           json_string_value(json_object_get(m, "sender")));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(m, "recipients"), i, r)
        printf("%s%s:%s", i ? "," : "", json_string_value(json_object_get(r, "participant")),
               json_string_value(json_object_get(r, "state")));
    printf("  TLP:%s  created %s  deadline %s\n", json_string_value(json_object_get(m, "tlp")),
           json_string_value(json_object_get(m, "created")), deadline ? deadline : "-");
}

static int print_json(const json_t *j)
{
    char *t = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    printf("%s\n", t ? t : "null");
    free(t);
    return EXIT_OK;
}

int cmd_inbox(int argc, char **argv)
{
    static const char *const opts[] = {CLIENT_OPTS, "box", "group", "kind", "after", "limit", NULL};
    static const char *const flags[] = {"json", NULL};
    cli_args a;
    client c;
    if (cli_parse(argc, argv, opts, flags, &a) != 0 || a.npos != 0)
        return cli_fail(EXIT_USAGE, "usage: parley inbox [--box in|sent|all] [--group G] [--kind K] [--json]");
    int rc = client_open(&a, CLIENT_NEED_TOKEN, &c);
    if (rc != EXIT_OK)
        return rc;
    buf q;
    buf_init(&q);
    buf_printf(&q, "/api/v1/inbox?box=%s", cli_opt(&a, "box") ? cli_opt(&a, "box") : "in");
    static const char *const passthrough[] = {"group", "kind", "after", "limit"};
    for (size_t i = 0; i < 4; i++) {
        const char *v = cli_opt(&a, passthrough[i]);
        if (v && strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != strlen(v)) {
            buf_free(&q);
            client_close(&c);
            return cli_fail(EXIT_USAGE, "--%s: letters, digits and '-' only", passthrough[i]);
        }
        if (v)
            buf_printf(&q, "&%s=%s", passthrough[i], v);
    }
    perr err = {0};
    json_t *out;
    if (client_call(&c, "GET", q.data, NULL, &out, &err) != 0) {
        rc = cli_fail(EXIT_INVALID, "inbox: %s", err.msg);
    } else if (cli_has(&a, "json")) {
        print_json(out);
    } else {
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(out, "messages"), i, m)
            print_message_line(m);
        if (json_array_size(json_object_get(out, "messages")) == 0)
            printf("(no messages)\n");
    }
    json_decref(out);
    buf_free(&q);
    client_close(&c);
    return rc;
}

/* A message fetched, checked and opened:
 *   the envelope's signature verifies with the sender's registered key;
 *   the receipt verifies against the log key and covers exactly this envelope;
 *   the payload matches the signed hash and opens with our key. */
typedef struct fetched {
    json_t *answer;       /* {"message","envelope","receipt"} */
    envelope env;
    json_t *document;     /* decrypted plaintext, NULL if not sealed to us */
    receipt_info receipt;
} fetched;

static void fetched_free(fetched *f)
{
    json_decref(f->answer);
    json_decref(f->document);
    envelope_free(&f->env);
    receipt_info_free(&f->receipt);
    memset(f, 0, sizeof *f);
}

static int fetch_message(client *c, const char *id, fetched *f, perr *err)
{
    memset(f, 0, sizeof *f);
    if (!ident_valid_uuid(id))
        return perr_set(err, PERR_INVALID, "%.40s is not a message id", id);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/messages/%s", id);
    if (client_call(c, "GET", path, NULL, &f->answer, err) != 0)
        return -1;
    if (envelope_from_json(json_object_get(f->answer, "envelope"), ENVELOPE_WITH_PAYLOAD, &f->env, err) != 0)
        return perr_wrap(err, "envelope: ");
    if (strcmp(f->env.id, id) != 0)
        return perr_set(err, PERR_SIGNATURE, "the node answered with message %s, not %s", f->env.id, id);
    participant_public sender;
    if (client_participant(c, f->env.sender, &sender, err) != 0)
        return -1;
    if (memcmp(sender.verifier.pk, f->env.sender_key.pk, NOTEKEY_PUBLIC_BYTES) != 0)
        return perr_set(err, PERR_SIGNATURE, "signed with a key that is not %s's registered key", f->env.sender);
    const notekey_verifier *lk = client_log_key(c, err);
    char *rt = json_dumps(json_object_get(f->answer, "receipt"), JSON_COMPACT);
    int rc = lk && rt ? receipt_verify(rt, strlen(rt), lk, &f->env.sender_key, &f->receipt, err) : -1;
    free(rt);
    if (rc != 0)
        return perr_wrap(err, "receipt: ");
    size_t len;
    char *leaf = envelope_leaf(&f->env, &len, err);
    merkle_hash h;
    if (leaf == NULL)
        return -1;
    merkle_leaf_hash(leaf, len, h);
    free(leaf);
    if (memcmp(h, f->receipt.leaf_hash, MERKLE_HASH_BYTES) != 0)
        return perr_set(err, PERR_SIGNATURE, "the receipt covers another entry than this envelope");
    buf plain;
    buf_init(&plain);
    perr open_err = {0};
    if (c->has_key && seal_open(f->env.payload, f->env.payload_size, id, c->key.id, c->key.box_pk, c->key.box_sk,
                                &plain, &open_err) == 0)
        f->document = jcs_parse(plain.data ? plain.data : "", plain.len, &open_err);
    else if (open_err.code != PERR_FORBIDDEN && c->has_key)
        rc = perr_set(err, open_err.code, "payload: %s", open_err.msg);
    if (plain.data)
        sodium_memzero(plain.data, plain.len);
    buf_free(&plain);
    return rc;
}

static int save_attachments(const json_t *doc, const char *dir)
{
    size_t i;
    json_t *att;
    json_array_foreach(json_object_get(doc, "attachments"), i, att) {
        const char *name = json_string_value(json_object_get(att, "name"));
        const char *data = json_string_value(json_object_get(att, "data"));
        const char *sha = json_string_value(json_object_get(att, "sha256"));
        if (name == NULL || data == NULL || strchr(name, '/') || name[0] == '.' || strlen(name) > 200)
            return cli_fail(EXIT_INVALID, "attachment %zu has an unsafe or missing name", i);
        size_t n, dl = strlen(data);
        uint8_t *bytes = malloc(dl / 4 * 3 + 1);
        uint8_t h[32];
        char hex[65], path[4096];
        if (bytes == NULL || b64_decode(bytes, dl / 4 * 3 + 1, &n, data, dl) != 0) {
            free(bytes);
            return cli_fail(EXIT_INVALID, "attachment %s is not base64", name);
        }
        crypto_hash_sha256(h, bytes, n);
        hex_encode(hex, h, 32);
        perr err = {0};
        snprintf(path, sizeof path, "%s/%s", dir, name);
        int rc = sha && strcmp(sha, hex) != 0 ? perr_set(&err, PERR_SIGNATURE, "sha256 mismatch")
                 : file_write_atomic(path, bytes, n, 0600, 0, &err);
        free(bytes);
        if (rc != 0)
            return cli_fail(EXIT_INVALID, "attachment %s: %s", name, err.msg);
        printf("saved attachment %s (%zu bytes, sha256 %s)\n", path, n, hex);
    }
    return EXIT_OK;
}

int cmd_show(int argc, char **argv)
{
    static const char *const opts[] = {CLIENT_OPTS, "save", NULL};
    static const char *const flags[] = {"json", NULL};
    cli_args a;
    client c;
    if (cli_parse(argc, argv, opts, flags, &a) != 0 || a.npos != 1)
        return cli_fail(EXIT_USAGE, "usage: parley show ID [--save DIR] [--json]");
    int rc = client_open(&a, CLIENT_NEED_TOKEN, &c);
    if (rc != EXIT_OK)
        return rc;
    fetched f;
    perr err = {0};
    if (fetch_message(&c, a.pos[0], &f, &err) != 0) {
        rc = cli_fail(EXIT_INVALID, "show: %s", err.msg);
    } else if (cli_has(&a, "json")) {
        json_t *j = json_pack("{s:O, s:O}", "message", json_object_get(f.answer, "message"), "document",
                              f.document ? f.document : json_null());
        print_json(j);
        json_decref(j);
    } else {
        const json_t *m = json_object_get(f.answer, "message");
        print_message_line(m);
        printf("signature: valid (%s, key %08x); receipt: valid, leaf %llu in checkpoint of size %llu\n",
               f.env.sender, (unsigned)f.env.sender_key.id, (unsigned long long)f.receipt.leaf_index,
               (unsigned long long)f.receipt.cp.size);
        if (f.env.in_reply_to[0])
            printf("in reply to: %s\n", f.env.in_reply_to);
        if (f.document == NULL) {
            printf("payload: not sealed to you\n");
        } else {
            const char *k;
            json_t *v;
            json_object_foreach(f.document, k, v) {
                if (json_is_string(v))
                    printf("%s: %s\n", k, json_string_value(v));
                else if (strcmp(k, "attachments") == 0)
                    printf("attachments: %zu\n", json_array_size(v));
                else {
                    char *t = json_dumps(v, JSON_COMPACT);
                    printf("%s: %s\n", k, t ? t : "");
                    free(t);
                }
            }
        }
    }
    if (rc == EXIT_OK && f.document && cli_opt(&a, "save"))
        rc = save_attachments(f.document, cli_opt(&a, "save"));
    fetched_free(&f);
    client_close(&c);
    return rc;
}

/* ack / reply / close: a message answering another, in its group and TLP. */
static int respond(int argc, char **argv, const char *cmd, int need_text)
{
    static const char *const opts[] = {CLIENT_OPTS, DOC_OPTS, "receipt", NULL};
    cli_args a;
    client c;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 1)
        return cli_fail(EXIT_USAGE, "usage: parley %s ID%s", cmd, need_text ? " --text S" : " [--text S]");
    if (need_text && !cli_opt(&a, "text") && !cli_opt(&a, "text-file"))
        return cli_fail(EXIT_USAGE, "parley %s: --text or --text-file is required", cmd);
    int rc = client_open(&a, CLIENT_NEED_TOKEN | CLIENT_NEED_KEY, &c);
    if (rc != EXIT_OK)
        return rc;
    fetched f;
    perr err = {0};
    outgoing o = {.receipt_path = cli_opt(&a, "receipt")};
    if (fetch_message(&c, a.pos[0], &f, &err) != 0) {
        rc = cli_fail(EXIT_INVALID, "%s: %s", cmd, err.msg);
        goto done;
    }
    o.group = f.env.group;
    o.tlp = f.env.tlp;
    o.in_reply_to = f.env.id;
    int i_sent = strcmp(f.env.sender, c.key.id) == 0;
    if (strcmp(cmd, "ack") == 0)
        o.kind = KIND_ACKNOWLEDGEMENT;
    else if (strcmp(cmd, "close") == 0)
        o.kind = KIND_CLOSURE;
    else
        o.kind = f.env.kind == KIND_COMM_CHECK ? KIND_COMM_CHECK_REPLY : KIND_REPLY;
    if (i_sent)
        for (size_t i = 0; i < f.env.nrecipients; i++)
            o.recipients[o.nrecipients++] = f.env.recipients[i];
    else
        o.recipients[o.nrecipients++] = f.env.sender;
    if ((rc = make_document(&a, &o.document)) == EXIT_OK) {
        if (!json_object_get(o.document, "text"))
            json_object_set_new(o.document, "text", json_string(o.kind == KIND_ACKNOWLEDGEMENT ? "Acknowledged."
                                                                : "Closed."));
        rc = send_outgoing(&c, &o, NULL);
    }
done:
    json_decref(o.document);
    fetched_free(&f);
    client_close(&c);
    return rc;
}

int cmd_ack(int argc, char **argv)
{
    return respond(argc, argv, "ack", 0);
}

int cmd_reply(int argc, char **argv)
{
    return respond(argc, argv, "reply", 1);
}

int cmd_close(int argc, char **argv)
{
    return respond(argc, argv, "close", 0);
}

int cmd_check(int argc, char **argv)
{
    static const char *const opts[] = {CLIENT_OPTS, "group", "text", "deadline", "deadline-hours", "receipt", NULL};
    cli_args a;
    client c;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 0 || !cli_need(&a, "group"))
        return cli_fail(EXIT_USAGE, "usage: parley check --group G [--text S] [--deadline-hours H]");
    outgoing o = {.group = cli_opt(&a, "group"), .kind = KIND_COMM_CHECK, .tlp = TLP_GREEN,
                  .receipt_path = cli_opt(&a, "receipt")};
    int rc = parse_deadline(&a, &o.deadline_ms);
    if (rc != EXIT_OK || (rc = client_open(&a, CLIENT_NEED_TOKEN | CLIENT_NEED_KEY, &c)) != EXIT_OK)
        return rc;
    perr err = {0};
    const json_t *g = find_group(&c, o.group, &err);
    size_t i;
    json_t *m;
    if (g == NULL) {
        rc = cli_fail(EXIT_INVALID, "check: %s", err.msg);
    } else {
        json_array_foreach(json_object_get(g, "members"), i, m)
            if (json_string_value(m) && strcmp(json_string_value(m), c.key.id) != 0 &&
                o.nrecipients < ENVELOPE_MAX_RECIPIENTS)
                o.recipients[o.nrecipients++] = json_string_value(m);
        o.document = json_pack("{s:s}", "text", cli_opt(&a, "text") ? cli_opt(&a, "text")
                                                 : "Communication check: please answer.");
        rc = o.nrecipients ? send_outgoing(&c, &o, NULL) : cli_fail(EXIT_INVALID, "check: the group has no other members");
    }
    json_decref(o.document);
    client_close(&c);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    static const char *const opts[] = {CLIENT_OPTS, "group", "last", NULL};
    static const char *const flags[] = {"json", NULL};
    cli_args a;
    client c;
    if (cli_parse(argc, argv, opts, flags, &a) != 0 || a.npos != 0 || !cli_need(&a, "group"))
        return cli_fail(EXIT_USAGE, "usage: parley report --group G [--last N] [--json]");
    const char *group = cli_opt(&a, "group");
    uint64_t last = 0;
    if (!ident_valid_group(group) || (cli_opt(&a, "last") && cli_u64(cli_opt(&a, "last"), &last) != 0))
        return cli_fail(EXIT_USAGE, "--group must be a group id and --last a number");
    int rc = client_open(&a, CLIENT_NEED_TOKEN, &c);
    if (rc != EXIT_OK)
        return rc;
    char path[256];
    snprintf(path, sizeof path, "/api/v1/groups/%s/report?last=%llu", group, (unsigned long long)last);
    json_t *r;
    perr err = {0};
    if (client_call(&c, "GET", path, NULL, &r, &err) != 0) {
        rc = cli_fail(EXIT_INVALID, "report: %s", err.msg);
    } else if (cli_has(&a, "json")) {
        print_json(r);
    } else {
        printf("communication checks in %s: %lld\n", group,
               (long long)json_integer_value(json_object_get(r, "checks_total")));
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(r, "participants"), i, p) {
            json_t *median = json_object_get(p, "median_response_seconds");
            printf("%-12s answered %lld/%lld, on time %lld, median response %s",
                   json_string_value(json_object_get(p, "participant")),
                   (long long)json_integer_value(json_object_get(p, "answered")),
                   (long long)json_integer_value(json_object_get(p, "checks")),
                   (long long)json_integer_value(json_object_get(p, "on_time")), median && json_is_real(median) ? "" : "-");
            if (median && json_is_real(median))
                printf("%.1f s", json_real_value(median));
            printf("  history:");
            size_t k;
            json_t *hh;
            json_array_foreach(json_object_get(p, "history"), k, hh)
                printf(" %s", json_string_value(hh));
            printf("\n");
            json_t *cp;
            json_array_foreach(json_object_get(p, "contact_points"), k, cp)
                printf("    contact: %s (%s), %s %s\n", json_string_value(json_object_get(cp, "name")),
                       json_string_value(json_object_get(cp, "role")),
                       json_string_value(json_object_get(cp, "hours")),
                       json_string_value(json_object_get(cp, "time_zone")));
        }
    }
    json_decref(r);
    client_close(&c);
    return rc;
}
