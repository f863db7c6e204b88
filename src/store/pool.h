/* pool.h — a fixed set of read-only store handles shared by request threads.
 * SQLite handles are single-threaded; WAL lets many readers run beside the
 * one writer, so each request borrows a handle for its duration. */
#ifndef PARLEY_POOL_H
#define PARLEY_POOL_H

#include "store/store.h"

typedef struct store_pool store_pool;

store_pool *store_pool_open(const char *path, int size, perr *err);
/* Blocks until a handle is free. */
store *store_pool_acquire(store_pool *p);
void store_pool_release(store_pool *p, store *s);
void store_pool_close(store_pool *p);

#endif
