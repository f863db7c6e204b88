/* err.h — an error with a reason, passed down by the caller and filled by the
 * first function that fails. Every layer reports failures the same way: return
 * -1 (or NULL) and leave a human-readable reason plus a category that the outer
 * layers (HTTP, CLI) map to a status code or exit code. */
#ifndef PARLEY_ERR_H
#define PARLEY_ERR_H

enum perr_code {
    PERR_OK = 0,
    PERR_INVALID,     /* malformed or unacceptable input */
    PERR_SIGNATURE,   /* a signature or proof does not verify */
    PERR_UNKNOWN_KEY, /* no key is known for the signer */
    PERR_NOT_FOUND,
    PERR_CONFLICT,    /* e.g. a message id that is already logged */
    PERR_TOO_LARGE,
    PERR_FORBIDDEN,
    PERR_UNAUTHENTICATED, /* missing or wrong credentials */
    PERR_IO,          /* storage or file-system failure */
    PERR_UNAVAILABLE, /* shutting down, overloaded */
    PERR_INTERNAL
};

#define PERR_MSG_MAX 256

typedef struct perr {
    enum perr_code code;
    char msg[PERR_MSG_MAX];
} perr;

/* Sets err (if not NULL) and returns -1 so callers can `return perr_set(...)`. */
int perr_set(perr *err, enum perr_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with context ("receipt: " + old message). */
int perr_wrap(perr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

const char *perr_code_name(enum perr_code code);

#endif
