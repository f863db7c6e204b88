/* bench_append.c — durable signed-envelope appends against the machine's raw
 * Ed25519 verification rate, measured in the same run:
 *   1. libsodium crypto_sign_verify_detached per second (1 thread, all cores)
 *   2. appends per second through the library (parse, verify, admit, group
 *      commit with fsync, signed checkpoint, inclusion proof, receipt)
 *   3. the same through POST /api/v1/messages over loopback HTTP (keep-alive, bearer token)
 * Usage: bench_append [ENVELOPES] [CLIENTS]   (defaults 20000, 32) */
#include <pthread.h>
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

typedef struct {
    node *n;
    char **envs;
    int first, count, port, failures;
} client_arg;

static void *lib_client(void *p)
{
    client_arg *a = p;
    buf receipt;
    buf_init(&receipt);
    for (int i = a->first; i < a->first + a->count; i++) {
        perr err;
        buf_reset(&receipt);
        if (hotline_submit(&a->n->hl, "US", a->envs[i], strlen(a->envs[i]), &receipt, &err) != 0 &&
            a->failures++ == 0)
            fprintf(stderr, "append failed: %s\n", err.msg);
    }
    buf_free(&receipt);
    return NULL;
}

/* One keep-alive connection per thread. */
static void *http_client(void *p)
{
    client_arg *a = p;
    int fd = bench_connect(a->port);
    if (fd < 0) {
        a->failures = a->count;
        return NULL;
    }
    size_t cap = 1 << 16;
    char *resp = malloc(cap), *body, head[400];
    for (int i = a->first; i < a->first + a->count; i++) {
        size_t blen = strlen(a->envs[i]);
        snprintf(head, sizeof head, "POST /api/v1/messages HTTP/1.1\r\nHost: bench\r\n"
                 "Authorization: Bearer %s\r\n"
                 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n", bench_token, blen);
        if (bench_send(fd, head, a->envs[i], blen) != 0 || bench_read_response(fd, &resp, &cap, &body) != 201)
            a->failures++;
    }
    free(resp);
    close(fd);
    return NULL;
}

/* Appends per second; *cpu_us: process CPU time per append (clients included). */
static double run_clients(void *(*fn)(void *), node *n, char **envs, int total, int clients,
                          int port, int *failures, double *cpu_us)
{
    pthread_t th[256];
    client_arg a[256];
    int per = total / clients;
    double t0 = now_s(), c0 = cpu_s();
    for (int c = 0; c < clients; c++) {
        a[c] = (client_arg){n, envs, c * per, per, port, 0};
        pthread_create(&th[c], NULL, fn, &a[c]);
    }
    *failures = 0;
    for (int c = 0; c < clients; c++) {
        pthread_join(th[c], NULL);
        *failures += a[c].failures;
    }
    double elapsed = now_s() - t0;
    *cpu_us = (cpu_s() - c0) * 1e6 / (per * clients);
    return per * clients / elapsed;
}

int main(int argc, char **argv)
{
    int total = argc > 1 ? atoi(argv[1]) : 20000;
    int clients = argc > 2 ? atoi(argv[2]) : 32;
    if (sodium_init() < 0 || clients < 1 || clients > 256 || total < clients)
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
        lib = run_clients(lib_client, n, lib_envs, total, clients, 0, &failures, &cpu_us);
        sequencer_stats_get(n->seq, &st1);
        printf("library appends + receipts:  %9.0f /s  (%d threads, %.0f us CPU/append, %llu batches = "
               "%.1f entries/fsync, sequencer %.1f us/entry, %d failed)\n",
               lib, clients, cpu_us, (unsigned long long)(st1.batches - st0.batches),
               (double)(st1.entries - st0.entries) / (double)(st1.batches - st0.batches),
               (double)(st1.busy_us - st0.busy_us) / (double)(st1.entries - st0.entries), failures);
        print_seq_schedstat();
    }
    if (run_http) {
        int http_failures;
        http_server *srv = http_server_start(n, "127.0.0.1", 0, &err);
        sequencer_stats_get(n->seq, &st0);
        double cpu_us;
        http = run_clients(http_client, n, http_envs, total, clients, http_server_port(srv), &http_failures,
                           &cpu_us);
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
