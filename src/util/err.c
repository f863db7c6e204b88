/* err.c — filling and wrapping perr values. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int perr_set(perr *err, enum perr_code code, const char *fmt, ...)
{
    if (err == NULL)
        return -1;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int perr_wrap(perr *err, const char *fmt, ...)
{
    if (err == NULL)
        return -1;
    char prefix[PERR_MSG_MAX];
    char old[PERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* Truncation of a long reason is acceptable; the start says most. */
    size_t n = strlen(prefix);
    if (n >= sizeof err->msg)
        n = sizeof err->msg - 1;
    memcpy(err->msg, prefix, n);
    size_t rest = sizeof err->msg - 1 - n;
    size_t oldlen = strnlen(old, sizeof old - 1);
    if (oldlen > rest)
        oldlen = rest;
    memcpy(err->msg + n, old, oldlen);
    err->msg[n + oldlen] = '\0';
    return -1;
}

const char *perr_code_name(enum perr_code code)
{
    switch (code) {
    case PERR_OK: return "ok";
    case PERR_INVALID: return "invalid";
    case PERR_SIGNATURE: return "bad_signature";
    case PERR_UNKNOWN_KEY: return "unknown_key";
    case PERR_NOT_FOUND: return "not_found";
    case PERR_CONFLICT: return "conflict";
    case PERR_TOO_LARGE: return "too_large";
    case PERR_FORBIDDEN: return "forbidden";
    case PERR_UNAUTHENTICATED: return "unauthenticated";
    case PERR_IO: return "io_error";
    case PERR_UNAVAILABLE: return "unavailable";
    case PERR_INTERNAL: return "internal";
    }
    return "internal";
}
