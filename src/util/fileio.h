/* fileio.h — reading bounded files and writing files durably.
 * A file written here is either absent or complete: data goes to a temporary
 * file in the same directory, is fsync'd, renamed into place, and the
 * directory is fsync'd. */
#ifndef PARLEY_FILEIO_H
#define PARLEY_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "util/err.h"

/* Reads a whole file ("-" is standard input) of at most max bytes, NUL-terminated. */
char *file_read(const char *path, size_t max, size_t *len, perr *err);
/* The same, for one-line files (keys, tokens): trailing CR, LF and spaces removed. */
char *file_read_line(const char *path, size_t max, size_t *len, perr *err);
/* Creates the file with `mode`; fails if it exists and exclusive is set. */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                      int exclusive, perr *err);
int dir_create(const char *path, mode_t mode, perr *err);
int fsync_dir_of(const char *path);

#endif
