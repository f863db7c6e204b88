/* bench_append.c — durable signed-envelope appends against the machine's raw
 * Ed25519 verification rate, measured in the same run:
 *   1. libsodium crypto_sign_verify_detached per second (1 thread, all cores;
 *      the 1-thread rate again at the end, and the better of the two is the
 *      yardstick)
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchload.h"
#include "hotline/hotline.h"
#include "http/server.h"
#include "node/bootstrap.h"
#include "node/node.h"

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

static const char *const seq_thread[] = {"parley-seq", NULL};
static const char *const server_threads[] = {"MHD-worker", "parley-seq", NULL};

int main(int argc, char **argv)
{
    int total, clients;
    if (bench_args(argc, argv, &total, &clients) != 0)
        return 2;
    print_machine();
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
        thread_cpu t0, t1;
        thread_cpu_snap(&t0);
        double cpu_us;
        lib = run_lib_clients(n, lib_envs, total, clients, (int)cores, &failures, &cpu_us);
        thread_cpu_snap(&t1);
        sequencer_stats_get(n->seq, &st1);
        printf("library appends + receipts:  %9.0f /s  (%d threads, %d in flight, %.0f us CPU/append, %llu batches = "
               "%.1f entries/fsync, sequencer %.1f us/entry, %d failed)\n",
               lib, (int)cores, clients, cpu_us, (unsigned long long)(st1.batches - st0.batches),
               (double)(st1.entries - st0.entries) / (double)(st1.batches - st0.batches),
               (double)(st1.busy_us - st0.busy_us) / (double)(st1.entries - st0.entries), failures);
        double ops = (double)(st1.entries - st0.entries);
        print_thread_cpu(&t0, &t1, seq_thread, "callers (admission)", cpu_us * ops / 1e6, ops);
    }
    if (run_http) {
        int http_failures;
        http_server *srv = http_server_start(n, "127.0.0.1", 0, &err);
        sequencer_stats_get(n->seq, &st0);
        thread_cpu t0, t1;
        thread_cpu_snap(&t0);
        double cpu_us;
        http = run_http_clients(http_server_port(srv), bench_token, http_envs, total, clients, &http_failures, &cpu_us);
        thread_cpu_snap(&t1);
        sequencer_stats_get(n->seq, &st1);
        printf("HTTP POST appends + receipts:%9.0f /s  (%d keep-alive connections, %.0f us CPU/append, "
               "%.1f entries/fsync, sequencer %.1f us/entry, %d failed)\n",
               http, clients, cpu_us, (double)(st1.entries - st0.entries) / (double)(st1.batches - st0.batches),
               (double)(st1.busy_us - st0.busy_us) / (double)(st1.entries - st0.entries), http_failures);
        double ops = (double)(st1.entries - st0.entries);
        print_thread_cpu(&t0, &t1, server_threads, "load generator", cpu_us * ops / 1e6, ops);
        http_server_stop(srv);
        failures += http_failures;
    }
    if (!only) {
        /* Taken again: on a shared host either reading can be low, and the
         * ratios are judged against the better one. */
        double v1_after = verify_rate(1);
        printf("raw Ed25519 verify after:    %9.0f /s (1 thread)\n", v1_after);
        if (v1_after > v1)
            v1 = v1_after;
        printf("ratio library/verify:        %5.0f%% of the better 1-thread verify, %3.0f%% of %ld-thread verify\n",
               100 * lib / v1, 100 * lib / vall, cores);
        printf("ratio HTTP/verify:           %5.0f%% of the better 1-thread verify, %3.0f%% of %ld-thread verify\n",
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
