/* httpc.h — the CLI's HTTP client (libcurl): one request, whole response. */
#ifndef PARLEY_HTTPC_H
#define PARLEY_HTTPC_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

#define HTTPC_MAX_RESPONSE (16 * 1024 * 1024)

/* body may be NULL for GET. 0 when a response (of any status) was read. */
int httpc_request(const char *method, const char *url, const char *content_type, const char *authorization,
                  const char *body, size_t len, long *status, buf *response, perr *err);

#endif
