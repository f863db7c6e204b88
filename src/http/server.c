/* server.c — libmicrohttpd glue: accumulate the body within limits, dispatch
 * by path prefix, turn an http_resp into an MHD response, count requests.
 *
 * A few threads (one per core) poll every connection, so no thread is parked
 * per client. Reads are answered on them. A message POST is admitted there
 * and queued for the log with its connection suspended; the sequencer's
 * callback resumes it and the answer (the receipt) is written on the polling
 * thread. Other writes (admin statements, TAXII bundles) may wait on the log
 * for long, so each runs on a thread of its own, its connection suspended.
 * Invariant: a connection is suspended before anything that may resume it
 * starts, and the server stops only once none is suspended. */
#include "http/server.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/http.h"

#define HTTP_MAX_POLLERS 16
/* Each connection's memory pool: request headers up to about half of it, and
 * the read buffer. libmicrohttpd zeroes the whole pool between two requests
 * on a connection, so its default of 32 KiB was a 32 KiB memset per request. */
#define HTTP_CONNECTION_MEMORY ((size_t)16 << 10)

struct http_server {
    struct MHD_Daemon *daemon;
    node *node;
    int port;
    atomic_int stopping;  /* no new suspensions */
    atomic_int suspended; /* connections waiting for an answer off their thread */
    atomic_uint_fast64_t by_class[6]; /* responses by status class 1xx..5xx */
    atomic_uint_fast64_t refused[3];   /* 401, 403 and 404 answers */
};

enum answer_phase { PHASE_INLINE, PHASE_WAITING, PHASE_READY };

typedef struct conn_state {
    http_server *server;
    struct MHD_Connection *conn;
    char who[IDENT_PARTICIPANT_MAX + 1]; /* the authenticated participant, or "" */
    perr auth;                           /* why not, when who is "" */
    buf body;
    size_t max_body;
    int too_large;
    /* An answer made off the polling thread; phase is set to READY just
     * before the connection is resumed. */
    enum answer_phase phase;
    hotline_submission *sub; /* a message waiting on the log */
    http_req req;            /* an offloaded write */
    http_resp resp;          /* its answer */
} conn_state;

const char *http_query(const http_req *req, const char *key)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

static void route_metrics(http_server *s, http_resp *resp)
{
    seq_stats st;
    sequencer_stats_get(s->node->seq, &st);
    buf_reset(&resp->body);
    buf *b = &resp->body;
    buf_printf(b, "# TYPE parley_log_tree_size gauge\nparley_log_tree_size %" PRIu64 "\n", st.tree_size);
    buf_printf(b, "# TYPE parley_log_appends_total counter\nparley_log_appends_total %" PRIu64 "\n", st.entries);
    buf_printf(b, "# TYPE parley_log_batches_total counter\nparley_log_batches_total %" PRIu64 "\n", st.batches);
    buf_printf(b, "# TYPE parley_log_duplicates_total counter\nparley_log_duplicates_total %" PRIu64 "\n", st.duplicates);
    buf_printf(b, "# TYPE parley_log_sequencer_busy_seconds_total counter\nparley_log_sequencer_busy_seconds_total %.6f\n",
               (double)st.busy_us / 1e6);
    buf_printf(b, "# TYPE parley_log_gathered_batches_total counter\nparley_log_gathered_batches_total %" PRIu64 "\n",
               st.gathered);
    buf_printf(b, "# TYPE parley_log_batch_failures_total counter\nparley_log_batch_failures_total %" PRIu64 "\n", st.failures);
    buf_printf(b, "# TYPE parley_http_responses_total counter\n");
    for (int c = 1; c <= 5; c++)
        buf_printf(b, "parley_http_responses_total{class=\"%dxx\"} %" PRIu64 "\n", c,
                   (uint64_t)atomic_load(&s->by_class[c]));
    buf_printf(b, "# TYPE parley_http_refused_total counter\n");
    static const int refused_status[3] = {401, 403, 404};
    for (int i = 0; i < 3; i++)
        buf_printf(b, "parley_http_refused_total{status=\"%d\"} %" PRIu64 "\n", refused_status[i],
                   (uint64_t)atomic_load(&s->refused[i]));
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

static void dispatch(http_server *s, const http_req *req, http_resp *resp)
{
    const char *p = req->path;
    if (strncmp(p, "/log/", 5) == 0)
        route_log(req, resp);
    else if (strncmp(p, "/api/v1/", 8) == 0)
        route_api(req, resp);
    else if (strcmp(p, "/healthz") == 0)
        route_health(req, resp);
    else if (strcmp(p, "/metrics") == 0)
        route_metrics(s, resp);
    else if (strncmp(p, "/taxii2/", 8) == 0 || strcmp(p, "/taxii2") == 0)
        route_taxii(req, resp);
    else
        http_error(resp, 404, "not_found", "no resource at this path");
}

static enum MHD_Result send_resp(http_server *s, struct MHD_Connection *conn, http_resp *resp)
{
    size_t len;
    char *data = buf_steal(&resp->body, &len);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", resp->content_type ? resp->content_type : "application/json");
    MHD_add_response_header(r, "Cache-Control", resp->cache_control ? resp->cache_control : "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (resp->www_authenticate)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, resp->www_authenticate);
    for (int i = 0; i < 2; i++)
        if (resp->extra_name[i])
            MHD_add_response_header(r, resp->extra_name[i], resp->extra_value[i]);
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    int cls = resp->status / 100;
    if (cls >= 1 && cls <= 5)
        atomic_fetch_add(&s->by_class[cls], 1);
    if (resp->status == 401 || resp->status == 403 || resp->status == 404)
        atomic_fetch_add(&s->refused[resp->status == 401 ? 0 : resp->status == 403 ? 1 : 2], 1);
    return rc;
}

/* Every request's credentials are checked once, here, before its body is read. */
static void authenticate(http_server *s, struct MHD_Connection *conn, conn_state *st)
{
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (auth == NULL) {
        perr_set(&st->auth, PERR_UNAUTHENTICATED, "credentials required: Authorization: Bearer <token>");
        return;
    }
    if (hotline_authenticate(&s->node->hl, auth, st->who, &st->auth) != 0)
        st->who[0] = '\0';
}

static int is_read(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

/* Before anything that may resume it starts; 0 if the server is stopping. */
static int suspend(conn_state *st)
{
    atomic_fetch_add(&st->server->suspended, 1);
    if (atomic_load(&st->server->stopping)) {
        atomic_fetch_sub(&st->server->suspended, 1);
        return 0;
    }
    st->phase = PHASE_WAITING;
    MHD_suspend_connection(st->conn);
    return 1;
}

/* From any thread (it is also the log's callback): st may be freed as soon
 * as the connection is resumed. */
static void resume(void *ctx)
{
    conn_state *st = ctx;
    struct MHD_Connection *conn = st->conn;
    st->phase = PHASE_READY;
    MHD_resume_connection(conn);
}

static void *run_offloaded(void *arg)
{
    conn_state *st = arg;
    dispatch(st->server, &st->req, &st->resp);
    resume(st);
    return NULL;
}

static void start_offloaded(conn_state *st, const http_req *req)
{
    st->req = *req;
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, run_offloaded, st) != 0) {
        http_error(&st->resp, 503, "unavailable", "no thread to handle the request; retry later");
        resume(st);
    }
    pthread_attr_destroy(&attr);
}

static void start_logged(conn_state *st, http_req *req)
{
    req->logged = resume;
    req->logged_ctx = st;
    dispatch(st->server, req, &st->resp);
    st->sub = st->resp.pending;
    if (st->sub == NULL) /* answered at once: refused */
        resume(st);
}

static enum MHD_Result answer_ready(http_server *s, struct MHD_Connection *conn, conn_state *st)
{
    atomic_fetch_sub(&s->suspended, 1);
    if (st->sub) {
        route_hotline_logged(st->sub, &st->resp);
        st->sub = NULL;
    }
    return send_resp(s, conn, &st->resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    http_server *s = cls;
    (void)version;
    conn_state *st = *con_cls;
    if (st == NULL) {
        st = calloc(1, sizeof *st);
        if (st == NULL)
            return MHD_NO;
        st->server = s;
        st->conn = conn;
        buf_init(&st->body);
        buf_init(&st->resp.body);
        *con_cls = st;
        authenticate(s, conn, st);
        /* Only an authenticated participant may send a large TAXII bundle. */
        st->max_body = strncmp(url, "/taxii2/", 8) == 0 && st->who[0] ? HTTP_MAX_TAXII_BODY : HTTP_MAX_BODY;
        /* Refuse a declared oversize body before reading any of it. */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > st->max_body)
            st->too_large = 1;
        else
            return MHD_YES;
    }
    if (*upload_data_size > 0 && !st->too_large) {
        if (st->body.len + *upload_data_size > st->max_body) {
            st->too_large = 1;
            buf_free(&st->body);
        } else {
            buf_append(&st->body, upload_data, *upload_data_size);
        }
        *upload_data_size = 0;
        if (!st->too_large)
            return MHD_YES;
    }
    if (st->phase == PHASE_READY)
        return answer_ready(s, conn, st);
    if (st->phase == PHASE_WAITING) /* not resumed yet */
        return MHD_YES;
    http_resp *resp = &st->resp;
    if (st->too_large) {
        http_error(resp, 413, "too_large", "request body is larger than %zu bytes", st->max_body);
    } else if (st->body.failed) {
        http_error(resp, 500, "internal", "out of memory");
    } else {
        http_req req = {
            .method = method,
            .path = url,
            .content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
            .participant = st->who[0] ? st->who : NULL,
            .auth_error = &st->auth,
            .accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT),
            .body = st->body.data ? st->body.data : "",
            .body_len = st->body.len,
            .node = s->node,
            .conn = conn,
        };
        if (is_read(method)) {
            dispatch(s, &req, resp);
        } else if (!suspend(st)) {
            http_error(resp, 503, "unavailable", "the node is shutting down");
        } else {
            if (strcmp(method, "POST") == 0 && strcmp(url, "/api/v1/messages") == 0)
                start_logged(st, &req);
            else
                start_offloaded(st, &req);
            return MHD_YES;
        }
    }
    return send_resp(s, conn, resp);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    conn_state *st = *con_cls;
    if (st) {
        buf_free(&st->body);
        buf_free(&st->resp.body);
        free(st);
        *con_cls = NULL;
    }
}

/* One more than the cores: the sequencer shares the cores with the polling
 * threads, and the extra one keeps admission going while it runs. The
 * scheduler then gives admission a larger share, so each batch (one fsync,
 * one burst of answers) holds more entries, and an append costs less
 * (docs/benchmarks.md, session 8). */
unsigned http_server_pollers(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 2u : cores + 1 > HTTP_MAX_POLLERS ? HTTP_MAX_POLLERS : (unsigned)cores + 1;
}

http_server *http_server_start(node *n, const char *listen, int port, perr *err)
{
    http_server *s = calloc(1, sizeof *s);
    if (s == NULL) {
        perr_set(err, PERR_INTERNAL, "out of memory");
        return NULL;
    }
    s->node = n;
    struct sockaddr_in6 a6 = {0};
    struct sockaddr_in a4 = {0};
    struct sockaddr *addr;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (inet_pton(AF_INET, listen, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)port);
        addr = (struct sockaddr *)&a4;
    } else if (inet_pton(AF_INET6, listen, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)port);
        addr = (struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
    } else {
        free(s);
        perr_set(err, PERR_INVALID, "listen address %s is not an IPv4 or IPv6 address", listen);
        return NULL;
    }
    s->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, s,
                                 MHD_OPTION_SOCK_ADDR, addr,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)n->cfg.max_connections,
                                 MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTP_CONNECTION_MEMORY,
                                 MHD_OPTION_THREAD_POOL_SIZE, http_server_pollers(),
                                 MHD_OPTION_END);
    if (s->daemon == NULL) {
        free(s);
        perr_set(err, PERR_IO, "cannot listen on %s port %d", listen, port);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : port;
    return s;
}

int http_server_port(const http_server *s)
{
    return s->port;
}

void http_server_stop(http_server *s)
{
    if (s == NULL)
        return;
    /* MHD must not stop with a suspended connection; those wait on the log
     * or on an offloaded write, which the still-running node finishes. */
    atomic_store(&s->stopping, 1);
    while (atomic_load(&s->suspended) > 0)
        usleep(1000);
    MHD_stop_daemon(s->daemon);
    free(s);
}
