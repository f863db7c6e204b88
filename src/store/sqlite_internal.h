/* sqlite_internal.h — what the SQLite backend's two files share: the handle
 * and statement helpers. sqlite.c keeps the log (entries, tree nodes,
 * checkpoints, payloads); sqlite_state.c keeps the state derived from it
 * (directory, messages, recipient progress) and the credentials. Nothing
 * outside src/store/ includes this. */
#ifndef PARLEY_SQLITE_INTERNAL_H
#define PARLEY_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

#define SQLITE_LOG_STMTS 16
#define SQLITE_STATE_STMTS 24
#define SQLITE_OBJECT_STMTS 8

typedef struct sqlite_store {
    store base;
    sqlite3 *db;
    sqlite3_stmt *st[SQLITE_LOG_STMTS];           /* the log's statements */
    sqlite3_stmt *state_st[SQLITE_STATE_STMTS];   /* the derived state's statements */
    sqlite3_stmt *object_st[SQLITE_OBJECT_STMTS]; /* the TAXII objects' statements */
} sqlite_store;

/* Resets a statement before reuse so none holds a read transaction open. */
sqlite3_stmt *sqlite_stmt_reset(sqlite3_stmt *st);
int sqlite_db_error(sqlite_store *s, perr *err, const char *what);
int sqlite_exec(sqlite_store *s, const char *sql, perr *err);
/* Steps a statement that returns one blob/text column into out; NOT_FOUND if no row. */
int sqlite_one_blob(sqlite_store *s, sqlite3_stmt *st, buf *out, perr *err, const char *what);
/* Runs a statement that returns no rows. */
int sqlite_run(sqlite_store *s, sqlite3_stmt *st, perr *err, const char *what);

/* The VFS for writer connections (sqlite_walvfs.c): a commit's WAL frames in
 * one write. Only for connections that run with synchronous=FULL. NULL if it
 * could not be registered (the default VFS is then used). */
const char *sqlite_walvfs_name(void);

/* Each file's schema, its statements (prepared once per handle by sqlite.c)
 * and the ops it fills in. */
extern const char sqlite_state_schema[];
extern const char *const sqlite_state_sql[];
extern const int sqlite_state_nstmts;
void sqlite_state_ops(struct store_ops *ops);
extern const char sqlite_objects_schema[];
extern const char *const sqlite_objects_sql[];
extern const int sqlite_objects_nstmts;
void sqlite_objects_ops(struct store_ops *ops);

#endif
