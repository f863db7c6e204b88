/* node.c — node directory layout, configuration and start-up. */
#include "node/node.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/jcs.h"
#include "json/jget.h"
#include "util/codec.h"
#include "util/fileio.h"

#define CONFIG_MAX_BYTES 65536

char *node_path(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, file);
    return p;
}

static int write_text(const char *dir, const char *file, const char *text, mode_t mode, perr *err)
{
    char *path = node_path(dir, file);
    int rc = path ? file_write_atomic(path, text, strlen(text), mode, 1, err)
                  : perr_set(err, PERR_INTERNAL, "out of memory");
    free(path);
    return rc;
}

int node_init(const char *dir, const char *origin, int port, perr *err)
{
    char default_origin[64];
    if (origin == NULL) {
        uint8_t r[4];
        char hex[9];
        randombytes_buf(r, sizeof r);
        hex_encode(hex, r, sizeof r);
        snprintf(default_origin, sizeof default_origin, "localhost/parley-%s", hex);
        origin = default_origin;
    }
    if (dir_create(dir, 0700, err) != 0)
        return -1;
    char *db = node_path(dir, "parley.db");
    FILE *exists = db ? fopen(db, "r") : NULL;
    if (exists) {
        fclose(exists);
        free(db);
        return perr_set(err, PERR_CONFLICT, "%s already holds a node", dir);
    }
    notekey_signer key;
    if (notekey_generate(origin, &key, err) != 0) {
        free(db);
        return perr_wrap(err, "origin: ");
    }
    notekey_verifier vk;
    notekey_signer_public(&key, &vk);
    buf skey, vkey;
    buf_init(&skey);
    buf_init(&vkey);
    notekey_format_signer(&key, &skey);
    buf_putc(&skey, '\n');
    notekey_format_verifier(&vk, &vkey);
    buf_putc(&vkey, '\n');
    notekey_signer_wipe(&key);
    json_t *cfg = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i}", "origin", origin, "listen",
                            "127.0.0.1", "port", port, "max_clock_skew_seconds", 300, "readers", 8,
                            "max_connections", 512);
    char *cfg_text = json_dumps(cfg, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(cfg);
    int rc = write_text(dir, "node.key", skey.data, 0600, err);
    if (rc == 0)
        rc = write_text(dir, "node.vkey", vkey.data, 0644, err);
    if (rc == 0)
        rc = write_text(dir, "config.json", cfg_text, 0644, err);
    sodium_memzero(skey.data, skey.len);
    buf_free(&skey);
    buf_free(&vkey);
    free(cfg_text);
    if (rc == 0) {
        store *s = store_open_sqlite(db, STORE_CREATE, err);
        if (s == NULL)
            rc = -1;
        else if (store_meta_put(s, "origin", origin, err) != 0)
            rc = -1;
        store_close(s);
        fsync_dir_of(db);
    }
    free(db);
    return rc;
}

int node_load_config(const char *dir, node_config *cfg, perr *err)
{
    static const char *const fields[] = {"origin", "listen", "port", "max_clock_skew_seconds",
                                         "readers", "max_connections", NULL};
    char *path = node_path(dir, "config.json");
    size_t len;
    char *text = path ? file_read(path, CONFIG_MAX_BYTES, &len, err) : NULL;
    free(path);
    if (text == NULL)
        return -1;
    json_t *j = jcs_parse(text, len, err);
    free(text);
    if (j == NULL)
        return perr_wrap(err, "config.json: ");
    memset(cfg, 0, sizeof *cfg);
    const char *origin, *listen;
    uint64_t port, skew, readers, maxconn;
    int rc = -1;
    if (jget_only(j, fields, err) != 0 || jget_string(j, "origin", &origin, err) != 0 ||
        jget_string(j, "listen", &listen, err) != 0 || jget_uint(j, "port", 65535, &port, err) != 0 ||
        jget_uint(j, "max_clock_skew_seconds", 86400, &skew, err) != 0 ||
        jget_uint(j, "readers", 256, &readers, err) != 0 ||
        jget_uint(j, "max_connections", 65536, &maxconn, err) != 0)
        goto done;
    if (strlen(origin) > NOTEKEY_NAME_MAX || strlen(listen) >= sizeof cfg->listen || readers == 0) {
        perr_set(err, PERR_INVALID, "origin, listen or readers out of range");
        goto done;
    }
    strcpy(cfg->origin, origin);
    strcpy(cfg->listen, listen);
    cfg->port = (int)port;
    cfg->readers = (int)readers;
    cfg->max_connections = (int)maxconn;
    cfg->policy.max_skew_ms = (int64_t)skew * 1000;
    rc = 0;
done:
    json_decref(j);
    return rc == 0 ? 0 : perr_wrap(err, "config.json: ");
}

static int load_node_key(node *n, perr *err)
{
    char *path = node_path(n->dir, "node.key");
    size_t len;
    char *text = path ? file_read(path, 4096, &len, err) : NULL;
    free(path);
    if (text == NULL)
        return -1;
    if (len > 0 && text[len - 1] == '\n')
        text[len - 1] = '\0';
    int rc = notekey_parse_signer(text, &n->key, err);
    sodium_memzero(text, len);
    free(text);
    if (rc != 0)
        return perr_wrap(err, "node.key: ");
    if (strcmp(n->key.name, n->cfg.origin) != 0)
        return perr_set(err, PERR_INVALID, "node.key is named %s but the origin is %s", n->key.name,
                        n->cfg.origin);
    notekey_signer_public(&n->key, &n->vkey);
    return 0;
}

node *node_open(const char *dir, perr *err)
{
    node *n = calloc(1, sizeof *n);
    if (n == NULL || (n->dir = strdup(dir)) == NULL) {
        free(n);
        perr_set(err, PERR_INTERNAL, "out of memory");
        return NULL;
    }
    char *db = NULL;
    if (node_load_config(dir, &n->cfg, err) != 0 || load_node_key(n, err) != 0)
        goto fail;
    db = node_path(dir, "parley.db");
    if ((n->writer = store_open_sqlite(db, 0, err)) == NULL ||
        (n->readers = store_pool_open(db, n->cfg.readers, err)) == NULL ||
        (n->seq = sequencer_start(n->writer, &n->key, err)) == NULL)
        goto fail;
    free(db);
    return n;
fail:
    free(db);
    node_close(n);
    return NULL;
}

void node_close(node *n)
{
    if (n == NULL)
        return;
    sequencer_stop(n->seq);
    store_pool_close(n->readers);
    store_close(n->writer);
    notekey_signer_wipe(&n->key);
    free(n->dir);
    free(n);
}
