/* sqlite_walvfs.c — a VFS shim that writes a commit's WAL frames, and a
 * checkpoint's runs of pages, with one system call each.
 *
 * SQLite writes each WAL frame as two pwrite()s (a 24-byte header, then the
 * page), and a checkpoint copies each page back to the database file with a
 * pwrite() of its own. A batch of appends dirties a few hundred pages, and on
 * a virtual machine each system call costs several microseconds, so a group
 * commit spent more time in pwrite() than in fsync(). The shim gathers the
 * contiguous writes to a WAL or main database file in memory and hands them
 * to the real file in one write. (In WAL mode only checkpoints write the
 * database file, in page order, so its runs are the pages appends added.)
 *
 * Invariants:
 * - Every method that reads, syncs, resizes, locks, maps or controls a file
 *   flushes the gathered bytes first (all but xWrite and the pure queries:
 *   xCheckReservedLock, xSectorSize, xDeviceCharacteristics, the xShm*
 *   methods, which act on the shared-memory index, and xUnfetch), so xSync
 *   (the commit's or the checkpoint's fsync) and xRead see exactly what
 *   SQLite wrote, in order.
 * - Readers learn of new frames only from the wal-index header, which SQLite
 *   writes after the commit's xSync when synchronous=FULL; they read a
 *   checkpointed page from the database file only once the wal-index says it
 *   was backfilled, which SQLite writes after the checkpoint's xSync. The shim
 *   is used only by connections opened with synchronous=FULL (sqlite.c), so
 *   no reader is told about bytes still in the buffer.
 * - A crash loses only unsynced bytes, which SQLite never acknowledged: WAL
 *   recovery discards such frames by their checksums, and a checkpoint cut
 *   short is redone from the WAL, which stays until the database is synced.
 * - The main database file is extended with ftruncate (see w_file_control).
 * Other files (journals, temporary files) pass straight through. */
#include "store/sqlite_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WALVFS_NAME "parley-wal"
#define WALVFS_FLUSH_BYTES (8u << 20) /* flush before gathering more than this */
#define WALVFS_WRITE_BYTES (64u << 10) /* the unix VFS writes at most 128 KiB - 1 per call */

typedef struct wal_file {
    sqlite3_file base;      /* pMethods: our methods */
    sqlite3_file *real;     /* the underlying file, allocated right after this struct */
    int gather;             /* a WAL or main database file: writes are gathered */
    int main_db;            /* the database file: grown by ftruncate (w_file_control) */
    unsigned char *buf;
    size_t len, cap;
    sqlite3_int64 start;    /* file offset of buf[0] */
} wal_file;

static sqlite3_vfs walvfs;
static sqlite3_io_methods wal_methods;

#define REAL(f) (((wal_file *)(f))->real)

static int flush(wal_file *w)
{
    if (w->len == 0)
        return SQLITE_OK;
    int rc = SQLITE_OK;
    for (size_t done = 0; rc == SQLITE_OK && done < w->len; done += WALVFS_WRITE_BYTES) {
        size_t n = w->len - done < WALVFS_WRITE_BYTES ? w->len - done : WALVFS_WRITE_BYTES;
        rc = w->real->pMethods->xWrite(w->real, w->buf + done, (int)n, w->start + (sqlite3_int64)done);
    }
    w->len = 0;
    return rc;
}

#define FLUSHED(f)                                       \
    do {                                                 \
        int frc_ = flush((wal_file *)(f));               \
        if (frc_ != SQLITE_OK)                           \
            return frc_;                                 \
    } while (0)

static int w_close(sqlite3_file *f)
{
    wal_file *w = (wal_file *)f;
    int rc = flush(w);
    int rc2 = w->real->pMethods ? w->real->pMethods->xClose(w->real) : SQLITE_OK;
    free(w->buf);
    w->buf = NULL;
    return rc != SQLITE_OK ? rc : rc2;
}

static int w_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
    FLUSHED(f);
    return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int w_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    wal_file *w = (wal_file *)f;
    if (!w->gather)
        return w->real->pMethods->xWrite(w->real, p, n, off);
    if (w->len > 0 && (off != w->start + (sqlite3_int64)w->len || w->len + (size_t)n > WALVFS_FLUSH_BYTES))
        FLUSHED(f);
    if (w->len + (size_t)n > w->cap) {
        size_t cap = w->cap ? w->cap : 1u << 16;
        while (cap < w->len + (size_t)n)
            cap *= 2;
        unsigned char *b = realloc(w->buf, cap);
        if (b == NULL) { /* no room to gather: write through */
            FLUSHED(f);
            return w->real->pMethods->xWrite(w->real, p, n, off);
        }
        w->buf = b;
        w->cap = cap;
    }
    if (w->len == 0)
        w->start = off;
    memcpy(w->buf + w->len, p, (size_t)n);
    w->len += (size_t)n;
    return SQLITE_OK;
}

static int w_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    FLUSHED(f);
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int w_sync(sqlite3_file *f, int flags)
{
    FLUSHED(f);
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int w_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    FLUSHED(f);
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int w_lock(sqlite3_file *f, int level)
{
    FLUSHED(f);
    return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int w_unlock(sqlite3_file *f, int level)
{
    FLUSHED(f);
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int w_check_reserved(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

/* The database file grows in chunks (sqlite.c). Without posix_fallocate,
 * which Debian's SQLite is built without, the unix VFS grows a file by
 * writing one byte to every 4 KiB block of the new chunk: 8,192 system calls
 * per 32 MiB, on the sequencer's thread. One ftruncate (xTruncate rounds up
 * to the chunk) makes the same size; the hint that follows then finds the
 * file long enough and only maps it. */
static int w_file_control(sqlite3_file *f, int op, void *arg)
{
    FLUSHED(f);
    wal_file *w = (wal_file *)f;
    if (op == SQLITE_FCNTL_SIZE_HINT && w->main_db) {
        sqlite3_int64 have;
        int rc = w->real->pMethods->xFileSize(w->real, &have);
        if (rc == SQLITE_OK && *(const sqlite3_int64 *)arg > have)
            rc = w->real->pMethods->xTruncate(w->real, *(const sqlite3_int64 *)arg);
        if (rc != SQLITE_OK)
            return rc;
    }
    return w->real->pMethods->xFileControl(w->real, op, arg);
}

static int w_sector_size(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int w_device_characteristics(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int w_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **p)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, p);
}

static int w_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void w_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int w_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static int w_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    FLUSHED(f);
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int w_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static int w_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags, int *out_flags)
{
    sqlite3_vfs *base = vfs->pAppData;
    wal_file *w = (wal_file *)f;
    memset(w, 0, sizeof *w);
    w->real = (sqlite3_file *)(w + 1);
    int rc = base->xOpen(base, name, w->real, flags, out_flags);
    if (rc != SQLITE_OK || w->real->pMethods == NULL)
        return rc; /* base.pMethods stays NULL: SQLite will not call xClose */
    if (w->real->pMethods->iVersion < 3)
        return w->real->pMethods->xClose(w->real), SQLITE_CANTOPEN;
    w->gather = (flags & (SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_DB)) != 0;
    w->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
    w->base.pMethods = &wal_methods;
    return SQLITE_OK;
}

/* Everything but xOpen is the default VFS's. */
static int v_delete(sqlite3_vfs *v, const char *n, int sync_dir)
{
    sqlite3_vfs *b = v->pAppData;
    return b->xDelete(b, n, sync_dir);
}
static int v_access(sqlite3_vfs *v, const char *n, int flags, int *out)
{
    sqlite3_vfs *b = v->pAppData;
    return b->xAccess(b, n, flags, out);
}
static int v_full_pathname(sqlite3_vfs *v, const char *n, int size, char *out)
{
    sqlite3_vfs *b = v->pAppData;
    return b->xFullPathname(b, n, size, out);
}
static void *v_dlopen(sqlite3_vfs *v, const char *n)
{
    sqlite3_vfs *b = v->pAppData;
    return b->xDlOpen(b, n);
}
static void v_dlerror(sqlite3_vfs *v, int n, char *out)
{
    sqlite3_vfs *b = v->pAppData;
    b->xDlError(b, n, out);
}
static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
    sqlite3_vfs *b = v->pAppData;
    return b->xDlSym(b, h, sym);
}
static void v_dlclose(sqlite3_vfs *v, void *h)
{
    sqlite3_vfs *b = v->pAppData;
    b->xDlClose(b, h);
}
static int v_randomness(sqlite3_vfs *v, int n, char *out)
{
    sqlite3_vfs *b = v->pAppData;
    return b->xRandomness(b, n, out);
}
static int v_sleep(sqlite3_vfs *v, int us)
{
    sqlite3_vfs *b = v->pAppData;
    return b->xSleep(b, us);
}
static int v_current_time(sqlite3_vfs *v, double *out)
{
    sqlite3_vfs *b = v->pAppData;
    return b->xCurrentTime(b, out);
}
static int v_last_error(sqlite3_vfs *v, int n, char *out)
{
    sqlite3_vfs *b = v->pAppData;
    return b->xGetLastError ? b->xGetLastError(b, n, out) : 0;
}
static int v_current_time_int64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    sqlite3_vfs *b = v->pAppData;
    return b->xCurrentTimeInt64(b, out);
}

static int registered = SQLITE_ERROR;

static void register_once(void)
{
    sqlite3_vfs *base = sqlite3_vfs_find(NULL);
    if (base == NULL || base->iVersion < 2)
        return;
    wal_methods = (sqlite3_io_methods){
        .iVersion = 3,
        .xClose = w_close,
        .xRead = w_read,
        .xWrite = w_write,
        .xTruncate = w_truncate,
        .xSync = w_sync,
        .xFileSize = w_file_size,
        .xLock = w_lock,
        .xUnlock = w_unlock,
        .xCheckReservedLock = w_check_reserved,
        .xFileControl = w_file_control,
        .xSectorSize = w_sector_size,
        .xDeviceCharacteristics = w_device_characteristics,
        .xShmMap = w_shm_map,
        .xShmLock = w_shm_lock,
        .xShmBarrier = w_shm_barrier,
        .xShmUnmap = w_shm_unmap,
        .xFetch = w_fetch,
        .xUnfetch = w_unfetch,
    };
    walvfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(wal_file) + base->szOsFile,
        .mxPathname = base->mxPathname,
        .zName = WALVFS_NAME,
        .pAppData = base,
        .xOpen = w_open,
        .xDelete = v_delete,
        .xAccess = v_access,
        .xFullPathname = v_full_pathname,
        .xDlOpen = v_dlopen,
        .xDlError = v_dlerror,
        .xDlSym = v_dlsym,
        .xDlClose = v_dlclose,
        .xRandomness = v_randomness,
        .xSleep = v_sleep,
        .xCurrentTime = v_current_time,
        .xGetLastError = v_last_error,
        .xCurrentTimeInt64 = v_current_time_int64,
    };
    registered = sqlite3_vfs_register(&walvfs, 0);
}

const char *sqlite_walvfs_name(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_once);
    return registered == SQLITE_OK ? WALVFS_NAME : NULL;
}
