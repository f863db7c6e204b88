/* client.c — the participant session (see client.h). */
#include "cli/client.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cli/httpc.h"
#include "json/jcs.h"
#include "util/fileio.h"

static const char *opt_or_env(const cli_args *a, const char *opt, const char *env)
{
    const char *v = cli_opt(a, opt);
    return v ? v : getenv(env);
}

int client_open(const cli_args *a, int need, client *c)
{
    memset(c, 0, sizeof *c);
    perr err = {0};
    const char *server = opt_or_env(a, "server", "PARLEY_SERVER");
    const char *token_file = opt_or_env(a, "token-file", "PARLEY_TOKEN_FILE");
    const char *key = opt_or_env(a, "key", "PARLEY_KEY");
    const char *log_key = opt_or_env(a, "log-key", "PARLEY_LOG_KEY");
    if (server == NULL)
        return cli_fail(EXIT_USAGE, "--server URL (or PARLEY_SERVER) is required");
    size_t sl = strlen(server);
    while (sl > 0 && server[sl - 1] == '/')
        sl--;
    if (sl >= sizeof c->server)
        return cli_fail(EXIT_USAGE, "--server: URL too long");
    memcpy(c->server, server, sl);
    if ((need & CLIENT_NEED_TOKEN) && token_file == NULL)
        return cli_fail(EXIT_USAGE, "--token-file FILE (or PARLEY_TOKEN_FILE) is required");
    if (token_file) {
        size_t len;
        char *t = file_read_line(token_file, 256, &len, &err);
        if (t == NULL)
            return cli_fail(EXIT_USAGE, "--token-file: %s", err.msg);
        c->token = malloc(len + 8);
        if (c->token)
            snprintf(c->token, len + 8, "Bearer %s", t);
        sodium_memzero(t, len);
        free(t);
    }
    if ((need & CLIENT_NEED_KEY) && key == NULL) {
        client_close(c);
        return cli_fail(EXIT_USAGE, "--key FILE (or PARLEY_KEY) is required");
    }
    if (key) {
        if (keyfile_load_secret(key, &c->key, &err) != 0) {
            client_close(c);
            return cli_fail(EXIT_USAGE, "--key: %s", err.msg);
        }
        c->has_key = 1;
    }
    if (log_key) {
        if (cli_load_vkey(log_key, &c->log_key, &err) != 0) {
            client_close(c);
            return cli_fail(EXIT_USAGE, "--log-key: %s", err.msg);
        }
        c->has_log_key = 1;
    }
    return EXIT_OK;
}

void client_close(client *c)
{
    if (c->token) {
        sodium_memzero(c->token, strlen(c->token));
        free(c->token);
    }
    keyfile_wipe(&c->key);
    json_decref(c->directory);
    memset(c, 0, sizeof *c);
}

int client_call_raw(client *c, const char *method, const char *path, const char *body, size_t len,
                    long *status, buf *resp, perr *err)
{
    char url[2048];
    snprintf(url, sizeof url, "%s%s", c->server, path);
    return httpc_request(method, url, body ? "application/json" : NULL, c->token, body, len, status, resp, err);
}

int client_call(client *c, const char *method, const char *path, json_t *body, json_t **out, perr *err)
{
    *out = NULL;
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    buf resp;
    buf_init(&resp);
    long status = 0;
    int rc = client_call_raw(c, method, path, text, text ? strlen(text) : 0, &status, &resp, err);
    free(text);
    if (rc == 0) {
        json_t *j = jcs_parse(resp.data ? resp.data : "", resp.len, err);
        if (status / 100 != 2) {
            const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
            rc = perr_set(err, status == 401 ? PERR_UNAUTHENTICATED : status == 403 ? PERR_FORBIDDEN
                               : status == 404 ? PERR_NOT_FOUND : status == 409 ? PERR_CONFLICT : PERR_INVALID,
                          "HTTP %ld: %s", status, msg ? msg : "(no error message)");
            json_decref(j);
        } else if (j == NULL) {
            rc = perr_wrap(err, "the node's answer: ");
        } else {
            *out = j;
        }
    }
    buf_free(&resp);
    return rc;
}

const json_t *client_directory(client *c, perr *err)
{
    if (c->directory == NULL && client_call(c, "GET", "/api/v1/directory", NULL, &c->directory, err) != 0)
        return NULL;
    return c->directory;
}

const notekey_verifier *client_log_key(client *c, perr *err)
{
    if (c->has_log_key)
        return &c->log_key;
    const json_t *d = client_directory(c, err);
    const char *k = d ? json_string_value(json_object_get(d, "log_key")) : NULL;
    if (k == NULL)
        return d ? (perr_set(err, PERR_INVALID, "the directory names no log key"), NULL) : NULL;
    if (notekey_parse_verifier(k, &c->log_key, err) != 0)
        return NULL;
    c->has_log_key = 1;
    return &c->log_key;
}

int client_participant(client *c, const char *id, participant_public *out, perr *err)
{
    const json_t *d = client_directory(c, err);
    if (d == NULL)
        return -1;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(d, "participants"), i, p) {
        if (strcmp(json_string_value(json_object_get(p, "id")) ? json_string_value(json_object_get(p, "id")) : "",
                   id) != 0)
            continue;
        json_t *keys = json_pack("{s:s, s:O, s:O}", "participant", id, "verifier", json_object_get(p, "verifier"),
                                 "box_public", json_object_get(p, "box_public"));
        int rc = keys ? keyfile_public_from_json(keys, out, err) : perr_set(err, PERR_INTERNAL, "out of memory");
        json_decref(keys);
        return rc;
    }
    return perr_set(err, PERR_NOT_FOUND, "participant %s is not in the node's directory", id);
}
