/* sqlite.c — the embedded storage backend (SQLite in WAL mode).
 *
 * Durability: journal_mode=WAL with synchronous=FULL, so COMMIT returns only
 * after the WAL is fsync'd; a batch of appends is one transaction, hence one
 * fsync however many entries it holds (group commit).
 * Schema:
 *   entries(idx, leaf, msg_id UNIQUE, sender, payload_hash, payload, logged_at)
 *                             the payload (ciphertext, or an evidence object's
 *                             text) sits in its entry's row: appends touch the
 *                             end of one B-tree instead of a hash-keyed one
 *   nodes(level, idx, hash)   every complete Merkle subtree, leaves at level 0
 *   checkpoints(size, note)   every checkpoint the node signed
 *   meta                      node-level settings
 * Every other index is keyed by log position or a low-cardinality prefix, so a
 * batch dirties few pages: msg_id is the one random key an append writes.
 * The derived state (directory, messages) lives in sqlite_state.c. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"
#include "util/buf.h"

#define SCHEMA_VERSION 3
#define SQLITE_FILE_CHUNK_BYTES (32 << 20) /* growth step of the database file */
#define SQLITE_WRITER_CACHE_KIB "8192"      /* page cache of a writer connection */

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS entries("
    "  idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL, msg_id TEXT UNIQUE, sender TEXT,"
    "  payload_hash BLOB, logged_at INTEGER NOT NULL, payload BLOB);"
    "CREATE TABLE IF NOT EXISTS nodes(level INTEGER NOT NULL, idx INTEGER NOT NULL,"
    "  hash BLOB NOT NULL, PRIMARY KEY(level, idx)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS checkpoints(size INTEGER PRIMARY KEY, note TEXT NOT NULL);";

enum stmt_id {
    ST_LOG_SIZE, ST_NODE, ST_NODES, ST_ENTRIES, ST_ENTRY, ST_PAYLOAD,
    ST_INSERT_ENTRY, ST_INSERT_NODE, ST_INSERT_CHECKPOINT,
    ST_LATEST_CHECKPOINT, ST_CHECKPOINT_AT, ST_META_GET, ST_META_PUT,
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_COUNT
};
_Static_assert(ST_COUNT <= SQLITE_LOG_STMTS, "raise SQLITE_LOG_STMTS");

static const char *const stmt_sql[ST_COUNT] = {
    [ST_LOG_SIZE] = "SELECT COALESCE(MAX(idx) + 1, 0) FROM entries",
    [ST_NODE] = "SELECT hash FROM nodes WHERE level = ?1 AND idx = ?2",
    [ST_NODES] = "SELECT idx, hash FROM nodes WHERE level = ?1 AND idx >= ?2 AND idx < ?3 ORDER BY idx",
    [ST_ENTRIES] = "SELECT idx, leaf FROM entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
    [ST_ENTRY] = "SELECT leaf FROM entries WHERE idx = ?1",
    [ST_PAYLOAD] = "SELECT payload FROM entries WHERE idx = ?1 AND payload_hash = ?2",
    [ST_INSERT_ENTRY] = ("INSERT INTO entries(idx, leaf, msg_id, sender, payload_hash, logged_at, payload) "
                        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
    [ST_INSERT_NODE] = "INSERT INTO nodes(level, idx, hash) VALUES(?1, ?2, ?3)",
    [ST_INSERT_CHECKPOINT] = "INSERT OR REPLACE INTO checkpoints(size, note) VALUES(?1, ?2)",
    [ST_LATEST_CHECKPOINT] = "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1",
    [ST_CHECKPOINT_AT] = "SELECT note FROM checkpoints WHERE size = ?1",
    [ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [ST_META_PUT] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
    /* Prepared once: a group commit would otherwise parse them for every batch. */
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
};

typedef struct sqlite_batch {
    store_batch base;
    sqlite_store *s;
    int failed;
    char errmsg[128];
} sqlite_batch;

static sqlite_store *S(store *s)
{
    return (sqlite_store *)s;
}

int sqlite_db_error(sqlite_store *s, perr *err, const char *what)
{
    return perr_set(err, PERR_IO, "sqlite %s: %s", what, sqlite3_errmsg(s->db));
}
#define db_error sqlite_db_error

sqlite3_stmt *sqlite_stmt_reset(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

static sqlite3_stmt *stmt(sqlite_store *s, enum stmt_id id)
{
    return sqlite_stmt_reset(s->st[id]);
}

int sqlite_run(sqlite_store *s, sqlite3_stmt *st, perr *err, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db_error(s, err, what);
}

int sqlite_exec(sqlite_store *s, const char *sql, perr *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        perr_set(err, PERR_IO, "sqlite: %s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

#define exec sqlite_exec

static void finalize_all(sqlite3_stmt **st, int n)
{
    for (int i = 0; i < n; i++) {
        sqlite3_finalize(st[i]);
        st[i] = NULL;
    }
}

static int prepare_all(sqlite_store *s, const char *const *sql, int n, sqlite3_stmt **out, perr *err)
{
    for (int i = 0; i < n; i++)
        if (sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &out[i], NULL) != SQLITE_OK)
            return perr_set(err, PERR_IO, "%s", sqlite3_errmsg(s->db));
    return 0;
}

static void sq_close(store *base)
{
    sqlite_store *s = S(base);
    finalize_all(s->st, ST_COUNT);
    finalize_all(s->state_st, sqlite_state_nstmts);
    finalize_all(s->object_st, sqlite_objects_nstmts);
    sqlite3_close(s->db);
    free(s);
}

static int sq_log_size(store *base, uint64_t *size, perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, ST_LOG_SIZE);
    if (sqlite3_step(st) != SQLITE_ROW)
        return db_error(s, err, "log size");
    *size = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

static int copy_hash(sqlite3_stmt *st, int col, merkle_hash out)
{
    if (sqlite3_column_bytes(st, col) != MERKLE_HASH_BYTES)
        return -1;
    memcpy(out, sqlite3_column_blob(st, col), MERKLE_HASH_BYTES);
    return 0;
}

static int sq_node(store *base, unsigned level, uint64_t index, merkle_hash out)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, ST_NODE);
    sqlite3_bind_int(st, 1, (int)level);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
    int rc = sqlite3_step(st) == SQLITE_ROW ? copy_hash(st, 0, out) : -1;
    sqlite3_reset(st);
    return rc;
}

static int sq_nodes(store *base, unsigned level, uint64_t first, unsigned count, merkle_hash *out,
                    perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, ST_NODES);
    sqlite3_bind_int(st, 1, (int)level);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)first);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)(first + count));
    unsigned n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < count) {
        if ((uint64_t)sqlite3_column_int64(st, 0) != first + n || copy_hash(st, 1, out[n]) != 0)
            break;
        n++;
    }
    sqlite3_reset(st);
    if (n != count)
        return perr_set(err, PERR_NOT_FOUND, "tree nodes not available");
    return 0;
}

static int sq_entry_bundle(store *base, uint64_t first, unsigned count, buf *out, perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, ST_ENTRIES);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)first);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)(first + count));
    unsigned n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < count) {
        int len = sqlite3_column_bytes(st, 1);
        if ((uint64_t)sqlite3_column_int64(st, 0) != first + n || len > 0xffff)
            break;
        uint8_t prefix[2] = {(uint8_t)(len >> 8), (uint8_t)len};
        buf_append(out, prefix, 2);
        buf_append(out, sqlite3_column_blob(st, 1), (size_t)len);
        n++;
    }
    sqlite3_reset(st);
    if (n != count)
        return perr_set(err, PERR_NOT_FOUND, "entries not available");
    return out->failed ? perr_set(err, PERR_INTERNAL, "out of memory") : 0;
}

int sqlite_one_blob(sqlite_store *s, sqlite3_stmt *st, buf *out, perr *err, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        buf_append(out, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
        sqlite3_reset(st);
        return out->failed ? perr_set(err, PERR_INTERNAL, "out of memory") : 0;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return perr_set(err, PERR_NOT_FOUND, "%s not found", what);
    return db_error(s, err, what);
}

static int sq_entry(store *base, uint64_t index, buf *leaf, perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, ST_ENTRY);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)index);
    return sqlite_one_blob(s, st, leaf, err, "entry");
}

static int sq_payload(store *base, uint64_t index, const uint8_t hash[32], buf *out, perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, ST_PAYLOAD);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)index);
    sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
    return sqlite_one_blob(s, st, out, err, "payload");
}

static int sq_checkpoint(store *base, uint64_t size, buf *note, perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st;
    if (size == UINT64_MAX) {
        st = stmt(s, ST_LATEST_CHECKPOINT);
    } else {
        st = stmt(s, ST_CHECKPOINT_AT);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    }
    return sqlite_one_blob(s, st, note, err, "checkpoint");
}

static void batch_put_node(store_batch *b, unsigned level, uint64_t index, const merkle_hash h)
{
    sqlite_batch *sb = (sqlite_batch *)b;
    if (sb->failed)
        return;
    sqlite3_stmt *st = stmt(sb->s, ST_INSERT_NODE);
    sqlite3_bind_int(st, 1, (int)level);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
    sqlite3_bind_blob(st, 3, h, MERKLE_HASH_BYTES, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        sb->failed = 1;
        snprintf(sb->errmsg, sizeof sb->errmsg, "%s", sqlite3_errmsg(sb->s->db));
    }
    sqlite3_reset(st);
}

/* Inserts one entry; 1 if its message id was already logged. */
static int insert_entry(sqlite_store *s, store_entry *e, uint64_t idx, perr *err)
{
    sqlite3_stmt *st = stmt(s, ST_INSERT_ENTRY);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)idx);
    sqlite3_bind_blob(st, 2, e->leaf, (int)e->leaf_len, SQLITE_STATIC);
    if (e->msg_id)
        sqlite3_bind_text(st, 3, e->msg_id, -1, SQLITE_STATIC);
    if (e->sender)
        sqlite3_bind_text(st, 4, e->sender, -1, SQLITE_STATIC);
    if (e->payload_hash)
        sqlite3_bind_blob(st, 5, e->payload_hash, 32, SQLITE_STATIC);
    if (e->payload && e->payload_hash)
        sqlite3_bind_blob(st, 7, e->payload, (int)e->payload_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, e->logged_at_ms);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT && e->msg_id)
        return 1;
    return rc == SQLITE_DONE ? 0 : db_error(s, err, "insert entry");
}

/* A failed COMMIT can leave the transaction open; whatever ROLLBACK says,
 * the caller reports the error that led here. */
static void rollback(sqlite_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        (void)sqlite_run(s, stmt(s, ST_ROLLBACK), NULL, "rollback");
}

static int sq_append_batch(store *base, store_entry *entries, size_t n, store_leaf_fn on_leaf,
                           store_checkpoint_fn on_checkpoint, void *ctx, char **checkpoint,
                           perr *err)
{
    sqlite_store *s = S(base);
    uint64_t size;
    *checkpoint = NULL;
    if (sqlite_run(s, stmt(s, ST_BEGIN), err, "begin") != 0)
        return -1;
    if (sq_log_size(base, &size, err) != 0)
        goto rollback;
    sqlite_batch batch = {{batch_put_node}, s, 0, ""};
    uint64_t appended = 0;
    for (size_t i = 0; i < n; i++) {
        store_entry *e = &entries[i];
        int rc = insert_entry(s, e, size + appended, err);
        if (rc < 0)
            goto rollback;
        e->duplicate = rc;
        if (rc == 1)
            continue;
        e->index = size + appended;
        if (on_leaf(ctx, &batch.base, e, e->leaf_hash, err) != 0)
            goto rollback;
        if (batch.failed) {
            perr_set(err, PERR_IO, "sqlite insert node: %s", batch.errmsg);
            goto rollback;
        }
        appended++;
    }
    if (appended > 0) {
        *checkpoint = on_checkpoint(ctx, size + appended, err);
        if (*checkpoint == NULL)
            goto rollback;
        sqlite3_stmt *st = stmt(s, ST_INSERT_CHECKPOINT);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)(size + appended));
        sqlite3_bind_text(st, 2, *checkpoint, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            db_error(s, err, "insert checkpoint");
            goto rollback;
        }
    }
    if (sqlite_run(s, stmt(s, ST_COMMIT), err, "commit") != 0)
        goto rollback;
    return 0;
rollback:
    rollback(s);
    free(*checkpoint);
    *checkpoint = NULL;
    return -1;
}

static int sq_meta_get(store *base, const char *key, buf *value, perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, ST_META_GET);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    return sqlite_one_blob(s, st, value, err, key);
}

static int sq_meta_put(store *base, const char *key, const char *value, perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, ST_META_PUT);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db_error(s, err, "meta put");
}

static int sq_transaction(store *base, int (*fn)(void *ctx, store *s, perr *err), void *ctx, perr *err)
{
    sqlite_store *s = S(base);
    if (sqlite_run(s, stmt(s, ST_BEGIN), err, "begin") != 0)
        return -1;
    if (fn(ctx, base, err) != 0 || sqlite_run(s, stmt(s, ST_COMMIT), err, "commit") != 0) {
        rollback(s);
        return -1;
    }
    return 0;
}

static struct store_ops sqlite_ops = {
    .close = sq_close,
    .log_size = sq_log_size,
    .node = sq_node,
    .nodes = sq_nodes,
    .entry_bundle = sq_entry_bundle,
    .entry = sq_entry,
    .payload = sq_payload,
    .append_batch = sq_append_batch,
    .checkpoint = sq_checkpoint,
    .meta_get = sq_meta_get,
    .meta_put = sq_meta_put,
    .transaction = sq_transaction,
};

static pthread_once_t ops_once = PTHREAD_ONCE_INIT;
static void fill_state_ops(void)
{
    sqlite_state_ops(&sqlite_ops);
    sqlite_objects_ops(&sqlite_ops);
}

store *store_open_sqlite(const char *path, int flags, perr *err)
{
    sqlite_store *s = calloc(1, sizeof *s);
    if (s == NULL) {
        perr_set(err, PERR_INTERNAL, "out of memory");
        return NULL;
    }
    pthread_once(&ops_once, fill_state_ops);
    s->base.ops = &sqlite_ops;
    /* Readers open read-write but refuse writes (query_only): a read-only
     * connection could not create the WAL index after a crash. */
    int oflags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE |
                 ((flags & STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
    const char *vfs = (flags & STORE_READ_ONLY) ? NULL : sqlite_walvfs_name();
    if (sqlite3_open_v2(path, &s->db, oflags, vfs) != SQLITE_OK) {
        perr_set(err, PERR_IO, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 10000);
    sqlite3_extended_result_codes(s->db, 0);
    /* Memory-mapped reads keep pages out of pread(). A reader's large cache
     * keeps hot index pages; the writer's holds only what it dirties (appends
     * touch the right edges of their B-trees), and a small one is full
     * within seconds, where a large one grows, page fault by page fault, on
     * the commit path for as long as the first 64 MiB of writes take. */
    const char *cache = (flags & STORE_READ_ONLY) ? "PRAGMA cache_size=-65536" : "PRAGMA cache_size=-" SQLITE_WRITER_CACHE_KIB;
    if (exec(s, cache, err) != 0 || exec(s, "PRAGMA mmap_size=4294967296; PRAGMA temp_store=MEMORY;", err) != 0)
        goto fail;
    if ((flags & STORE_READ_ONLY) && exec(s, "PRAGMA query_only=1", err) != 0)
        goto fail;
    sqlite3_stmt *ver = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &ver, NULL) == SQLITE_OK &&
        sqlite3_step(ver) == SQLITE_ROW)
        version = sqlite3_column_int(ver, 0);
    sqlite3_finalize(ver);
    if (version != SCHEMA_VERSION && !(version == 0 && (flags & STORE_CREATE))) {
        perr_set(err, PERR_IO, "%s: database schema version %d, this parley reads version %d%s", path, version,
                 SCHEMA_VERSION, version > 0 ? " (initialise a new node)" : "");
        goto fail;
    }
    if (!(flags & STORE_READ_ONLY)) {
        if (exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=16384;", err) != 0 ||
            ((flags & STORE_CREATE) &&
             (exec(s, schema_sql, err) != 0 || exec(s, sqlite_state_schema, err) != 0 ||
              exec(s, sqlite_objects_schema, err) != 0)))
            goto fail;
        /* Grown in large steps, the file changes size rarely: each change makes
         * every reader remap it (munmap shoots down TLBs on all cores). */
        int chunk = SQLITE_FILE_CHUNK_BYTES;
        sqlite3_file_control(s->db, "main", SQLITE_FCNTL_CHUNK_SIZE, &chunk);
        char v[64];
        snprintf(v, sizeof v, "PRAGMA user_version=%d", SCHEMA_VERSION);
        if ((flags & STORE_CREATE) && exec(s, v, err) != 0)
            goto fail;
    }
    if (prepare_all(s, stmt_sql, ST_COUNT, s->st, err) != 0 ||
        prepare_all(s, sqlite_state_sql, sqlite_state_nstmts, s->state_st, err) != 0 ||
        prepare_all(s, sqlite_objects_sql, sqlite_objects_nstmts, s->object_st, err) != 0) {
        perr_wrap(err, "%s: not a Parley database: ", path);
        goto fail;
    }
    return &s->base;
fail:
    sq_close(&s->base);
    return NULL;
}
