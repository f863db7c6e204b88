/* buf.h — a growable byte buffer that stays NUL-terminated, so text built in it
 * can be used as a C string. A failed allocation sets `failed` and later
 * appends do nothing; callers check once at the end. */
#ifndef PARLEY_BUF_H
#define PARLEY_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
    int failed;
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_reset(buf *b);
int buf_reserve(buf *b, size_t extra);
void buf_append(buf *b, const void *data, size_t len);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_put_hex(buf *b, const uint8_t *data, size_t len);
void buf_put_b64(buf *b, const uint8_t *data, size_t len);
/* Hands the bytes to the caller (who frees them); the buffer is left empty. */
char *buf_steal(buf *b, size_t *len);

#endif
