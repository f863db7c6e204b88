/* sqlite_objects.c — TAXII collections' STIX objects in SQLite. One row per
 * object version, derived from its evidence leaf (rebuilt with the rest of
 * the state); the object text is the payload of the log entry that added it (o.idx).
 * Paging walks `seq` (the row id, in order of addition) through indexes on
 * (coll, seq), (coll, last, seq) and (coll, type, seq), so a page costs the
 * same at the start and at the end of a million-object collection. The
 * flags `first`/`last` mark each object's oldest and newest version, kept
 * current on every insert and delete. Status resources of TAXII POSTs are
 * kept here too; they are records of requests, not log facts. */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

const char sqlite_objects_schema[] =
    "CREATE TABLE IF NOT EXISTS objects(seq INTEGER PRIMARY KEY, coll TEXT NOT NULL, id TEXT NOT NULL,"
    "  type TEXT NOT NULL, version TEXT, version_us INTEGER NOT NULL, spec_version TEXT NOT NULL,"
    "  tlp INTEGER NOT NULL, readers TEXT NOT NULL, added_by TEXT NOT NULL, added_us INTEGER NOT NULL,"
    "  hash BLOB NOT NULL, idx INTEGER NOT NULL, last INTEGER NOT NULL DEFAULT 0,"
    "  first INTEGER NOT NULL DEFAULT 0, UNIQUE(coll, id, version_us));"
    "CREATE INDEX IF NOT EXISTS objects_by_coll ON objects(coll, seq);"
    "CREATE INDEX IF NOT EXISTS objects_last ON objects(coll, last, seq);"
    "CREATE INDEX IF NOT EXISTS objects_type ON objects(coll, type, seq);"
    "CREATE TABLE IF NOT EXISTS taxii_status(id TEXT PRIMARY KEY, doc TEXT NOT NULL);";

enum { OS_PUT, OS_FLAGS, OS_DELETE_ONE, OS_DELETE_ALL, OS_STATUS_PUT, OS_STATUS_GET, OS_RANGE, OS_COUNT };
_Static_assert(OS_COUNT <= SQLITE_OBJECT_STMTS, "raise SQLITE_OBJECT_STMTS");
const int sqlite_objects_nstmts = OS_COUNT;

const char *const sqlite_objects_sql[OS_COUNT] = {
    [OS_PUT] = ("INSERT OR IGNORE INTO objects(coll, id, type, version, version_us, spec_version, tlp, readers,"
                " added_by, added_us, hash, idx, last, first)"
                " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 1, 1)"),
    [OS_RANGE] = "SELECT COUNT(*) FROM objects WHERE coll = ?1 AND id = ?2",
    [OS_FLAGS] = ("UPDATE objects SET"
                  " last = (version_us = (SELECT MAX(version_us) FROM objects WHERE coll = ?1 AND id = ?2)),"
                  " first = (version_us = (SELECT MIN(version_us) FROM objects WHERE coll = ?1 AND id = ?2))"
                  " WHERE coll = ?1 AND id = ?2"),
    [OS_DELETE_ONE] = "DELETE FROM objects WHERE coll = ?1 AND id = ?2 AND version_us = ?3",
    [OS_DELETE_ALL] = "DELETE FROM objects WHERE coll = ?1 AND id = ?2",
    [OS_STATUS_PUT] = "INSERT OR REPLACE INTO taxii_status(id, doc) VALUES(?1, ?2)",
    [OS_STATUS_GET] = "SELECT doc FROM taxii_status WHERE id = ?1",
};

static sqlite_store *S(store *s)
{
    return (sqlite_store *)s;
}

static sqlite3_stmt *stmt(sqlite_store *s, int id)
{
    return sqlite_stmt_reset(s->object_st[id]);
}

static int update_flags(sqlite_store *s, const char *coll, const char *id, perr *err)
{
    sqlite3_stmt *st = stmt(s, OS_FLAGS);
    sqlite3_bind_text(st, 1, coll, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    return sqlite_run(s, st, err, "object flags");
}

static int sq_object_put(store *base, const store_object *o, perr *err)
{
    sqlite_store *s = S(base);
    /* The first version of an object is its own first and last: no flag update needed. */
    sqlite3_stmt *st = stmt(s, OS_RANGE);
    sqlite3_bind_text(st, 1, o->collection, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, o->id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return sqlite_db_error(s, err, "object versions");
    }
    int existing = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    st = stmt(s, OS_PUT);
    sqlite3_bind_text(st, 1, o->collection, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, o->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, o->type, -1, SQLITE_STATIC);
    if (o->version && o->version[0])
        sqlite3_bind_text(st, 4, o->version, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, o->version_us);
    sqlite3_bind_text(st, 6, o->spec_version, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, o->tlp);
    sqlite3_bind_text(st, 8, o->readers ? o->readers : ",", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, o->added_by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, o->added_us);
    sqlite3_bind_blob(st, 11, o->hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 12, (sqlite3_int64)o->index);
    if (sqlite_run(s, st, err, "object put") != 0)
        return -1;
    return existing ? update_flags(s, o->collection, o->id, err) : 0;
}

static int sq_object_delete(store *base, const char *coll, const char *id, int64_t version_us, perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, version_us ? OS_DELETE_ONE : OS_DELETE_ALL);
    sqlite3_bind_text(st, 1, coll, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    if (version_us)
        sqlite3_bind_int64(st, 3, version_us);
    if (sqlite_run(s, st, err, "object delete") != 0)
        return -1;
    return update_flags(s, coll, id, err);
}

/* Binds a list as ?NNN parameters from `next` on and appends "col IN (?a, ?b…)". */
static void in_list(buf *sql, const char *col, size_t n, int *next)
{
    buf_printf(sql, " AND %s IN (", col);
    for (size_t i = 0; i < n; i++)
        buf_printf(sql, "%s?%d", i ? ", " : "", (*next)++);
    buf_putc(sql, ')');
}

static int sq_object_query(store *base, const store_objquery *q, store_object_fn fn, void *ctx, int *more,
                           perr *err)
{
    sqlite_store *s = S(base);
    buf sql;
    buf_init(&sql);
    buf_printf(&sql, "SELECT o.seq, o.id, o.type, o.version, o.spec_version, o.version_us, o.added_us, o.added_by, o.idx%s"
                     " FROM objects o%s WHERE o.coll = ?1 AND o.seq > ?2"
                     " AND (o.tlp != %d OR o.added_by = ?3 OR instr(o.readers, ',' || ?3 || ',') > 0)",
               q->want_json ? ", p.payload" : "", q->want_json ? " JOIN entries p ON p.idx = o.idx" : "",
               (int)TLP_RED);
    int next = 5;
    if (q->clear_only)
        buf_printf(&sql, " AND o.tlp = %d", (int)TLP_CLEAR);
    if (q->added_after_us)
        buf_puts(&sql, " AND o.added_us > ?4");
    if (q->versions == VERSIONS_LAST)
        buf_puts(&sql, " AND o.last = 1");
    else if (q->versions == VERSIONS_FIRST)
        buf_puts(&sql, " AND o.first = 1");
    int at0 = next, ids0, types0;
    if (q->versions == VERSIONS_AT)
        in_list(&sql, "o.version_us", q->nat, &next);
    ids0 = next;
    if (q->nids)
        in_list(&sql, "o.id", q->nids, &next);
    types0 = next;
    if (q->ntypes)
        in_list(&sql, "o.type", q->ntypes, &next);
    buf_printf(&sql, " ORDER BY o.seq LIMIT %zu", q->limit + 1);
    sqlite3_stmt *st = NULL;
    if (sql.failed || sqlite3_prepare_v2(s->db, sql.data, -1, &st, NULL) != SQLITE_OK) {
        buf_free(&sql);
        return sqlite_db_error(s, err, "object query");
    }
    buf_free(&sql);
    sqlite3_bind_text(st, 1, q->collection, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)q->after_seq);
    sqlite3_bind_text(st, 3, q->viewer ? q->viewer : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, q->added_after_us);
    for (size_t i = 0; q->versions == VERSIONS_AT && i < q->nat; i++)
        sqlite3_bind_int64(st, at0 + (int)i, q->at_us[i]);
    for (size_t i = 0; i < q->nids; i++)
        sqlite3_bind_text(st, ids0 + (int)i, q->ids[i], -1, SQLITE_STATIC);
    for (size_t i = 0; i < q->ntypes; i++)
        sqlite3_bind_text(st, types0 + (int)i, q->types[i], -1, SQLITE_STATIC);
    size_t n = 0;
    int rc, cb = 0;
    *more = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == q->limit) {
            *more = 1;
            break;
        }
        store_object_row row = {
            .seq = (uint64_t)sqlite3_column_int64(st, 0),
            .id = (const char *)sqlite3_column_text(st, 1),
            .type = (const char *)sqlite3_column_text(st, 2),
            .version = (const char *)sqlite3_column_text(st, 3),
            .spec_version = (const char *)sqlite3_column_text(st, 4),
            .version_us = sqlite3_column_int64(st, 5),
            .added_us = sqlite3_column_int64(st, 6),
            .added_by = (const char *)sqlite3_column_text(st, 7),
            .index = (uint64_t)sqlite3_column_int64(st, 8),
        };
        if (q->want_json) {
            row.json = sqlite3_column_blob(st, 9);
            row.json_len = (size_t)sqlite3_column_bytes(st, 9);
        }
        n++;
        if ((cb = fn(ctx, &row)) != 0)
            break;
    }
    int ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    if (!ok)
        sqlite_db_error(s, err, "object query");
    sqlite3_finalize(st);
    if (cb != 0)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    return ok ? 0 : -1;
}

static int sq_status_put(store *base, const char *id, const char *doc, perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, OS_STATUS_PUT);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, doc, -1, SQLITE_STATIC);
    return sqlite_run(s, st, err, "status put");
}

static int sq_status_get(store *base, const char *id, buf *doc, perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, OS_STATUS_GET);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    return sqlite_one_blob(s, st, doc, err, "status");
}

void sqlite_objects_ops(struct store_ops *ops)
{
    ops->object_put = sq_object_put;
    ops->object_delete = sq_object_delete;
    ops->object_query = sq_object_query;
    ops->taxii_status_put = sq_status_put;
    ops->taxii_status_get = sq_status_get;
}
