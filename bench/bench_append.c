/* bench_append.c — durable signed-envelope appends against the machine's raw
 * Ed25519 verification rate, measured in the same run:
 *   1. libsodium crypto_sign_verify_detached per second (1 thread, all cores)
 *   2. appends per second through the library (parse, verify, admit, group
 *      commit with fsync, signed checkpoint, inclusion proof, receipt): one
 *      thread per core keeps IN_FLIGHT submissions going (hotline_submit_start)
 *   3. the same through POST /api/v1/messages over loopback HTTP (keep-alive,
 *      bearer token): IN_FLIGHT connections with one request each, driven by
 *      one epoll thread
 * Usage: bench_append [ENVELOPES] [IN_FLIGHT]   (defaults 20000, 256)
 * A throughput figure needs enough requests in flight that the server, not
 * the client's window, is the limit: with 64, a request's turn on a core
 * (64 x ~100 us / 2 cores) already bounds the rate (Little's law). */
#include <errno.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keyfile.h"
#include "envelope/envelope.h"
#include "crypto/seal.h"
#include "hotline/hotline.h"
#include "node/bootstrap.h"
#include "http/server.h"
#include "node/node.h"
#include "util/clock.h"
#include "benchutil.h"

typedef struct { double seconds; long count; } verify_arg;
static uint8_t vk_pk[32], vk_sig[64];
static const char vk_msg[] = "parley-envelope/v1\n{\"header\":\"a typical 500-byte header\"}";

static void *verify_loop(void *p)
{
    verify_arg *a = p;
    double end = now_s() + a->seconds;
    while (now_s() < end)
        for (int i = 0; i < 100; i++)
            a->count += crypto_sign_verify_detached(vk_sig, (const uint8_t *)vk_msg, sizeof vk_msg, vk_pk) == 0;
    return NULL;
}

static double verify_rate(int threads)
{
    pthread_t th[64];
    verify_arg a[64];
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
static char **make_envelopes(const participant_secret *from, const participant_secret *to_key, int n)
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

static char bench_token[CREDENTIAL_TOKEN_MAX];


/* Library clients: one thread per core, each keeping its share of the
 * requests in flight through hotline_submit_start; no thread waits on a
 * commit, as in a server that resumes requests when their receipt is ready. */
typedef struct lib_slot {
    struct lib_worker *w;
    hotline_submission *sub;
    struct lib_slot *next;
} lib_slot;

typedef struct lib_worker {
    node *n;
    char **envs;
    int first, count, window, failures;
    pthread_mutex_t mu;
    pthread_cond_t logged;
    lib_slot *done; /* pushed by the sequencer thread */
} lib_worker;

static void on_logged(void *ctx)
{
    lib_slot *s = ctx;
    pthread_mutex_lock(&s->w->mu);
    s->next = s->w->done;
    s->w->done = s;
    pthread_cond_signal(&s->w->logged);
    pthread_mutex_unlock(&s->w->mu);
}

static void *lib_client(void *p)
{
    lib_worker *w = p;
    lib_slot *slots = calloc((size_t)w->window, sizeof *slots), *free_slots = NULL;
    for (int i = 0; i < w->window; i++) {
        slots[i] = (lib_slot){w, NULL, free_slots};
        free_slots = &slots[i];
    }
    buf receipt;
    buf_init(&receipt);
    perr err;
    int next = w->first, end = w->first + w->count, inflight = 0;
    while (next < end || inflight > 0) {
        while (free_slots && next < end) {
            lib_slot *s = free_slots;
            free_slots = s->next;
            s->sub = hotline_submit_start(&w->n->hl, "US", w->envs[next], strlen(w->envs[next]), on_logged, s, &err);
            next++;
            if (s->sub) {
                inflight++;
                continue;
            }
            if (w->failures++ == 0)
                fprintf(stderr, "append refused: %s\n", err.msg);
            s->next = free_slots;
            free_slots = s;
        }
        pthread_mutex_lock(&w->mu);
        while (w->done == NULL)
            pthread_cond_wait(&w->logged, &w->mu);
        lib_slot *done = w->done;
        w->done = NULL;
        pthread_mutex_unlock(&w->mu);
        for (lib_slot *s = done, *n; s; s = n) {
            n = s->next;
            buf_reset(&receipt);
            if (hotline_submit_finish(s->sub, &receipt, &err) != 0 && w->failures++ == 0)
                fprintf(stderr, "append failed: %s\n", err.msg);
            inflight--;
            s->next = free_slots;
            free_slots = s;
        }
    }
    buf_free(&receipt);
    free(slots);
    return NULL;
}

static double run_lib_clients(node *n, char **envs, int total, int in_flight, int threads, int *failures,
                              double *cpu_us)
{
    pthread_t th[64];
    lib_worker w[64];
    int per = total / threads;
    double t0 = now_s(), c0 = cpu_s();
    for (int t = 0; t < threads; t++) {
        w[t] = (lib_worker){.n = n, .envs = envs, .first = t * per, .count = per,
                            .window = in_flight / threads > 0 ? in_flight / threads : 1};
        pthread_mutex_init(&w[t].mu, NULL);
        pthread_cond_init(&w[t].logged, NULL);
        pthread_create(&th[t], NULL, lib_client, &w[t]);
    }
    *failures = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(th[t], NULL);
        *failures += w[t].failures;
        pthread_mutex_destroy(&w[t].mu);
        pthread_cond_destroy(&w[t].logged);
    }
    double elapsed = now_s() - t0;
    *cpu_us = (cpu_s() - c0) * 1e6 / (per * threads);
    return per * threads / elapsed;
}

/* HTTP clients: keep-alive connections, each with one request outstanding,
 * all driven by one epoll thread, so the load generator takes little of the
 * CPU it shares with the server it measures. */
typedef struct http_conn {
    int fd, next, end;
    char *in;
    size_t have, cap;
} http_conn;

static int send_envelope(http_conn *c, char **envs)
{
    char head[400];
    size_t blen = strlen(envs[c->next]);
    snprintf(head, sizeof head, "POST /api/v1/messages HTTP/1.1\r\nHost: bench\r\n"
             "Authorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n", bench_token, blen);
    c->have = 0;
    return bench_send(c->fd, head, envs[c->next], blen);
}

/* 1: a whole response is in c->in (status in *status); 0: not yet; -1: closed. */
static int read_some(http_conn *c, int *status)
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

static double run_http_clients(int port, char **envs, int total, int conns, int *failures, double *cpu_us)
{
    int per = total / conns, ep = epoll_create1(0), open_conns = 0;
    http_conn *c = calloc((size_t)conns, sizeof *c);
    *failures = 0;
    double t0 = now_s(), c0 = cpu_s();
    for (int i = 0; i < conns; i++) {
        c[i] = (http_conn){.fd = bench_connect(port), .next = i * per, .end = (i + 1) * per};
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
            for (int i = 0; i < conns; i++)
                if (c[i].next < c[i].end && c[i].fd >= 0)
                    *failures += c[i].end - c[i].next;
            break;
        }
        for (int k = 0; k < n; k++) {
            http_conn *x = evs[k].data.ptr;
            int status = 0, rc = read_some(x, &status);
            if (rc == 0)
                continue;
            if (rc == 1) {
                *failures += status != 201;
                if (++x->next < x->end && send_envelope(x, envs) == 0)
                    continue;
            }
            *failures += x->end - x->next; /* the request in flight, if any, and those never sent */
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

int main(int argc, char **argv)
{
    int total = argc > 1 ? atoi(argv[1]) : 20000;
    int clients = argc > 2 ? atoi(argv[2]) : 256;
    if (sodium_init() < 0 || clients < 1 || clients > 1024 || total < clients)
        return 2;
    print_machine();
    uint8_t sk[64];
    crypto_sign_keypair(vk_pk, sk);
    crypto_sign_detached(vk_sig, NULL, (const uint8_t *)vk_msg, sizeof vk_msg, sk);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    /* BENCH_ONLY=lib or BENCH_ONLY=http runs that phase alone (no verify
     * baseline), for profiling; "measuring" is printed when preparation ends. */
    const char *only = getenv("BENCH_ONLY");
    int run_lib = only == NULL || strcmp(only, "lib") == 0, run_http = only == NULL || strcmp(only, "http") == 0;
    double v1 = only ? 0 : verify_rate(1), vall = only ? 0 : verify_rate((int)cores);
    if (!only)
        printf("raw Ed25519 verify:          %9.0f /s (1 thread)   %9.0f /s (%ld threads)\n", v1, vall, cores);

    char dir[] = "/tmp/parley-bench-XXXXXX";
    mkdtemp(dir);
    char nodedir[64];
    snprintf(nodedir, sizeof nodedir, "%s/node", dir);
    perr err;
    participant_secret us, ru;
    keyfile_generate("US", &us, &err);
    keyfile_generate("RU", &ru, &err);
    if (node_init(nodedir, "bench.example/log", 0, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    node *n = node_open(nodedir, &err);
    participant_public pub;
    const char *members[] = {"US", "RU"};
    keyfile_public_of(&us, &pub);
    int setup = n ? bootstrap_participant(n, &pub, "United States", &err) : -1;
    keyfile_public_of(&ru, &pub);
    if (setup == 0)
        setup = bootstrap_participant(n, &pub, "Russian Federation", &err);
    if (setup == 0)
        setup = bootstrap_group(n, "us-ru-ict", members, 2, NULL, &err);
    if (setup == 0)
        setup = bootstrap_token(n, "US", bench_token, &err);
    if (setup != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    printf("preparing %d signed envelopes (600-byte payloads)...\n", (run_lib + run_http) * total);
    char **lib_envs = run_lib ? make_envelopes(&us, &ru, total) : NULL;
    char **http_envs = run_http ? make_envelopes(&us, &ru, total) : NULL;
    printf("measuring\n");
    fflush(stdout);

    int failures = 0;
    double lib = 0, http = 0;
    seq_stats st0, st1;
    if (run_lib) {
        sequencer_stats_get(n->seq, &st0);
        double cpu_us;
        lib = run_lib_clients(n, lib_envs, total, clients, (int)cores, &failures, &cpu_us);
        sequencer_stats_get(n->seq, &st1);
        printf("library appends + receipts:  %9.0f /s  (%d threads, %d in flight, %.0f us CPU/append, %llu batches = "
               "%.1f entries/fsync, sequencer %.1f us/entry, %d failed)\n",
               lib, (int)cores, clients, cpu_us, (unsigned long long)(st1.batches - st0.batches),
               (double)(st1.entries - st0.entries) / (double)(st1.batches - st0.batches),
               (double)(st1.busy_us - st0.busy_us) / (double)(st1.entries - st0.entries), failures);
        print_seq_schedstat();
    }
    if (run_http) {
        int http_failures;
        http_server *srv = http_server_start(n, "127.0.0.1", 0, &err);
        sequencer_stats_get(n->seq, &st0);
        double cpu_us;
        http = run_http_clients(http_server_port(srv), http_envs, total, clients, &http_failures, &cpu_us);
        sequencer_stats_get(n->seq, &st1);
        printf("HTTP POST appends + receipts:%9.0f /s  (%d keep-alive connections, %.0f us CPU/append, "
               "%.1f entries/fsync, sequencer %.1f us/entry, %d failed)\n",
               http, clients, cpu_us, (double)(st1.entries - st0.entries) / (double)(st1.batches - st0.batches),
               (double)(st1.busy_us - st0.busy_us) / (double)(st1.entries - st0.entries), http_failures);
        http_server_stop(srv);
        failures += http_failures;
    }
    if (!only) {
        printf("ratio library/verify:        %5.0f%% of 1-thread verify, %3.0f%% of %ld-thread verify\n",
               100 * lib / v1, 100 * lib / vall, cores);
        printf("ratio HTTP/verify:           %5.0f%% of 1-thread verify, %3.0f%% of %ld-thread verify\n",
               100 * http / v1, 100 * http / vall, cores);
    }
    sequencer_stats_get(n->seq, &st1);
    printf("log size after run: %llu entries\n", (unsigned long long)st1.tree_size);
    node_close(n);
    for (int i = 0; i < total; i++) {
        if (lib_envs)
            free(lib_envs[i]);
        if (http_envs)
            free(http_envs[i]);
    }
    free(lib_envs);
    free(http_envs);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 && failures == 0 ? 0 : 1;
}
