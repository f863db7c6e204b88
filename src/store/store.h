/* store.h — the storage interface. Every byte Parley keeps goes through here;
 * backends (sqlite.c; later postgres.c) implement `store_ops`.
 *
 * Invariants every backend keeps:
 *  - The log is append-only: entries [0, size) and their tree nodes never change.
 *  - store_append_batch is atomic and durable: when it returns 0 every entry,
 *    node and the checkpoint of the batch are on disk (fsync'd); when it fails
 *    nothing of the batch is visible.
 *  - A message id is logged at most once (replays are refused per entry,
 *    without failing the rest of the batch).
 * A store handle is used by one thread at a time. */
#ifndef PARLEY_STORE_H
#define PARLEY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/keyfile.h"
#include "tlog/merkle.h"
#include "util/buf.h"
#include "util/err.h"

typedef struct store store;

/* One leaf to append. */
typedef struct store_entry {
    const char *leaf;
    size_t leaf_len;
    const char *msg_id;       /* NULL if the leaf is not a message */
    const char *sender;
    const uint8_t *payload;   /* stored beside the log, addressed by its hash */
    size_t payload_len;
    const uint8_t *payload_hash;
    int64_t logged_at_ms;
    /* filled by the store: */
    int duplicate;            /* msg_id was already logged; not appended */
    uint64_t index;
} store_entry;

/* Called for each leaf the store appends, in order, with its leaf hash; it
 * reports the tree nodes the leaf completes through store_batch_put_node. */
typedef struct store_batch {
    void (*put_node)(struct store_batch *b, unsigned level, uint64_t index, const merkle_hash h);
} store_batch;
typedef void (*store_leaf_fn)(void *ctx, store_batch *b, uint64_t index, const merkle_hash leaf_hash);
void store_batch_put_node(store_batch *b, unsigned level, uint64_t index, const merkle_hash h);
/* Called once the leaves are in: returns the signed checkpoint note (malloc'd)
 * for the new size, or NULL to abort the batch. */
typedef char *(*store_checkpoint_fn)(void *ctx, uint64_t new_size, perr *err);

typedef struct store_participant {
    participant_public keys;
    char name[128];
    int64_t created_ms;
} store_participant;

struct store_ops {
    void (*close)(store *s);
    int (*log_size)(store *s, uint64_t *size, perr *err);
    int (*node)(store *s, unsigned level, uint64_t index, merkle_hash out);
    /* count consecutive nodes of one level starting at first. */
    int (*nodes)(store *s, unsigned level, uint64_t first, unsigned count, merkle_hash *out, perr *err);
    /* Appends count leaves as an entry bundle (uint16 big-endian length + bytes). */
    int (*entry_bundle)(store *s, uint64_t first, unsigned count, buf *out, perr *err);
    int (*entry)(store *s, uint64_t index, buf *leaf, perr *err);
    int (*payload)(store *s, const uint8_t hash[32], buf *out, perr *err);
    int (*append_batch)(store *s, store_entry *entries, size_t n, store_leaf_fn on_leaf,
                        store_checkpoint_fn on_checkpoint, void *ctx, char **checkpoint,
                        perr *err);
    /* The newest checkpoint, or the one for exactly `size` when size != UINT64_MAX. */
    int (*checkpoint)(store *s, uint64_t size, buf *note, perr *err);
    int (*meta_get)(store *s, const char *key, buf *value, perr *err);
    int (*meta_put)(store *s, const char *key, const char *value, perr *err);
    int (*participant_put)(store *s, const store_participant *p, perr *err);
    int (*participant_get)(store *s, const char *id, store_participant *out, perr *err);
};

struct store {
    const struct store_ops *ops;
};

enum { STORE_READ_WRITE = 0, STORE_READ_ONLY = 1, STORE_CREATE = 2 };

/* Opens the SQLite backend at path. */
store *store_open_sqlite(const char *path, int flags, perr *err);

/* Thin wrappers, so callers never touch ops directly. */
void store_close(store *s);
int store_log_size(store *s, uint64_t *size, perr *err);
int store_node(store *s, unsigned level, uint64_t index, merkle_hash out);
int store_nodes(store *s, unsigned level, uint64_t first, unsigned count, merkle_hash *out, perr *err);
int store_entry_bundle(store *s, uint64_t first, unsigned count, buf *out, perr *err);
int store_entry_leaf(store *s, uint64_t index, buf *leaf, perr *err);
int store_payload(store *s, const uint8_t hash[32], buf *out, perr *err);
int store_append_batch(store *s, store_entry *entries, size_t n, store_leaf_fn on_leaf,
                       store_checkpoint_fn on_checkpoint, void *ctx, char **checkpoint, perr *err);
int store_checkpoint(store *s, uint64_t size, buf *note, perr *err);
int store_meta_get(store *s, const char *key, buf *value, perr *err);
int store_meta_put(store *s, const char *key, const char *value, perr *err);
int store_participant_put(store *s, const store_participant *p, perr *err);
int store_participant_get(store *s, const char *id, store_participant *out, perr *err);
/* A merkle_source reading nodes from the store. */
merkle_source store_merkle_source(store *s);

#endif
