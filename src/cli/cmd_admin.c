/* cmd_admin.c — the administrator's commands. Directory changes are
 * statements signed here with the admin key and sent to the node, which logs
 * them; the node never needs the admin's private key.
 *   parley admin participant --public FILE --name NAME [--contacts SPEC] [--status S]
 *   parley admin group --id G --name NAME --members IDS [--coordinators IDS]
 *                      [--kinds KINDS] [--deadlines kind=S,…] [--default-tlp LABEL]
 *   parley admin token --participant ID [--out FILE]
 *     (each with --server URL --admin-key FILE [--log-key VKEY]; env
 *      PARLEY_SERVER, PARLEY_ADMIN_KEY, PARLEY_LOG_KEY)
 *   parley admin rebuild DIR      replay the log into fresh derived state (offline)
 *   parley admin digest DIR       print the derived state's fingerprint (offline)
 * A contact SPEC is "name|role|hours|time zone", several joined with ';'. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "envelope/statement.h"
#include "hotline/state.h"
#include "log/receipt.h"
#include "node/node.h"
#include "util/clock.h"
#include "util/codec.h"
#include "util/fileio.h"

#define ADMIN_OPTS "server", "admin-key", "log-key"

static int load_admin_key(const cli_args *a, notekey_signer *out)
{
    const char *path = cli_opt(a, "admin-key") ? cli_opt(a, "admin-key") : getenv("PARLEY_ADMIN_KEY");
    if (path == NULL)
        return cli_fail(EXIT_USAGE, "--admin-key FILE (or PARLEY_ADMIN_KEY) is required");
    perr err = {0};
    return keyfile_load_signer(path, out, &err) == 0 ? EXIT_OK : cli_fail(EXIT_USAGE, "--admin-key: %s", err.msg);
}

/* Signs a statement, posts it, checks the receipt; *answer keeps the node's reply. */
static int post_statement(const cli_args *a, enum statement_type type, json_t *body, json_t **answer)
{
    client c;
    notekey_signer key;
    *answer = NULL;
    int rc = load_admin_key(a, &key);
    if (rc != EXIT_OK || (rc = client_open(a, 0, &c)) != EXIT_OK) {
        notekey_signer_wipe(&key);
        return rc;
    }
    perr err = {0};
    statement st;
    if (statement_build(type, body, clock_now_ms(), &key, &st, &err) != 0) {
        rc = cli_fail(EXIT_INVALID, "admin: %s", err.msg);
    } else {
        json_t *wire = statement_to_json(&st);
        statement_free(&st);
        if (client_call(&c, "POST", "/api/v1/admin/statements", wire, answer, &err) != 0)
            rc = cli_fail(EXIT_INVALID, "admin: the node refused the statement: %s", err.msg);
        json_decref(wire);
    }
    notekey_signer_wipe(&key);
    json_t *receipt = *answer ? json_object_get(*answer, "receipt") : NULL;
    if (rc == EXIT_OK && receipt == NULL)
        receipt = *answer;
    if (rc == EXIT_OK && c.has_log_key) {
        char *text = json_dumps(receipt, JSON_COMPACT);
        receipt_info info;
        if (text == NULL || receipt_verify(text, strlen(text), &c.log_key, NULL, &info, &err) != 0) {
            rc = cli_fail(EXIT_INVALID, "admin: the node's receipt does NOT verify: %s", err.msg);
        } else {
            printf("logged %s statement %s as leaf %llu; receipt verified (tree size %llu)\n",
                   statement_type_name(type), info.entry.st.id, (unsigned long long)info.leaf_index,
                   (unsigned long long)info.cp.size);
            receipt_info_free(&info);
        }
        free(text);
    } else if (rc == EXIT_OK) {
        printf("logged %s statement as leaf %lld\n", statement_type_name(type),
               (long long)json_integer_value(json_object_get(receipt, "leaf_index")));
    }
    client_close(&c);
    return rc;
}

/* "a,b,c" → ["a","b","c"] (the node enforces the limits) */
static json_t *list_json(const char *list)
{
    json_t *arr = json_array();
    char tmp[8192];
    const char *items[512];
    size_t n = 0;
    snprintf(tmp, sizeof tmp, "%s", list);
    cli_split(tmp, items, 512, &n);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(items[i]));
    return arr;
}

static json_t *contacts_json(const char *spec)
{
    json_t *arr = json_array();
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", spec);
    char *save = NULL;
    for (char *c = strtok_r(tmp, ";", &save); c; c = strtok_r(NULL, ";", &save)) {
        const char *part[4] = {"", "", "", ""};
        char *p2 = NULL;
        int i = 0;
        for (char *f = strtok_r(c, "|", &p2); f && i < 4; f = strtok_r(NULL, "|", &p2))
            part[i++] = f;
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "name", part[0], "role", part[1], "hours",
                                             part[2], "time_zone", part[3]));
    }
    return arr;
}

static int admin_participant(int argc, char **argv)
{
    static const char *const opts[] = {ADMIN_OPTS, "public", "name", "contacts", "status", NULL};
    cli_args a;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 0 || !cli_need(&a, "public") ||
        !cli_need(&a, "name"))
        return cli_fail(EXIT_USAGE, "usage: parley admin participant --public FILE --name NAME [--contacts SPEC]");
    participant_public p;
    perr err = {0};
    if (keyfile_load_public(cli_opt(&a, "public"), &p, &err) != 0)
        return cli_fail(EXIT_USAGE, "--public: %s", err.msg);
    json_t *body = keyfile_public_to_json(&p);
    json_object_set_new(body, "id", json_string(p.id));
    json_object_del(body, "participant");
    json_object_set_new(body, "name", json_string(cli_opt(&a, "name")));
    if (cli_opt(&a, "contacts"))
        json_object_set_new(body, "contacts", contacts_json(cli_opt(&a, "contacts")));
    if (cli_opt(&a, "status"))
        json_object_set_new(body, "status", json_string(cli_opt(&a, "status")));
    json_t *answer;
    int rc = post_statement(&a, STMT_PARTICIPANT, body, &answer);
    json_decref(body);
    json_decref(answer);
    return rc;
}

static int admin_group(int argc, char **argv)
{
    static const char *const opts[] = {ADMIN_OPTS, "id", "name", "members", "coordinators", "kinds",
                                       "deadlines", "default-tlp", NULL};
    cli_args a;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 0 || !cli_need(&a, "id") ||
        !cli_need(&a, "name") || !cli_need(&a, "members"))
        return cli_fail(EXIT_USAGE, "usage: parley admin group --id G --name NAME --members IDS [...]");
    json_t *body = json_pack("{s:s, s:s, s:o}", "id", cli_opt(&a, "id"), "name", cli_opt(&a, "name"), "members",
                             list_json(cli_opt(&a, "members")));
    if (cli_opt(&a, "coordinators"))
        json_object_set_new(body, "coordinators", list_json(cli_opt(&a, "coordinators")));
    if (cli_opt(&a, "kinds"))
        json_object_set_new(body, "kinds", list_json(cli_opt(&a, "kinds")));
    if (cli_opt(&a, "default-tlp"))
        json_object_set_new(body, "default_tlp", json_string(cli_opt(&a, "default-tlp")));
    if (cli_opt(&a, "deadlines")) {
        json_t *d = json_object();
        json_t *pairs = list_json(cli_opt(&a, "deadlines"));
        size_t i;
        json_t *pv;
        json_array_foreach(pairs, i, pv) {
            char kv[256];
            snprintf(kv, sizeof kv, "%s", json_string_value(pv));
            char *eq = strchr(kv, '=');
            uint64_t secs;
            if (eq == NULL || cli_u64(eq + 1, &secs) != 0) {
                json_decref(pairs);
                json_decref(d);
                json_decref(body);
                return cli_fail(EXIT_USAGE, "--deadlines: kind=SECONDS,kind=SECONDS");
            }
            *eq = '\0';
            json_object_set_new(d, kv, json_integer((json_int_t)secs));
        }
        json_decref(pairs);
        json_object_set_new(body, "deadlines", d);
    }
    json_t *answer;
    int rc = post_statement(&a, STMT_GROUP, body, &answer);
    json_decref(body);
    json_decref(answer);
    return rc;
}

static int admin_token(int argc, char **argv)
{
    static const char *const opts[] = {ADMIN_OPTS, "participant", "out", NULL};
    cli_args a;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 0 || !cli_need(&a, "participant"))
        return cli_fail(EXIT_USAGE, "usage: parley admin token --participant ID [--out FILE]");
    json_t *body = json_pack("{s:s}", "participant", cli_opt(&a, "participant"));
    json_t *answer;
    int rc = post_statement(&a, STMT_CREDENTIAL, body, &answer);
    json_decref(body);
    const char *token = json_string_value(json_object_get(answer, "token"));
    if (rc == EXIT_OK && token == NULL)
        rc = cli_fail(EXIT_INVALID, "admin token: the node returned no token");
    if (rc == EXIT_OK && cli_opt(&a, "out")) {
        perr err = {0};
        char line[CREDENTIAL_TOKEN_MAX + 2];
        snprintf(line, sizeof line, "%s\n", token);
        if (file_write_atomic(cli_opt(&a, "out"), line, strlen(line), 0600, 0, &err) != 0)
            rc = cli_fail(EXIT_INVALID, "--out: %s", err.msg);
        else
            printf("token for %s written to %s (mode 0600); it is not shown again\n", cli_opt(&a, "participant"),
                   cli_opt(&a, "out"));
        sodium_memzero(line, sizeof line);
    } else if (rc == EXIT_OK) {
        printf("%s\n", token);
    }
    json_decref(answer);
    return rc;
}

static void print_digest(const char *label, const uint8_t d[32])
{
    char hex[65];
    hex_encode(hex, d, 32);
    printf("%s %s\n", label, hex);
}

/* Offline: opens the node (taking its lock, so not while it serves). */
static int admin_offline(int argc, char **argv, int rebuild)
{
    if (argc != 1)
        return cli_fail(EXIT_USAGE, "usage: parley admin %s DIR", rebuild ? "rebuild" : "digest");
    perr err = {0};
    node *n = node_open(argv[0], &err);
    if (n == NULL)
        return cli_fail(EXIT_INVALID, "admin: %s", err.msg);
    uint8_t before[32], after[32];
    uint64_t replayed = 0;
    int rc = EXIT_OK;
    if (state_digest(n->writer, before, &err) != 0)
        rc = cli_fail(EXIT_INVALID, "admin: %s", err.msg);
    else if (!rebuild)
        print_digest("state digest", before);
    else if (state_rebuild(&n->hl.authority, n->writer, &replayed, &err) != 0 ||
             state_digest(n->writer, after, &err) != 0)
        rc = cli_fail(EXIT_INVALID, "admin rebuild: %s", err.msg);
    else {
        printf("rebuilt the derived state from %llu log entries\n", (unsigned long long)replayed);
        print_digest("state digest before", before);
        print_digest("state digest after ", after);
        if (memcmp(before, after, 32) != 0)
            rc = cli_fail(EXIT_INVALID, "admin rebuild: the live state differed from the log; it is now rebuilt");
        else
            printf("the live state equals the state rebuilt from the log\n");
    }
    node_close(n);
    return rc;
}

int cmd_admin(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "participant") == 0)
        return admin_participant(argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "group") == 0)
        return admin_group(argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "token") == 0)
        return admin_token(argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "rebuild") == 0)
        return admin_offline(argc - 1, argv + 1, 1);
    if (argc >= 1 && strcmp(argv[0], "digest") == 0)
        return admin_offline(argc - 1, argv + 1, 0);
    return cli_fail(EXIT_USAGE, "usage: parley admin participant|group|token|rebuild|digest ...");
}
