/* benchload.h — the load the append benchmarks share: the raw Ed25519
 * verification rate they are judged against, the signed envelopes they send
 * (what a participant's client would), and the epoll HTTP client that posts
 * them. Included by one benchmark program each, hence static inline
 * functions (a program need not use them all). */
#ifndef PARLEY_BENCHLOAD_H
#define PARLEY_BENCHLOAD_H

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <sys/epoll.h>

#include "benchutil.h"
#include "crypto/keyfile.h"
#include "crypto/seal.h"
#include "envelope/envelope.h"
#include "util/clock.h"

#define VERIFY_MAX_THREADS 64
#define BENCH_MAX_IN_FLIGHT 1024

/* [ENVELOPES] [IN_FLIGHT] (defaults 20000, 256); 0 if they are usable and
 * libsodium is ready. */
static inline int bench_args(int argc, char **argv, int *total, int *in_flight)
{
    *total = argc > 1 ? atoi(argv[1]) : 20000;
    *in_flight = argc > 2 ? atoi(argv[2]) : 256;
    if (*in_flight < 1 || *in_flight > BENCH_MAX_IN_FLIGHT || *total < *in_flight) {
        fprintf(stderr, "usage: %s [ENVELOPES] [IN_FLIGHT (1-%d, at most ENVELOPES)]\n", argv[0],
                BENCH_MAX_IN_FLIGHT);
        return -1;
    }
    return sodium_init() < 0 ? -1 : 0;
}

typedef struct { double seconds; long count; } verify_arg;
static uint8_t vk_pk[32], vk_sig[64];
static int vk_ready;
static const char vk_msg[] = "parley-envelope/v1\n{\"header\":\"a typical 500-byte header\"}";

static inline void *verify_loop(void *p)
{
    verify_arg *a = p;
    double end = now_s() + a->seconds;
    while (now_s() < end)
        for (int i = 0; i < 100; i++)
            a->count += crypto_sign_verify_detached(vk_sig, (const uint8_t *)vk_msg, sizeof vk_msg, vk_pk) == 0;
    return NULL;
}

/* Raw libsodium Ed25519 verifications per second on `threads` threads: the
 * yardstick the append benchmarks are judged against. */
static inline double verify_rate(int threads)
{
    if (!vk_ready) {
        uint8_t sk[64];
        crypto_sign_keypair(vk_pk, sk);
        crypto_sign_detached(vk_sig, NULL, (const uint8_t *)vk_msg, sizeof vk_msg, sk);
        sodium_memzero(sk, sizeof sk);
        vk_ready = 1;
    }
    if (threads > VERIFY_MAX_THREADS)
        threads = VERIFY_MAX_THREADS;
    pthread_t th[VERIFY_MAX_THREADS];
    verify_arg a[VERIFY_MAX_THREADS];
    for (int t = 0; t < threads; t++) {
        a[t] = (verify_arg){2.0, 0};
        pthread_create(&th[t], NULL, verify_loop, &a[t]);
    }
    long total = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(th[t], NULL);
        total += a[t].count;
    }
    return total / 2.0;
}

/* TLP:AMBER notifications whose 600-byte plaintext is sealed to RU and US. */
static inline char **make_envelopes(const participant_secret *from, const participant_secret *to_key, int n)
{
    char **out = malloc(sizeof *out * (size_t)n);
    const char *to[] = {"RU"};
    char plain[600];
    memset(plain, 'x', sizeof plain);
    seal_reader readers[] = {{to_key->id, to_key->box_pk}, {from->id, from->box_pk}};
    for (int i = 0; i < n; i++) {
        char id[IDENT_UUID_LEN + 1];
        ident_new_uuid(id, clock_now_ms());
        buf payload;
        buf_init(&payload);
        perr err;
        if (seal_payload((const uint8_t *)plain, sizeof plain, id, readers, 2, &payload, &err) != 0) {
            fprintf(stderr, "%s\n", err.msg);
            exit(1);
        }
        envelope_params p = {.id = id, .group = "us-ru-ict", .recipients = to, .nrecipients = 1,
                             .kind = KIND_NOTIFICATION, .created_ms = clock_now_ms(),
                             .deadline_ms = clock_now_ms() + 86400000, .tlp = TLP_AMBER,
                             .payload = (const uint8_t *)payload.data, .payload_len = payload.len};
        envelope e;
        int rc = envelope_build(&p, &from->signer, &e, &err);
        buf_free(&payload);
        if (rc != 0) {
            fprintf(stderr, "%s\n", err.msg);
            exit(1);
        }
        json_t *j = envelope_to_json(&e);
        out[i] = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        envelope_free(&e);
    }
    return out;
}

static inline void free_envelopes(char **envs, int n)
{
    for (int i = 0; envs && i < n; i++)
        free(envs[i]);
    free(envs);
}

/* HTTP clients: keep-alive connections, each with one request outstanding,
 * all driven by one epoll thread, so the load generator takes little of the
 * CPU it shares with the server it measures. Connection i of n sends
 * envelopes i, i+n, i+2n...: the envelopes were made in id order, so what is
 * in flight at any moment was made at about the same time, as when each
 * sender makes a message and sends it at once. */
typedef struct http_conn {
    const char *token;
    int fd, next, end, step;
    char *in;
    size_t have, cap;
} http_conn;

static inline int send_envelope(http_conn *c, char **envs)
{
    char head[400];
    size_t blen = strlen(envs[c->next]);
    snprintf(head, sizeof head, "POST /api/v1/messages HTTP/1.1\r\nHost: bench\r\n"
             "Authorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n", c->token, blen);
    c->have = 0;
    return bench_send(c->fd, head, envs[c->next], blen);
}

/* 1: a whole response is in c->in (status in *status); 0: not yet; -1: closed. */
static inline int read_some(http_conn *c, int *status)
{
    if (c->have + 65536 > c->cap) {
        c->cap = (c->cap + 65536) * 2;
        c->in = realloc(c->in, c->cap + 1);
    }
    ssize_t r = read(c->fd, c->in + c->have, c->cap - c->have);
    if (r <= 0)
        return -1;
    c->have += (size_t)r;
    c->in[c->have] = '\0';
    size_t body_at;
    return bench_response_complete(c->in, c->have, status, &body_at);
}

/* The request in flight, if any, and those not sent yet. */
static inline int requests_left(const http_conn *c)
{
    return c->next < c->end ? (c->end - c->next + c->step - 1) / c->step : 0;
}

static inline double run_http_clients(int port, const char *token, char **envs, int total, int conns, int *failures, double *cpu_us)
{
    int per = total / conns, ep = epoll_create1(0), open_conns = 0;
    http_conn *c = calloc((size_t)conns, sizeof *c);
    *failures = 0;
    double t0 = now_s(), c0 = cpu_s();
    for (int i = 0; i < conns; i++) {
        c[i] = (http_conn){.token = token, .fd = bench_connect(port), .next = i, .end = i + per * conns, .step = conns};
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &c[i]};
        if (c[i].fd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev) != 0 || send_envelope(&c[i], envs) != 0) {
            *failures += per;
            if (c[i].fd >= 0)
                close(c[i].fd);
            c[i].next = c[i].end;
            continue;
        }
        open_conns++;
    }
    struct epoll_event evs[64];
    while (open_conns > 0) {
        int n = epoll_wait(ep, evs, 64, 10000);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) { /* no answer for 10 s: what is left failed */
            int waiting = 0, left = 0;
            for (int i = 0; i < conns; i++)
                if (c[i].next < c[i].end && c[i].fd >= 0) {
                    waiting++;
                    left += requests_left(&c[i]);
                }
            fprintf(stderr, "no answer for 10 s on any of %d connections: %d requests failed\n", waiting, left);
            *failures += left;
            break;
        }
        for (int k = 0; k < n; k++) {
            http_conn *x = evs[k].data.ptr;
            int status = 0, rc = read_some(x, &status);
            if (rc == 0)
                continue;
            if (rc == 1) {
                if (status != 201 && (*failures)++ < 3) /* the first few, to say why */
                    fprintf(stderr, "answered %d: %.300s\n", status, x->in);
                if ((x->next += x->step) < x->end && send_envelope(x, envs) == 0)
                    continue;
            }
            if (x->next < x->end)
                fprintf(stderr, "connection %s with %d requests left\n", rc < 0 ? "closed" : "unusable",
                        requests_left(x));
            *failures += requests_left(x);
            x->next = x->end;
            close(x->fd);
            open_conns--;
        }
    }
    double elapsed = now_s() - t0;
    *cpu_us = (cpu_s() - c0) * 1e6 / (per * conns);
    for (int i = 0; i < conns; i++)
        free(c[i].in);
    free(c);
    close(ep);
    return per * conns / elapsed;
}

#endif
