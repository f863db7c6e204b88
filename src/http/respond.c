/* respond.c — JSON bodies and error mapping for HTTP responses. */
#include "http/http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void http_json_written(http_resp *resp, int status)
{
    if (resp->body.failed) {
        buf_reset(&resp->body);
        status = 500;
        buf_puts(&resp->body, "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
    }
    resp->status = status;
    resp->content_type = "application/json";
    buf_putc(&resp->body, '\n');
}

void http_json(http_resp *resp, int status, json_t *j)
{
    buf_reset(&resp->body);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (s == NULL)
        resp->body.failed = 1;
    else
        buf_puts(&resp->body, s);
    free(s);
    http_json_written(resp, status);
}

void http_error(http_resp *resp, int status, const char *code, const char *fmt, ...)
{
    char msg[PERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    http_json(resp, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg));
}

int http_status_for(enum perr_code code)
{
    switch (code) {
    case PERR_INVALID: return 400;
    case PERR_SIGNATURE: return 403;
    case PERR_UNKNOWN_KEY: return 403;
    case PERR_FORBIDDEN: return 403;
    case PERR_UNAUTHENTICATED: return 401;
    case PERR_NOT_FOUND: return 404;
    case PERR_CONFLICT: return 409;
    case PERR_TOO_LARGE: return 413;
    case PERR_UNAVAILABLE: return 503;
    case PERR_OK:
    case PERR_IO:
    case PERR_INTERNAL: return 500;
    }
    return 500;
}

void http_perr(http_resp *resp, const perr *err)
{
    http_error(resp, http_status_for(err->code), perr_code_name(err->code), "%s", err->msg);
}
