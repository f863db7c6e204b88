/* node.c — node directory layout, configuration and start-up. */
#include "node/node.h"

#include <fcntl.h>
#include <malloc.h>
#include <sodium.h>
#include <sys/file.h>
#include <unistd.h>
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

/* Writes NAME.key (mode 0600) and NAME.vkey for a fresh signed-note key. */
static int write_key_pair(const char *dir, const char *base, const char *key_name, notekey_verifier *vk, perr *err)
{
    notekey_signer key;
    if (notekey_generate(key_name, &key, err) != 0)
        return perr_wrap(err, "key name %s: ", key_name);
    notekey_signer_public(&key, vk);
    buf skey, vkey;
    buf_init(&skey);
    buf_init(&vkey);
    notekey_format_signer(&key, &skey);
    buf_putc(&skey, '\n');
    notekey_format_verifier(vk, &vkey);
    buf_putc(&vkey, '\n');
    notekey_signer_wipe(&key);
    char file[64];
    snprintf(file, sizeof file, "%s.key", base);
    int rc = write_text(dir, file, skey.data, 0600, err);
    snprintf(file, sizeof file, "%s.vkey", base);
    if (rc == 0)
        rc = write_text(dir, file, vkey.data, 0644, err);
    sodium_memzero(skey.data, skey.len);
    buf_free(&skey);
    buf_free(&vkey);
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
    if (strlen(origin) > NOTEKEY_NAME_MAX - 6)
        return perr_set(err, PERR_INVALID, "origin is longer than %d characters", NOTEKEY_NAME_MAX - 6);
    if (dir_create(dir, 0700, err) != 0)
        return -1;
    char *db = node_path(dir, "parley.db");
    FILE *exists = db ? fopen(db, "r") : NULL;
    if (exists) {
        fclose(exists);
        free(db);
        return perr_set(err, PERR_CONFLICT, "%s already holds a node", dir);
    }
    char admin_name[NOTEKEY_NAME_MAX + 1];
    snprintf(admin_name, sizeof admin_name, "%s/admin", origin);
    notekey_verifier log_vk, admin_vk;
    uint8_t token_key[CREDENTIAL_KEY_BYTES];
    char token_hex[2 * CREDENTIAL_KEY_BYTES + 2];
    randombytes_buf(token_key, sizeof token_key);
    hex_encode(token_hex, token_key, sizeof token_key);
    strcat(token_hex, "\n");
    sodium_memzero(token_key, sizeof token_key);
    int rc = write_key_pair(dir, "node", origin, &log_vk, err);
    if (rc == 0)
        rc = write_key_pair(dir, "admin", admin_name, &admin_vk, err);
    if (rc == 0)
        rc = write_text(dir, "token.key", token_hex, 0600, err);
    sodium_memzero(token_hex, sizeof token_hex);
    buf admin_text;
    buf_init(&admin_text);
    notekey_format_verifier(&admin_vk, &admin_text);
    json_t *cfg = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:s}", "origin", origin, "listen",
                            "127.0.0.1", "port", port, "max_clock_skew_seconds", 300, "readers", 8,
                            "max_connections", 512, "admin_key", admin_text.data ? admin_text.data : "");
    buf_free(&admin_text);
    char *cfg_text = json_dumps(cfg, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(cfg);
    if (rc == 0)
        rc = write_text(dir, "config.json", cfg_text, 0644, err);
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
                                         "readers", "max_connections", "admin_key", NULL};
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
    const char *origin, *listen, *admin;
    uint64_t port, skew, readers, maxconn;
    int rc = -1;
    if (jget_only(j, fields, err) != 0 || jget_string(j, "origin", &origin, err) != 0 ||
        jget_string(j, "listen", &listen, err) != 0 || jget_uint(j, "port", 65535, &port, err) != 0 ||
        jget_uint(j, "max_clock_skew_seconds", 86400, &skew, err) != 0 ||
        jget_uint(j, "readers", 256, &readers, err) != 0 ||
        jget_uint(j, "max_connections", 65536, &maxconn, err) != 0 ||
        jget_string(j, "admin_key", &admin, err) != 0)
        goto done;
    if (notekey_parse_verifier(admin, &cfg->admin_key, err) != 0) {
        perr_wrap(err, "admin_key: ");
        goto done;
    }
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

static int load_signer(const char *dir, const char *file, notekey_signer *out, perr *err)
{
    char *path = node_path(dir, file);
    int rc = path ? keyfile_load_signer(path, out, err) : perr_set(err, PERR_INTERNAL, "out of memory");
    free(path);
    return rc;
}

static int load_node_key(node *n, perr *err)
{
    if (load_signer(n->dir, "node.key", &n->key, err) != 0)
        return -1;
    if (strcmp(n->key.name, n->cfg.origin) != 0)
        return perr_set(err, PERR_INVALID, "node.key is named %s but the origin is %s", n->key.name,
                        n->cfg.origin);
    notekey_signer_public(&n->key, &n->vkey);
    return 0;
}

static int load_token_key(node *n, perr *err)
{
    char *path = node_path(n->dir, "token.key");
    size_t len;
    char *text = path ? file_read_line(path, 256, &len, err) : NULL;
    free(path);
    if (text == NULL)
        return -1;
    int rc = hex_decode(n->hl.token_key, CREDENTIAL_KEY_BYTES, text);
    sodium_memzero(text, len);
    free(text);
    return rc == 0 ? 0 : perr_set(err, PERR_INVALID, "token.key must hold 64 lowercase hex digits");
}

/* One process per node directory: a second `serve` (or an offline command
 * while serving) would append behind the sequencer's back. */
static int lock_dir(node *n, perr *err)
{
    char *path = node_path(n->dir, "lock");
    n->lock_fd = path ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
    free(path);
    if (n->lock_fd < 0)
        return perr_set(err, PERR_IO, "%s/lock: cannot open", n->dir);
    if (flock(n->lock_fd, LOCK_EX | LOCK_NB) != 0)
        return perr_set(err, PERR_UNAVAILABLE, "node %s is in use by another process", n->dir);
    return 0;
}

int node_load_admin_key(const char *dir, notekey_signer *out, perr *err)
{
    return load_signer(dir, "admin.key", out, err);
}

/* Dozens of request threads each get a malloc arena; by default glibc gives
 * freed memory back to the kernel as soon as an arena's top is free, and every
 * such munmap/madvise interrupts the other core to flush its TLB. A serving
 * node keeps what it has used instead (the thresholds also stop glibc's
 * dynamic adjustment). Measured with bench_append: library appends +15-30%. */
static void tune_malloc(void)
{
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

node *node_open(const char *dir, perr *err)
{
    tune_malloc();
    node *n = calloc(1, sizeof *n);
    if (n == NULL || (n->dir = strdup(dir)) == NULL) {
        free(n);
        perr_set(err, PERR_INTERNAL, "out of memory");
        return NULL;
    }
    char *db = NULL;
    n->lock_fd = -1;
    pthread_mutex_init(&n->hl.admin_mu, NULL);
    if (lock_dir(n, err) != 0 || node_load_config(dir, &n->cfg, err) != 0 || load_node_key(n, err) != 0 ||
        load_token_key(n, err) != 0)
        goto fail;
    n->hl.policy = n->cfg.policy;
    n->hl.authority.admin = n->cfg.admin_key;
    n->hl.authority.node = n->vkey;
    n->hl.node_key = &n->key;
    db = node_path(dir, "parley.db");
    if ((n->writer = store_open_sqlite(db, 0, err)) == NULL ||
        (n->hl.admin_writer = store_open_sqlite(db, 0, err)) == NULL ||
        (n->readers = store_pool_open(db, n->cfg.readers, err)) == NULL ||
        (n->seq = sequencer_start(n->writer, &n->key, state_apply_entry, &n->hl.authority, err)) == NULL)
        goto fail;
    n->hl.seq = n->seq;
    n->hl.readers = n->readers;
    if ((n->hl.dir = dircache_new()) == NULL) {
        perr_set(err, PERR_INTERNAL, "out of memory");
        goto fail;
    }
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
    if (n->hl.admin_writer)
        store_close(n->hl.admin_writer);
    pthread_mutex_destroy(&n->hl.admin_mu);
    dircache_free(n->hl.dir);
    sodium_memzero(n->hl.token_key, sizeof n->hl.token_key);
    notekey_signer_wipe(&n->key);
    if (n->lock_fd >= 0)
        close(n->lock_fd);
    free(n->dir);
    free(n);
}
