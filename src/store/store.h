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
#include "envelope/envelope.h"
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
    const uint8_t *payload;   /* stored with the entry, checked against its hash */
    size_t payload_len;
    const uint8_t *payload_hash;
    int64_t logged_at_ms;
    const void *source;       /* the parsed record, for the sequencer's apply hook */
    merkle_hash leaf_hash;    /* RFC 9162 hash of leaf, computed by the submitter off the writer's thread */
    /* filled by the store: */
    int duplicate;            /* msg_id was already logged; not appended */
    uint64_t index;
} store_entry;

/* Called for each leaf the store appends, in order, inside the batch's
 * transaction, with the entry's leaf_hash as the caller filled it in; it reports the tree nodes the leaf
 * completes through store_batch_put_node and may write derived state through
 * the same store handle. Returning -1 aborts the whole batch. */
typedef struct store_batch {
    void (*put_node)(struct store_batch *b, unsigned level, uint64_t index, const merkle_hash h);
} store_batch;
typedef int (*store_leaf_fn)(void *ctx, store_batch *b, const store_entry *e, const merkle_hash leaf_hash,
                             perr *err);
void store_batch_put_node(store_batch *b, unsigned level, uint64_t index, const merkle_hash h);
/* Called once the leaves are in: returns the signed checkpoint note (malloc'd)
 * for the new size, or NULL to abort the batch. */
typedef char *(*store_checkpoint_fn)(void *ctx, uint64_t new_size, perr *err);

/* ---- Derived state: the directory and message states, rebuilt from the
 * log by replaying it (store_state_clear, then every leaf in order). ---- */
#define STORE_NAME_MAX 128
#define STORE_DOC_MAX 16384

typedef struct store_participant {
    participant_public keys;
    char name[STORE_NAME_MAX];
    char status[16];                 /* "active" or "suspended" */
    char contacts[STORE_DOC_MAX];    /* JSON array text of contact points */
    int64_t created_ms;              /* first registration (log time) */
    int64_t updated_ms;
} store_participant;

typedef struct store_message {
    char id[IDENT_UUID_LEN + 1];
    uint64_t index;
    char group[IDENT_GROUP_MAX + 1];
    char sender[IDENT_PARTICIPANT_MAX + 1];
    enum envelope_kind kind;
    char in_reply_to[IDENT_UUID_LEN + 1];
    int64_t created_ms, deadline_ms, logged_ms; /* deadline: effective, 0 if none */
    enum tlp_level tlp;
    uint8_t payload_hash[32];
    uint64_t payload_size;
} store_message;

/* One recipient's progress on one message; a time of 0 means "not yet". */
typedef struct store_recipient {
    char participant[IDENT_PARTICIPANT_MAX + 1];
    int64_t delivered_ms, acked_ms, answered_ms, closed_ms;
    char ack_id[IDENT_UUID_LEN + 1], answer_id[IDENT_UUID_LEN + 1];
} store_recipient;

enum store_mark { MARK_DELIVERED, MARK_ACKED, MARK_ANSWERED, MARK_CLOSED };

/* One version of a STIX object in a TAXII collection (derived from an evidence leaf). */
typedef struct store_object {
    const char *collection, *id, *type, *version, *spec_version, *added_by;
    int64_t version_us, added_us;
    int tlp;               /* enum tlp_level, already resolved (collection default applied) */
    const char *readers;   /* ",US,RU," — who may read a TLP:RED object besides its poster */
    uint8_t hash[32];      /* SHA-256 of JCS(object): the payload holding it */
    uint64_t index;        /* its leaf */
} store_object;

enum store_version_mode { VERSIONS_LAST, VERSIONS_FIRST, VERSIONS_ALL, VERSIONS_AT };
#define STORE_MATCH_MAX 32
typedef struct store_object_query {
    const char *collection;
    const char *viewer;                        /* TLP:RED objects: only their poster and readers */
    int clear_only;                            /* a non-member: TLP:CLEAR objects only */
    const char *ids[STORE_MATCH_MAX];
    size_t nids;
    const char *types[STORE_MATCH_MAX];
    size_t ntypes;
    enum store_version_mode versions;
    int64_t at_us[STORE_MATCH_MAX];            /* VERSIONS_AT */
    size_t nat;
    int64_t added_after_us;                    /* 0: no filter */
    uint64_t after_seq;                        /* pagination cursor */
    size_t limit;
    int want_json;                             /* join the stored object text */
} store_objquery;

typedef struct store_object_row {
    uint64_t seq;
    uint64_t index;                            /* the evidence leaf */
    const char *id, *type, *version, *spec_version, *added_by;
    int64_t version_us, added_us;
    const char *json;                          /* NULL unless want_json */
    size_t json_len;
} store_object_row;
typedef int (*store_object_fn)(void *ctx, const store_object_row *row);

enum store_role { ROLE_RECIPIENT, ROLE_SENDER, ROLE_EITHER, ROLE_ANY };
typedef struct store_query {
    const char *participant;  /* with role; NULL for ROLE_ANY */
    enum store_role role;
    const char *group;        /* NULL: every group */
    int kind;                 /* -1: every kind */
    uint64_t after_index;     /* cursor: messages logged after this leaf (0 = from start) */
    int has_after;
    size_t limit;
} store_query;

struct store_ops {
    void (*close)(store *s);
    int (*log_size)(store *s, uint64_t *size, perr *err);
    int (*node)(store *s, unsigned level, uint64_t index, merkle_hash out);
    /* count consecutive nodes of one level starting at first. */
    int (*nodes)(store *s, unsigned level, uint64_t first, unsigned count, merkle_hash *out, perr *err);
    /* Appends count leaves as an entry bundle (uint16 big-endian length + bytes). */
    int (*entry_bundle)(store *s, uint64_t first, unsigned count, buf *out, perr *err);
    int (*entry)(store *s, uint64_t index, buf *leaf, perr *err);
    int (*payload)(store *s, uint64_t index, const uint8_t hash[32], buf *out, perr *err);
    int (*append_batch)(store *s, store_entry *entries, size_t n, store_leaf_fn on_leaf,
                        store_checkpoint_fn on_checkpoint, void *ctx, char **checkpoint,
                        perr *err);
    /* The newest checkpoint, or the one for exactly `size` when size != UINT64_MAX. */
    int (*checkpoint)(store *s, uint64_t size, buf *note, perr *err);
    int (*meta_get)(store *s, const char *key, buf *value, perr *err);
    int (*meta_put)(store *s, const char *key, const char *value, perr *err);
    int (*participant_put)(store *s, const store_participant *p, perr *err);
    int (*participant_get)(store *s, const char *id, store_participant *out, perr *err);
    /* JSON array text of every participant row (id, name, verifier, box_public, contacts, status). */
    int (*participant_list)(store *s, buf *out, perr *err);
    int (*group_put)(store *s, const char *id, const char *doc, const char *const *members, size_t n, perr *err);
    int (*group_get)(store *s, const char *id, buf *doc, perr *err);
    int (*group_list)(store *s, buf *out, perr *err); /* JSON array of docs */
    int (*member_of)(store *s, const char *group, const char *participant, int *yes, perr *err);
    int (*message_put)(store *s, const store_message *m, const char *const *recipients, size_t n, perr *err);
    int (*message_get)(store *s, const char *id, store_message *out, perr *err);
    int (*recipients_get)(store *s, const char *msg_id, store_recipient *out, size_t max, size_t *n, perr *err);
    /* Records the first time a step happened; later marks of the same step are ignored. */
    int (*recipient_mark)(store *s, const char *msg_id, const char *participant, enum store_mark m,
                          int64_t at_ms, const char *ref_id, perr *err);
    int (*message_list)(store *s, const store_query *q, store_message *out, size_t *n, perr *err);
    int (*state_clear)(store *s, perr *err);
    /* API credentials are secrets, not log facts: kept outside the derived state. */
    int (*credential_put)(store *s, const char *participant, const uint8_t hash[32], perr *err);
    int (*credential_get)(store *s, const char *participant, uint8_t hash[32], perr *err);
    int (*object_put)(store *s, const store_object *o, perr *err);
    /* Removes one version (version_us != 0) or every version of an object. */
    int (*object_delete)(store *s, const char *collection, const char *id, int64_t version_us, perr *err);
    /* Calls fn for up to q->limit rows in cursor order; *more says whether more follow. */
    int (*object_query)(store *s, const store_objquery *q, store_object_fn fn, void *ctx, int *more, perr *err);
    int (*taxii_status_put)(store *s, const char *id, const char *doc, perr *err);
    int (*taxii_status_get)(store *s, const char *id, buf *doc, perr *err);
    /* Runs fn inside one write transaction (BEGIN IMMEDIATE … COMMIT). */
    int (*transaction)(store *s, int (*fn)(void *ctx, store *s, perr *err), void *ctx, perr *err);
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
/* The payload of entry index, if its hash is hash; PERR_NOT_FOUND otherwise. */
int store_payload(store *s, uint64_t index, const uint8_t hash[32], buf *out, perr *err);
int store_append_batch(store *s, store_entry *entries, size_t n, store_leaf_fn on_leaf,
                       store_checkpoint_fn on_checkpoint, void *ctx, char **checkpoint, perr *err);
int store_checkpoint(store *s, uint64_t size, buf *note, perr *err);
int store_meta_get(store *s, const char *key, buf *value, perr *err);
int store_meta_put(store *s, const char *key, const char *value, perr *err);
int store_participant_put(store *s, const store_participant *p, perr *err);
int store_participant_get(store *s, const char *id, store_participant *out, perr *err);
int store_participant_list(store *s, buf *out, perr *err);
int store_group_put(store *s, const char *id, const char *doc, const char *const *members, size_t n, perr *err);
int store_group_get(store *s, const char *id, buf *doc, perr *err);
int store_group_list(store *s, buf *out, perr *err);
int store_member_of(store *s, const char *group, const char *participant, int *yes, perr *err);
int store_message_put(store *s, const store_message *m, const char *const *recipients, size_t n, perr *err);
int store_message_get(store *s, const char *id, store_message *out, perr *err);
int store_recipients_get(store *s, const char *msg_id, store_recipient *out, size_t max, size_t *n, perr *err);
int store_recipient_mark(store *s, const char *msg_id, const char *participant, enum store_mark m,
                         int64_t at_ms, const char *ref_id, perr *err);
/* out holds q->limit rows. */
int store_message_list(store *s, const store_query *q, store_message *out, size_t *n, perr *err);
int store_state_clear(store *s, perr *err);
int store_credential_put(store *s, const char *participant, const uint8_t hash[32], perr *err);
int store_credential_get(store *s, const char *participant, uint8_t hash[32], perr *err);
int store_transaction(store *s, int (*fn)(void *ctx, store *s, perr *err), void *ctx, perr *err);
int store_object_put(store *s, const store_object *o, perr *err);
int store_object_delete(store *s, const char *collection, const char *id, int64_t version_us, perr *err);
int store_object_query(store *s, const store_objquery *q, store_object_fn fn, void *ctx, int *more, perr *err);
int store_taxii_status_put(store *s, const char *id, const char *doc, perr *err);
int store_taxii_status_get(store *s, const char *id, buf *doc, perr *err);
/* A merkle_source reading nodes from the store. */
merkle_source store_merkle_source(store *s);

#endif
