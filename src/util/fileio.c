/* fileio.c — bounded reads and atomic, durable writes. */
#include "util/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *file_read(const char *path, size_t max, size_t *len, perr *err)
{
    int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        perr_set(err, PERR_IO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *data = malloc(cap + 1);
    while (data) {
        if (n == cap) {
            if (cap > max)
                break;
            char *p = realloc(data, cap * 2 + 1);
            if (p == NULL) {
                free(data);
                data = NULL;
                break;
            }
            data = p;
            cap *= 2;
        }
        ssize_t r = read(fd, data + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            perr_set(err, PERR_IO, "%s: %s", path, strerror(errno));
            free(data);
            close(fd);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (data == NULL) {
        perr_set(err, PERR_INTERNAL, "%s: out of memory", path);
        return NULL;
    }
    if (n > max) {
        free(data);
        perr_set(err, PERR_TOO_LARGE, "%s: larger than %zu bytes", path, max);
        return NULL;
    }
    data[n] = '\0';
    if (len)
        *len = n;
    return data;
}

int fsync_dir_of(const char *path)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return -1;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                      int exclusive, perr *err)
{
    struct stat st;
    if (exclusive && lstat(path, &st) == 0)
        return perr_set(err, PERR_CONFLICT, "%s: already exists", path);
    size_t tmplen = strlen(path) + 16;
    char *tmp = malloc(tmplen);
    if (tmp == NULL)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    snprintf(tmp, tmplen, "%s.tmp%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        perr_set(err, PERR_IO, "%s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    /* open() applies the umask; the mode (0600 for keys) must hold exactly. */
    const char *p = data;
    size_t left = len;
    int rc = fchmod(fd, mode);
    while (rc == 0 && left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            rc = -1;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (rc == 0)
        rc = fsync(fd);
    if (close(fd) != 0)
        rc = -1;
    if (rc == 0 && exclusive)
        rc = link(tmp, path) == 0 ? unlink(tmp) : -1;
    else if (rc == 0)
        rc = rename(tmp, path);
    if (rc != 0) {
        perr_set(err, PERR_IO, "%s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    fsync_dir_of(path);
    return 0;
}

int dir_create(const char *path, mode_t mode, perr *err)
{
    if (mkdir(path, mode) != 0 && errno != EEXIST)
        return perr_set(err, PERR_IO, "%s: %s", path, strerror(errno));
    return 0;
}

char *file_read_line(const char *path, size_t max, size_t *len, perr *err)
{
    char *text = file_read(path, max, len, err);
    while (text && *len > 0 && (text[*len - 1] == '\n' || text[*len - 1] == '\r' || text[*len - 1] == ' '))
        text[--*len] = '\0';
    return text;
}
