/* bench_append.c — durable signed-envelope appends against the machine's raw
 * Ed25519 verification rate, measured in the same run:
 *   1. libsodium crypto_sign_verify_detached per second (1 thread, all cores)
 *   2. appends per second through the library (parse, verify, admit, group
 *      commit with fsync, signed checkpoint, inclusion proof, receipt): one
 *      thread per core keeps IN_FLIGHT submissions going (hotline_submit_start)
 *   3. the same through POST /api/v1/messages over loopback HTTP (keep-alive,
 *      bearer token): IN_FLIGHT connections with one request each, driven by
 *      one epoll thread
 * The two phases run BENCH_PHASE_RUNS times, each time on a fresh node with
 * fresh envelopes. The 1-thread verify rate is taken again after every phase,
 * and each is judged against the better of the readings on either side of it;
 * the median ratio is the figure. This host's speed moves within seconds, and
 * one low reading, or one slow phase, should not decide it.
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

#define BENCH_PHASE_RUNS 3 /* repetitions of both phases; the median ratio is the figure */

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

/* A phase's measuring window: the sequencer's counters and each thread's
 * CPU, read before and after. */
typedef struct phase_probe {
    node *n;
    seq_stats st0, st1;
    thread_cpu t0, t1;
} phase_probe;

static void probe_start(phase_probe *p, node *n)
{
    p->n = n;
    sequencer_stats_get(n->seq, &p->st0);
    thread_cpu_snap(&p->t0);
}

static void probe_stop(phase_probe *p)
{
    thread_cpu_snap(&p->t1);
    sequencer_stats_get(p->n->seq, &p->st1);
}

/* Ends a phase's figures line (batching, sequencer time, failures) and
 * prints its CPU per append by thread. */
static void probe_report(const phase_probe *p, double cpu_us, int failed, const char *const *threads,
                         const char *rest_label)
{
    double ops = (double)(p->st1.entries - p->st0.entries);
    unsigned long long batches = (unsigned long long)(p->st1.batches - p->st0.batches);
    printf("%llu batches = %.1f entries/fsync, sequencer %.1f us/entry, %d failed)\n", batches,
           ops / (double)batches, (double)(p->st1.busy_us - p->st0.busy_us) / ops, failed);
    print_thread_cpu(&p->t0, &p->t1, threads, rest_label, cpu_us * ops / 1e6, ops);
}

/* One library phase: prints its figures, returns appends per second. */
static double lib_phase(node *n, char **envs, int total, int clients, int cores, int *failures)
{
    phase_probe p;
    double cpu_us;
    int failed;
    probe_start(&p, n);
    double rate = run_lib_clients(n, envs, total, clients, cores, &failed, &cpu_us);
    probe_stop(&p);
    printf("library appends + receipts:  %9.0f /s  (%d threads, %d in flight, %.0f us CPU/append, ", rate, cores,
           clients, cpu_us);
    probe_report(&p, cpu_us, failed, seq_thread, "callers (admission)");
    *failures += failed;
    return rate;
}

/* One HTTP phase on a fresh server: prints its figures, returns appends per second. */
static double http_phase(node *n, char **envs, int total, int clients, int *failures)
{
    perr err;
    http_server *srv = http_server_start(n, "127.0.0.1", 0, &err);
    if (srv == NULL) {
        fprintf(stderr, "%s\n", err.msg);
        *failures += total;
        return 0;
    }
    phase_probe p;
    double cpu_us;
    int failed;
    probe_start(&p, n);
    double rate = run_http_clients(http_server_port(srv), bench_token, envs, total, clients, &failed, &cpu_us);
    probe_stop(&p);
    printf("HTTP POST appends + receipts:%9.0f /s  (%d keep-alive connections, %.0f us CPU/append, ", rate, clients,
           cpu_us);
    probe_report(&p, cpu_us, failed, server_threads, "load generator");
    http_server_stop(srv);
    *failures += failed;
    return rate;
}

/* A fresh node in a temporary directory, with US and RU registered, their
 * group, and a bearer token for US in bench_token; NULL on error. */
static node *bench_node_open(char *dir, const participant_secret *us, const participant_secret *ru)
{
    char nodedir[64];
    if (mkdtemp(dir) == NULL)
        return NULL;
    snprintf(nodedir, sizeof nodedir, "%s/node", dir);
    perr err;
    node *n = node_init(nodedir, "bench.example/log", 0, &err) == 0 ? node_open(nodedir, &err) : NULL;
    participant_public pub;
    const char *members[] = {"US", "RU"};
    keyfile_public_of(us, &pub);
    int setup = n ? bootstrap_participant(n, &pub, "United States", &err) : -1;
    keyfile_public_of(ru, &pub);
    if (setup == 0)
        setup = bootstrap_participant(n, &pub, "Russian Federation", &err);
    if (setup == 0)
        setup = bootstrap_group(n, "us-ru-ict", members, 2, NULL, &err);
    if (setup == 0)
        setup = bootstrap_token(n, "US", bench_token, &err);
    if (setup != 0) {
        fprintf(stderr, "%s\n", err.msg);
        node_close(n);
        return NULL;
    }
    return n;
}

static int bench_node_remove(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Judges one run against the 1-thread verify readings taken just before and
 * just after it (the better of the two: on a shared host either can be low). */
static double judge_run(const char *label, int r, int runs, double rate, double *verify)
{
    double after = verify_rate(1), ratio = rate / (after > *verify ? after : *verify);
    printf("  %s run %d of %d: %.0f%% of 1-thread verify (%.0f /s before, %.0f /s after)\n", label, r + 1, runs,
           100 * ratio, *verify, after);
    *verify = after;
    return ratio;
}

int main(int argc, char **argv)
{
    int total, clients;
    if (bench_args(argc, argv, &total, &clients) != 0)
        return 2;
    print_machine();
    int cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
    /* BENCH_ONLY=lib or BENCH_ONLY=http runs that phase alone, once, with
     * no verify baseline, for profiling; "measuring" is printed when
     * preparation ends. */
    const char *only = getenv("BENCH_ONLY");
    int run_lib = only == NULL || strcmp(only, "lib") == 0, run_http = only == NULL || strcmp(only, "http") == 0;
    int runs = only ? 1 : BENCH_PHASE_RUNS;
    double verify = only ? 0 : verify_rate(1), vall = only ? 0 : verify_rate(cores);
    if (!only)
        printf("raw Ed25519 verify:          %9.0f /s (1 thread)   %9.0f /s (%d threads)\n", verify, vall, cores);
    perr err;
    participant_secret us, ru;
    keyfile_generate("US", &us, &err);
    keyfile_generate("RU", &ru, &err);
    printf("preparing %d signed envelopes (600-byte payloads)...\n", (run_lib + run_http) * runs * total);
    char **lib_envs[BENCH_PHASE_RUNS] = {0}, **http_envs[BENCH_PHASE_RUNS] = {0};
    for (int r = 0; r < runs; r++) {
        lib_envs[r] = run_lib ? make_envelopes(&us, &ru, total) : NULL;
        http_envs[r] = run_http ? make_envelopes(&us, &ru, total) : NULL;
    }
    printf("measuring\n");
    fflush(stdout);

    int failures = 0;
    double lib_ratio[BENCH_PHASE_RUNS], http_ratio[BENCH_PHASE_RUNS];
    for (int r = 0; r < runs && failures == 0; r++) {
        char dir[] = "/tmp/parley-bench-XXXXXX";
        node *n = bench_node_open(dir, &us, &ru);
        if (n == NULL) {
            bench_node_remove(dir);
            failures++;
            break;
        }
        if (run_lib) {
            double rate = lib_phase(n, lib_envs[r], total, clients, cores, &failures);
            if (!only)
                lib_ratio[r] = judge_run("library", r, runs, rate, &verify);
        }
        if (run_http) {
            double rate = http_phase(n, http_envs[r], total, clients, &failures);
            if (!only)
                http_ratio[r] = judge_run("HTTP", r, runs, rate, &verify);
        }
        seq_stats st;
        sequencer_stats_get(n->seq, &st);
        printf("log size after run %d: %llu entries\n", r + 1, (unsigned long long)st.tree_size);
        node_close(n);
        if (bench_node_remove(dir) != 0)
            failures++;
    }
    if (!only && failures == 0)
        printf("ratio to 1-thread verify, the median of %d runs: library %.0f%%, HTTP %.0f%%\n", runs,
               100 * percentile(lib_ratio, (size_t)runs, 0.5), 100 * percentile(http_ratio, (size_t)runs, 0.5));
    for (int r = 0; r < runs; r++) {
        free_envelopes(lib_envs[r], total);
        free_envelopes(http_envs[r], total);
    }
    keyfile_wipe(&us);
    keyfile_wipe(&ru);
    return failures == 0 ? 0 : 1;
}
