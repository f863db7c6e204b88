/* bench_http_floor.c — the least work any durable HTTP append of a Parley
 * envelope must do on this machine with the libraries this project must use,
 * measured the way bench_append measures POST /api/v1/messages:
 *   libmicrohttpd in the mode `parley serve` uses (http_server_pollers()
 *   epoll polling threads; the request is suspended while its append is
 *   committed and resumed by the committing thread, which gathers under
 *   load as the sequencer does), jansson parsing the envelope, the sealed payload's
 *   form (TLP enforcement needs to see who holds a key), base64 and
 *   SHA-256 of the payload, the header's canonical text, one Ed25519
 *   verification, the leaf hash, a SQLite WAL insert of leaf and payload
 *   committed with fsync in groups, and a 201 with a receipt-sized body.
 * Left out, though Parley does them: authentication, the directory and group
 * policy, the message state tables, the Merkle tree, the signed checkpoint
 * and the inclusion proof. The last rate this prints is therefore an upper
 * bound for POST /api/v1/messages here; bench_append's figure is judged
 * against it. Three stages, each with the same envelopes, show what each
 * layer costs:
 *   1. admission only: the 201 is written at once, on the polling thread;
 *   2. + the hand-off: suspended, queued to the committing thread, resumed
 *      by it, answered, with nothing stored;
 *   3. + durability: the committing thread inserts each batch into SQLite
 *      and commits it (WAL, synchronous=FULL: one fsync per batch).
 * Usage: bench_http_floor [ENVELOPES] [IN_FLIGHT]   (defaults 20000, 256) */
#include <microhttpd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchload.h"
#include "crypto/seal.h"
#include "http/server.h"
#include "json/jcs.h"
#include "log/sequencer.h"
#include "util/codec.h"

#define FLOOR_MAX_BODY (256 * 1024)

typedef struct floor_req {
    struct MHD_Connection *conn;
    char *body;
    size_t len, cap;
    int queued, committed;
    buf leaf;
    uint8_t *payload;
    size_t payload_len;
    sqlite3_int64 index;
    struct floor_req *next;
} floor_req;

enum floor_stage { STAGE_ADMIT, STAGE_HANDOFF, STAGE_DURABLE };

typedef struct floor_log {
    enum floor_stage stage; /* changed only between runs, with nothing in flight */
    const uint8_t *sender_pk;
    sqlite3 *db;
    sqlite3_stmt *insert;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work;
    floor_req *head, *tail;
    int stopping;
    size_t last_batch;
    long batches, entries;
} floor_log;

/* One JSON string member, or NULL. */
static const char *member(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* What every admission must do before the append; 0 when the envelope holds. */
static int admit(floor_log *g, floor_req *r)
{
    json_t *env = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, NULL);
    json_t *header = json_object_get(env, "header");
    const char *sig_b64 = member(env, "signature"), *payload_b64 = member(env, "payload");
    const char *hash_hex = member(header, "payload_sha256");
    uint8_t sig[64], hash[32], claimed[32];
    size_t n;
    perr err;
    seal_info seal; /* the readers TLP enforcement checks */
    int ok = json_is_object(header) && sig_b64 && payload_b64 && hash_hex &&
             b64_decode_public(sig, sizeof sig, &n, sig_b64, strlen(sig_b64)) == 0 && n == sizeof sig &&
             hex_decode(claimed, sizeof claimed, hash_hex) == 0;
    if (ok) {
        size_t plen = strlen(payload_b64);
        r->payload = malloc(plen / 4 * 3 + 1);
        ok = r->payload && b64_decode_public(r->payload, plen / 4 * 3 + 1, &r->payload_len, payload_b64, plen) == 0;
    }
    if (ok) {
        crypto_hash_sha256(hash, r->payload, r->payload_len);
        ok = memcmp(hash, claimed, sizeof hash) == 0 && seal_inspect(r->payload, r->payload_len, &seal, &err) == 0 &&
             seal.encrypted;
    }
    buf signed_text;
    buf_init(&signed_text);
    if (ok) {
        buf_puts(&signed_text, ENVELOPE_SIGNING_CONTEXT);
        ok = jcs_serialize(header, &signed_text, &err) == 0 &&
             crypto_sign_verify_detached(sig, (const uint8_t *)signed_text.data, signed_text.len, g->sender_pk) == 0;
    }
    if (ok) { /* the leaf and its RFC 9162 hash, as a log must */
        size_t ctx = strlen(ENVELOPE_SIGNING_CONTEXT);
        buf_puts(&r->leaf, "{\"header\":");
        buf_append(&r->leaf, signed_text.data + ctx, signed_text.len - ctx);
        buf_puts(&r->leaf, ",\"signature\":\"");
        buf_puts(&r->leaf, sig_b64);
        buf_puts(&r->leaf, "\"}");
        uint8_t leaf_hash[32];
        crypto_hash_sha256_state st;
        crypto_hash_sha256_init(&st);
        crypto_hash_sha256_update(&st, (const uint8_t *)"\0", 1);
        crypto_hash_sha256_update(&st, (const uint8_t *)r->leaf.data, r->leaf.len);
        crypto_hash_sha256_final(&st, leaf_hash);
    }
    buf_free(&signed_text);
    json_decref(env);
    return ok ? 0 : -1;
}

/* The committing thread: everything queued goes into one transaction, one
 * fsync, then each request is resumed. */
static void *floor_log_main(void *p)
{
    pthread_setname_np(pthread_self(), "floor-commit");
    floor_log *g = p;
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (g->head == NULL && !g->stopping)
            pthread_cond_wait(&g->work, &g->mu);
        if (g->head == NULL)
            break;
        /* The sequencer's gathering pause as it runs under this load, where
         * admissions never stop for long: to its cap. */
        if (g->last_batch >= SEQUENCER_GATHER_AFTER) {
            pthread_mutex_unlock(&g->mu);
            struct timespec pause = {0, SEQUENCER_GATHER_US * 1000L};
            nanosleep(&pause, NULL);
            pthread_mutex_lock(&g->mu);
        }
        floor_req *batch = g->head;
        g->head = g->tail = NULL;
        g->last_batch = 0;
        for (floor_req *r = batch; r; r = r->next)
            g->last_batch++;
        pthread_mutex_unlock(&g->mu);
        int durable = g->stage == STAGE_DURABLE;
        int ok = !durable || sqlite3_exec(g->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
        for (floor_req *r = batch; durable && ok && r; r = r->next) {
            sqlite3_bind_blob(g->insert, 1, r->leaf.data, (int)r->leaf.len, SQLITE_STATIC);
            sqlite3_bind_blob(g->insert, 2, r->payload, (int)r->payload_len, SQLITE_STATIC);
            ok = sqlite3_step(g->insert) == SQLITE_DONE;
            sqlite3_reset(g->insert);
            r->index = sqlite3_last_insert_rowid(g->db);
            g->entries++;
        }
        if (durable) {
            ok = ok && sqlite3_exec(g->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
            g->batches++;
        }
        for (floor_req *r = batch, *next; r; r = next) {
            next = r->next;
            r->committed = ok;
            MHD_resume_connection(r->conn);
        }
        pthread_mutex_lock(&g->mu);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, buf *body)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(body->len, body->data, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

/* A body the size and shape of a receipt: checkpoint note, entry, a proof of
 * 15 hashes (a log of ~32k entries), index and size. */
static void receipt_body(const floor_req *r, buf *out)
{
    buf_puts(out, "{\"checkpoint\":\"bench.example/log\\n32768\\n");
    for (int i = 0; i < 44; i++)
        buf_putc(out, 'A');
    buf_puts(out, "\\n\\n\\u2014 bench.example/log ");
    for (int i = 0; i < 96; i++)
        buf_putc(out, 'B');
    buf_puts(out, "\\n\",\"entry\":");
    buf_append(out, r->leaf.data, r->leaf.len);
    buf_puts(out, ",\"inclusion_proof\":[");
    for (int i = 0; i < 15; i++) {
        buf_puts(out, i ? ",\"" : "\"");
        for (int k = 0; k < 64; k++)
            buf_putc(out, 'c');
        buf_putc(out, '"');
    }
    buf_printf(out, "],\"leaf_index\":%lld,\"tree_size\":%lld}", (long long)r->index, (long long)r->index + 1);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **state)
{
    (void)url, (void)method, (void)version;
    floor_log *g = cls;
    floor_req *r = *state;
    if (r == NULL) {
        if ((r = calloc(1, sizeof *r)) == NULL)
            return MHD_NO;
        r->conn = c;
        buf_init(&r->leaf);
        *state = r;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (r->len + *upload_size > FLOOR_MAX_BODY)
            return MHD_NO;
        if (r->len + *upload_size > r->cap) {
            r->cap = (r->len + *upload_size) * 2;
            char *grown = realloc(r->body, r->cap);
            if (grown == NULL)
                return MHD_NO;
            r->body = grown;
        }
        memcpy(r->body + r->len, upload, *upload_size);
        r->len += *upload_size;
        *upload_size = 0;
        return MHD_YES;
    }
    buf body;
    buf_init(&body);
    enum MHD_Result rc;
    if (!r->queued) {
        if (admit(g, r) != 0) {
            buf_puts(&body, "{\"error\":\"invalid_envelope\"}");
            rc = answer(c, 400, &body);
            buf_free(&body);
            return rc;
        }
        r->queued = 1;
        if (g->stage == STAGE_ADMIT) {
            r->committed = 1;
            receipt_body(r, &body);
            rc = answer(c, 201, &body);
            buf_free(&body);
            return rc;
        }
        MHD_suspend_connection(c);
        pthread_mutex_lock(&g->mu);
        if (g->tail)
            g->tail->next = r;
        else
            g->head = r;
        g->tail = r;
        pthread_cond_signal(&g->work);
        pthread_mutex_unlock(&g->mu);
        return MHD_YES;
    }
    if (r->committed)
        receipt_body(r, &body);
    else
        buf_puts(&body, "{\"error\":\"internal\"}");
    rc = answer(c, r->committed ? 201 : 500, &body);
    buf_free(&body);
    return rc;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)c, (void)why;
    floor_req *r = *state;
    if (r) {
        free(r->body);
        free(r->payload);
        buf_free(&r->leaf);
        free(r);
    }
    *state = NULL;
}

/* The same storage settings as a Parley node's writer. */
static int floor_log_open(floor_log *g, const char *path)
{
    return sqlite3_open(path, &g->db) != SQLITE_OK ||
                   sqlite3_exec(g->db,
                                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=16384;"
                                "PRAGMA cache_size=-8192; PRAGMA mmap_size=4294967296;"
                                "CREATE TABLE entries(idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL, payload BLOB);",
                                NULL, NULL, NULL) != SQLITE_OK ||
                   sqlite3_prepare_v2(g->db, "INSERT INTO entries(leaf, payload) VALUES(?, ?)", -1, &g->insert,
                                      NULL) != SQLITE_OK
               ? -1
               : 0;
}

int main(int argc, char **argv)
{
    int total, conns;
    if (bench_args(argc, argv, &total, &conns) != 0)
        return 2;
    print_machine();
    /* Taken before and after: on a shared host either can be low, and the
     * ratio is judged against the better one. */
    double v_before = verify_rate(1);
    printf("raw Ed25519 verify before:   %9.0f /s (1 thread)\n", v_before);

    char dir[] = "/tmp/parley-floor-XXXXXX", path[64];
    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(path, sizeof path, "%s/floor.db", dir);
    floor_log g = {0};
    perr err;
    participant_secret us, ru;
    if (floor_log_open(&g, path) != 0 || keyfile_generate("US", &us, &err) != 0 ||
        keyfile_generate("RU", &ru, &err) != 0) {
        fprintf(stderr, "setup failed: %s\n", g.db ? sqlite3_errmsg(g.db) : "no database");
        return 1;
    }
    g.sender_pk = us.signer.pk;
    pthread_mutex_init(&g.mu, NULL);
    pthread_cond_init(&g.work, NULL);
    pthread_create(&g.thread, NULL, floor_log_main, &g);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, on_request, &g, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)conns + 16, MHD_OPTION_THREAD_POOL_SIZE, http_server_pollers(), MHD_OPTION_END);
    const union MHD_DaemonInfo *info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (info == NULL) {
        fprintf(stderr, "cannot start libmicrohttpd\n");
        return 1;
    }
    printf("preparing %d signed envelopes (600-byte payloads)...\n", total);
    char **envs = make_envelopes(&us, &ru, total);
    printf("measuring\n");
    fflush(stdout);
    static const char *const names[] = {"admission only (answered at once)", "+ hand-off (suspend/resume)",
                                        "+ durable group commit (floor)"};
    int failures = 0;
    double rate[3];
    for (int stage = STAGE_ADMIT; stage <= STAGE_DURABLE; stage++) {
        g.stage = (enum floor_stage)stage;
        long b0 = g.batches, e0 = g.entries;
        int failed;
        double cpu_us;
        thread_cpu t0, t1;
        thread_cpu_snap(&t0);
        rate[stage] = run_http_clients(info->port, "unused", envs, total, conns, &failed, &cpu_us);
        thread_cpu_snap(&t1);
        printf("%-36s %8.0f /s  (%3.0f us CPU/request", names[stage], rate[stage], cpu_us);
        if (stage == STAGE_DURABLE)
            printf(", %.1f entries/fsync", (double)(g.entries - e0) / (double)(g.batches > b0 ? g.batches - b0 : 1));
        printf(", %d failed)\n", failed);
        static const char *const server_threads[] = {"MHD-worker", "floor-commit", NULL};
        double sent = total / conns * conns; /* what cpu_us is per */
        print_thread_cpu(&t0, &t1, server_threads, "load generator", cpu_us * sent / 1e6, sent);
        fflush(stdout); /* a profiler can attach at the stage it wants */
        failures += failed;
    }
    double v_after = verify_rate(1), v = v_before > v_after ? v_before : v_after;
    printf("raw Ed25519 verify after:    %9.0f /s (1 thread)\n", v_after);
    printf("ratio floor/verify:          %5.0f%% of the better 1-thread verify rate (%d in flight)\n",
           100 * rate[STAGE_DURABLE] / v, conns);

    MHD_stop_daemon(d);
    pthread_mutex_lock(&g.mu);
    g.stopping = 1;
    pthread_cond_signal(&g.work);
    pthread_mutex_unlock(&g.mu);
    pthread_join(g.thread, NULL);
    sqlite3_finalize(g.insert);
    sqlite3_close(g.db);
    free_envelopes(envs, total);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 && failures == 0 ? 0 : 1;
}
