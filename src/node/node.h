/* node.h — a Parley node directory and the running node built from it.
 *   DIR/config.json   origin, listen address, port, limits (JSON, strict)
 *   DIR/node.key      the log's signed-note signer key (mode 0600)
 *   DIR/node.vkey     its verifier key, for auditors
 *   DIR/parley.db     the SQLite store
 * The log's origin is the node key's name, as tlog-checkpoint recommends. */
#ifndef PARLEY_NODE_H
#define PARLEY_NODE_H

#include "crypto/notekey.h"
#include "hotline/submit.h"
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
} node_config;

typedef struct node {
    char *dir;
    node_config cfg;
    notekey_signer key;
    notekey_verifier vkey;
    store *writer;
    store_pool *readers;
    sequencer *seq;
} node;

/* `parley init`: creates DIR with a fresh key, config and empty database. */
int node_init(const char *dir, const char *origin, int port, perr *err);
node *node_open(const char *dir, perr *err);
void node_close(node *n);
/* Path of a file inside the node directory (malloc'd). */
char *node_path(const char *dir, const char *file);
int node_load_config(const char *dir, node_config *cfg, perr *err);

#endif
