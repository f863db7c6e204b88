/* http.h — the request/response shapes route handlers work with, so that only
 * server.c talks to libmicrohttpd. Errors are JSON:
 *   {"error": {"code": "<perr code name>", "message": "<reason>"}} */
#ifndef PARLEY_HTTP_H
#define PARLEY_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "envelope/envelope.h"
#include "node/node.h"
#include "taxii/taxii.h"
#include "util/buf.h"

#define HTTP_MAX_BODY (ENVELOPE_MAX_JSON + 4096)
#define HTTP_MAX_TAXII_BODY TAXII_MAX_CONTENT /* the max_content_length the API root advertises */

typedef struct http_req {
    const char *method;
    const char *path;
    const char *content_type; /* NULL if absent */
    const char *participant;   /* authenticated by its token; NULL if not */
    const perr *auth_error;    /* why participant is NULL */
    const char *accept;        /* NULL if absent */
    const char *body;
    size_t body_len;
    node *node;
    void *conn;               /* opaque: for http_query */
    /* POST /api/v1/messages (always set there by the server): the route
     * queues the message with this callback instead of waiting on the log,
     * and leaves the submission in resp->pending; the server answers once
     * it is called. */
    hotline_logged_fn logged;
    void *logged_ctx;
} http_req;

typedef struct http_resp {
    int status;
    const char *content_type;
    const char *cache_control; /* NULL: no-store */
    const char *www_authenticate; /* set on 401 */
    const char *extra_name[2];    /* up to two more headers (TAXII date range) */
    char extra_value[2][64];
    buf body;
    hotline_submission *pending; /* set: no answer yet, see http_req.logged */
} http_resp;

/* A query-string argument, or NULL. */
const char *http_query(const http_req *req, const char *key);

void http_json(http_resp *resp, int status, json_t *j); /* takes j */
/* resp->body already holds the JSON text: sets status and type (500 if building it ran out of memory). */
void http_json_written(http_resp *resp, int status);
void http_error(http_resp *resp, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Maps a perr to its status and error body. */
void http_perr(http_resp *resp, const perr *err);
int http_status_for(enum perr_code code);

/* Route handlers: each returns after filling resp. */
void route_log(const http_req *req, http_resp *resp);      /* /log/... */
void route_api(const http_req *req, http_resp *resp);      /* /api/v1/... (log and proofs) */
/* The hotline's part of /api/v1/; 0 if path is not one of its resources. */
int route_hotline(const http_req *req, http_resp *resp);
/* The answer to a queued message once it is logged; frees the submission. */
void route_hotline_logged(hotline_submission *sub, http_resp *resp);
int http_is_json(const char *content_type);
void route_health(const http_req *req, http_resp *resp);   /* /healthz */
void route_taxii(const http_req *req, http_resp *resp);    /* /taxii2/... */

#endif
