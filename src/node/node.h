/* node.h — a Parley node directory and the running node built from it.
 *   DIR/config.json   origin, listen address, port, limits (JSON, strict)
 *   DIR/node.key      the log's signed-note signer key (mode 0600)
 *   DIR/node.vkey     its verifier key, for auditors
 *   DIR/admin.key     the administrator's signer key (mode 0600); move it off
 *                     the node: the node needs only admin_key in config.json
 *   DIR/admin.vkey    its verifier key
 *   DIR/token.key     the key of the API-token hashes (mode 0600)
 *   DIR/lock          held by the process that has the node open
 *   DIR/parley.db     the SQLite store
 * The log's origin is the node key's name, as tlog-checkpoint recommends. */
#ifndef PARLEY_NODE_H
#define PARLEY_NODE_H

#include "crypto/notekey.h"
#include "hotline/hotline.h"
#include "log/sequencer.h"
#include "store/pool.h"

#define NODE_DEFAULT_PORT 8470

typedef struct node_config {
    char origin[NOTEKEY_NAME_MAX + 1];
    char listen[64];
    int port;
    int readers;
    int max_connections;
    submit_policy policy;
    notekey_verifier admin_key;
} node_config;

typedef struct node {
    char *dir;
    node_config cfg;
    notekey_signer key;
    notekey_verifier vkey;
    store *writer;
    store_pool *readers;
    sequencer *seq;
    hotline hl;
    int lock_fd;
} node;

/* `parley init`: creates DIR with a fresh key, config and empty database. */
int node_init(const char *dir, const char *origin, int port, perr *err);
node *node_open(const char *dir, perr *err);
void node_close(node *n);
/* Path of a file inside the node directory (malloc'd). */
char *node_path(const char *dir, const char *file);
int node_load_config(const char *dir, node_config *cfg, perr *err);
/* DIR/admin.key, for offline administration (tests, the demo). */
int node_load_admin_key(const char *dir, notekey_signer *out, perr *err);

#endif
