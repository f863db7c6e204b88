/* test_log.c — the node's log end to end without HTTP: a real SQLite file,
 * concurrent submissions through the group-commit sequencer, receipts that
 * verify offline, admission rules, restart, consistency across checkpoints,
 * and an aborted batch that leaves nothing behind. */
#include "testutil.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <unistd.h>

#include "crypto/keyfile.h"
#include "envelope/envelope.h"
#include "crypto/seal.h"
#include "hotline/hotline.h"
#include "node/bootstrap.h"
#include "log/receipt.h"
#include "log/sequencer.h"
#include "node/node.h"
#include "util/clock.h"

static char dir[256];
static participant_secret us, ru;

static int setup(void **state)
{
    if (init_sodium(state) != 0)
        return -1;
    snprintf(dir, sizeof dir, "/tmp/parley-test-log-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    strcat(dir, "/node");
    perr err;
    if (node_init(dir, "test.example/log", 0, &err) != 0)
        return -1;
    keyfile_generate("US", &us, &err);
    keyfile_generate("RU", &ru, &err);
    node *n = node_open(dir, &err);
    if (n == NULL)
        return -1;
    participant_public p;
    const char *members[] = {"US", "RU"};
    keyfile_public_of(&us, &p);
    int rc = bootstrap_participant(n, &p, "United States", &err);
    keyfile_public_of(&ru, &p);
    rc |= bootstrap_participant(n, &p, "Russian Federation", &err);
    rc |= bootstrap_group(n, "us-ru-ict", members, 2, NULL, &err);
    node_close(n);
    if (rc != 0)
        fprintf(stderr, "setup: %s\n", err.msg);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %.*s", (int)(strlen(dir) - 5), dir);
    return system(cmd);
}

/* The test node, opened again for each test (each test closes it). */
static node *open_node(void)
{
    perr err;
    node *n = node_open(dir, &err);
    if (n == NULL)
        fail_msg("node_open: %s", err.msg);
    return n;
}

static char *make_wire(const participant_secret *from, const char *to, const char *text)
{
    const char *recips[] = {to};
    buf payload;
    buf_init(&payload);
    perr err;
    seal_clear((const uint8_t *)text, strlen(text), &payload, &err);
    envelope_params p = {.group = "us-ru-ict", .recipients = recips, .nrecipients = 1,
                         .kind = KIND_NOTIFICATION, .created_ms = clock_now_ms(), .tlp = TLP_CLEAR,
                         .payload = (const uint8_t *)payload.data, .payload_len = payload.len};
    envelope e;
    int rc = envelope_build(&p, &from->signer, &e, &err);
    buf_free(&payload);
    if (rc != 0)
        return NULL;
    json_t *j = envelope_to_json(&e);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    envelope_free(&e);
    return s;
}

/* Submits as the participant the envelope names (what HTTP authentication establishes). */
static char *submit(node *n, const char *wire, perr *err)
{
    json_t *j = json_loads(wire, 0, NULL);
    char sender[64];
    snprintf(sender, sizeof sender, "%s", json_string_value(json_object_get(json_object_get(j, "header"), "sender")));
    json_decref(j);
    buf receipt;
    buf_init(&receipt);
    if (hotline_submit(&n->hl, sender, wire, strlen(wire), &receipt, err) != 0) {
        buf_free(&receipt);
        return NULL;
    }
    return buf_steal(&receipt, NULL);
}

enum { THREADS = 8, PER_THREAD = 60 };
static char *receipts[THREADS * PER_THREAD];

typedef struct { node *n; int t; } worker_arg;

static void *worker(void *arg)
{
    worker_arg *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        char text[64];
        snprintf(text, sizeof text, "message %d from thread %d", i, w->t);
        char *wire = make_wire(w->t % 2 ? &us : &ru, w->t % 2 ? "RU" : "US", text);
        perr err;
        receipts[w->t * PER_THREAD + i] = submit(w->n, wire, &err);
        free(wire);
    }
    return NULL;
}

static void test_concurrent_appends_and_receipts(void **state)
{
    (void)state;
    perr err;
    node *n = open_node();
    seq_stats st0;
    sequencer_stats_get(n->seq, &st0);
    pthread_t th[THREADS];
    worker_arg args[THREADS];
    for (int t = 0; t < THREADS; t++) {
        args[t] = (worker_arg){n, t};
        pthread_create(&th[t], NULL, worker, &args[t]);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    seq_stats st;
    sequencer_stats_get(n->seq, &st);
    assert_int_equal(st.entries, THREADS * PER_THREAD);
    assert_int_equal(st.tree_size, st0.tree_size + THREADS * PER_THREAD); /* after the setup's directory */
    /* Group commit: concurrent appends share transactions. */
    assert_true(st.batches < st.entries);
    int seen[THREADS * PER_THREAD + 8] = {0};
    for (int i = 0; i < THREADS * PER_THREAD; i++) {
        assert_non_null(receipts[i]);
        receipt_info info;
        if (receipt_verify(receipts[i], strlen(receipts[i]), &n->vkey, NULL, &info, &err) != 0)
            fail_msg("receipt %d: %s", i, err.msg);
        assert_false(seen[info.leaf_index]);
        seen[info.leaf_index] = 1;
        receipt_info_free(&info);
    }
    node_close(n);
}

static void test_admission_rules(void **state)
{
    (void)state;
    perr err;
    node *n = open_node();
    seq_stats st;
    sequencer_stats_get(n->seq, &st);
    uint64_t before = st.tree_size;
    /* Replay of an envelope already logged. */
    char *wire = make_wire(&us, "RU", "once");
    char *r = submit(n, wire, &err);
    assert_non_null(r);
    free(r);
    assert_null(submit(n, wire, &err));
    assert_int_equal(err.code, PERR_CONFLICT);
    free(wire);
    /* Unregistered sender; registered id with another key; unknown recipient. */
    participant_secret fr, fake_us;
    keyfile_generate("FR", &fr, &err);
    keyfile_generate("US", &fake_us, &err);
    wire = make_wire(&fr, "RU", "hello");
    assert_null(submit(n, wire, &err));
    assert_int_equal(err.code, PERR_UNKNOWN_KEY);
    free(wire);
    wire = make_wire(&fake_us, "RU", "forged");
    assert_null(submit(n, wire, &err));
    assert_int_equal(err.code, PERR_UNKNOWN_KEY);
    free(wire);
    wire = make_wire(&us, "DE", "to nobody");
    assert_null(submit(n, wire, &err));
    assert_int_equal(err.code, PERR_INVALID);
    free(wire);
    /* Created an hour away from the node's clock. */
    wire = make_wire(&us, "RU", "late");
    setenv("PARLEY_CLOCK_OFFSET_MS", "3600000", 1);
    clock_from_env();
    assert_null(submit(n, wire, &err));
    assert_int_equal(err.code, PERR_INVALID);
    assert_non_null(strstr(err.msg, "created"));
    setenv("PARLEY_CLOCK_OFFSET_MS", "0", 1);
    clock_from_env();
    free(wire);
    sequencer_stats_get(n->seq, &st);
    assert_int_equal(st.tree_size, before + 1);
    node_close(n);
}

/* After a restart the tree continues, and every checkpoint ever signed is
 * consistent with the newest one. */
static void test_restart_and_consistency(void **state)
{
    (void)state;
    perr err;
    node *n = open_node();
    char *wire = make_wire(&ru, "US", "after restart");
    char *r = submit(n, wire, &err);
    assert_non_null(r);
    free(wire);
    free(r);
    buf latest;
    buf_init(&latest);
    store *db = store_pool_acquire(n->readers);
    assert_int_equal(store_checkpoint(db, UINT64_MAX, &latest, &err), 0);
    checkpoint newest;
    assert_int_equal(checkpoint_open(latest.data, latest.len, &n->vkey, &newest, &err), 0);
    merkle_source src = store_merkle_source(db);
    merkle_hash root;
    assert_int_equal(merkle_root(&src, newest.size, root), 0);
    assert_memory_equal(root, newest.root, 32);
    int checked = 0;
    for (uint64_t size = 1; size <= newest.size; size++) {
        buf note;
        buf_init(&note);
        if (store_checkpoint(db, size, &note, &err) == 0) {
            checkpoint old;
            assert_int_equal(checkpoint_open(note.data, note.len, &n->vkey, &old, &err), 0);
            merkle_hash proof[MERKLE_MAX_PROOF];
            size_t len;
            assert_int_equal(merkle_consistency_proof(&src, old.size, newest.size, proof, &len, &err), 0);
            if (merkle_verify_consistency(old.size, newest.size, old.root, newest.root, proof, len, &err) != 0)
                fail_msg("checkpoint %llu: %s", (unsigned long long)size, err.msg);
            checked++;
        }
        buf_free(&note);
    }
    assert_true(checked > 1);
    store_pool_release(n->readers, db);
    buf_free(&latest);
    node_close(n);
}

static void test_receipt_bit_flips(void **state)
{
    (void)state;
    perr err;
    node *n = open_node();
    char *wire = make_wire(&us, "RU", "flip me");
    char *r = submit(n, wire, &err);
    free(wire);
    assert_non_null(r);
    size_t len = strlen(r);
    receipt_info info;
    assert_int_equal(receipt_verify(r, len, &n->vkey, NULL, &info, &err), 0);
    receipt_info_free(&info);
    for (size_t i = 0; i < len * 8; i++) {
        r[i / 8] ^= (char)(1 << (i % 8));
        if (receipt_verify(r, len, &n->vkey, NULL, &info, &err) == 0)
            fail_msg("bit %zu flip accepted (byte '%c')", i, r[i / 8]);
        r[i / 8] ^= (char)(1 << (i % 8));
    }
    /* A receipt checked against the wrong log key or sender key fails. */
    notekey_verifier other;
    notekey_signer_public(&ru.signer, &other);
    assert_int_not_equal(receipt_verify(r, len, &other, NULL, &info, &err), 0);
    assert_int_not_equal(receipt_verify(r, len, &n->vkey, &other, &info, &err), 0);
    free(r);
    node_close(n);
}

static int noop_leaf(void *ctx, store_batch *b, const store_entry *e, const merkle_hash h, perr *err)
{
    (void)ctx;
    (void)err;
    store_batch_put_node(b, 0, e->index, h);
    return 0;
}

static char *refuse_checkpoint(void *ctx, uint64_t size, perr *err)
{
    (void)ctx;
    (void)size;
    perr_set(err, PERR_INTERNAL, "refused");
    return NULL;
}

static char *plain_checkpoint(void *ctx, uint64_t size, perr *err)
{
    (void)ctx;
    (void)size;
    (void)err;
    return strdup("test checkpoint");
}

/* A batch whose checkpoint cannot be made leaves no trace, and the store
 * takes the next batch: no transaction is left open. */
static void test_aborted_batch_leaves_nothing(void **state)
{
    (void)state;
    perr err;
    char *db = node_path(dir, "parley.db");
    store *s = store_open_sqlite(db, 0, &err);
    free(db);
    uint64_t before, after;
    assert_int_equal(store_log_size(s, &before, &err), 0);
    store_entry e = {.leaf = "{}", .leaf_len = 2, .msg_id = "01a20739-c0d5-7129-8eb6-f6368ac4ece9"};
    char *cp;
    assert_int_not_equal(store_append_batch(s, &e, 1, noop_leaf, refuse_checkpoint, NULL, &cp, &err), 0);
    assert_int_equal(store_log_size(s, &after, &err), 0);
    assert_int_equal(after, before);
    merkle_hash h;
    assert_int_not_equal(store_node(s, 0, before, h), 0);
    assert_int_equal(store_append_batch(s, &e, 1, noop_leaf, plain_checkpoint, NULL, &cp, &err), 0);
    assert_int_equal(e.duplicate, 0);
    assert_int_equal(e.index, before);
    free(cp);
    assert_int_equal(store_log_size(s, &after, &err), 0);
    assert_int_equal(after, before + 1);
    assert_int_equal(store_node(s, 0, before, h), 0);
    store_close(s);
}

/* Admission caches senders' keys: a key change must take effect with the
 * statement's receipt, for the very next submission. */
static void test_key_change_reaches_admission(void **state)
{
    (void)state;
    perr err;
    node *n = open_node();
    participant_secret us2;
    participant_public pub;
    assert_int_equal(keyfile_generate("US", &us2, &err), 0);
    char *old1 = make_wire(&us, "RU", "before the rotation");
    char *old2 = make_wire(&us, "RU", "after the rotation");
    char *fresh = make_wire(&us2, "RU", "with the new key");
    char *r = submit(n, old1, &err);
    assert_non_null(r); /* the old key is now cached */
    free(r);
    keyfile_public_of(&us2, &pub);
    assert_int_equal(bootstrap_participant(n, &pub, "United States", &err), 0);
    assert_null(submit(n, old2, &err));
    assert_int_equal(err.code, PERR_UNKNOWN_KEY);
    r = submit(n, fresh, &err);
    assert_non_null(r);
    free(r);
    keyfile_public_of(&us, &pub); /* back to the key the other tests use */
    assert_int_equal(bootstrap_participant(n, &pub, "United States", &err), 0);
    free(old1);
    free(old2);
    free(fresh);
    node_close(n);
}

/* A reissued token replaces the old one at once, though the old hash was cached. */
static void test_token_reissue_reaches_authentication(void **state)
{
    (void)state;
    perr err;
    node *n = open_node();
    char first[CREDENTIAL_TOKEN_MAX], second[CREDENTIAL_TOKEN_MAX], header[200], who[IDENT_PARTICIPANT_MAX + 1];
    assert_int_equal(bootstrap_token(n, "RU", first, &err), 0);
    snprintf(header, sizeof header, "Bearer %s", first);
    assert_int_equal(hotline_authenticate(&n->hl, header, who, &err), 0); /* now cached */
    assert_string_equal(who, "RU");
    assert_int_equal(bootstrap_token(n, "RU", second, &err), 0);
    assert_int_not_equal(hotline_authenticate(&n->hl, header, who, &err), 0);
    assert_int_equal(err.code, PERR_UNAUTHENTICATED);
    snprintf(header, sizeof header, "Bearer %s", second);
    assert_int_equal(hotline_authenticate(&n->hl, header, who, &err), 0);
    assert_string_equal(who, "RU");
    node_close(n);
}

/* Submissions started without waiting: each is called back once, on the
 * sequencer thread, after its batch commits; a refusal is reported at once
 * and never called back; a duplicate within the same burst fails through
 * the callback; and the burst shares transactions. */
enum { STARTED = 40 };

typedef struct started {
    sem_t called;
    atomic_int calls;
    pthread_t caller;
    atomic_int on_caller_thread;
} started;

static void count_logged(void *ctx)
{
    started *s = ctx;
    atomic_fetch_add(&s->calls, 1);
    if (pthread_equal(pthread_self(), s->caller))
        atomic_fetch_add(&s->on_caller_thread, 1);
    sem_post(&s->called);
}

static void test_started_submissions_call_back(void **state)
{
    (void)state;
    perr err;
    node *n = open_node();
    started s = {.caller = pthread_self()};
    sem_init(&s.called, 0, 0);
    seq_stats st0, st;
    sequencer_stats_get(n->seq, &st0);
    char *wires[STARTED];
    hotline_submission *subs[STARTED + 1];
    for (int i = 0; i < STARTED; i++) {
        char text[32];
        snprintf(text, sizeof text, "started %d", i);
        wires[i] = make_wire(&us, "RU", text);
        subs[i] = hotline_submit_start(&n->hl, "US", wires[i], strlen(wires[i]), count_logged, &s, &err);
        assert_non_null(subs[i]);
    }
    /* The same envelope again, while the first may still be queued. */
    subs[STARTED] = hotline_submit_start(&n->hl, "US", wires[0], strlen(wires[0]), count_logged, &s, &err);
    assert_non_null(subs[STARTED]);
    /* Refused before it is queued: no submission, no callback. */
    assert_null(hotline_submit_start(&n->hl, "RU", wires[1], strlen(wires[1]), count_logged, &s, &err));
    assert_int_equal(err.code, PERR_FORBIDDEN);
    for (int i = 0; i <= STARTED; i++)
        sem_wait(&s.called);
    usleep(20000);
    assert_int_equal(atomic_load(&s.calls), STARTED + 1);
    assert_int_equal(atomic_load(&s.on_caller_thread), 0);
    int seen[STARTED] = {0};
    for (int i = 0; i < STARTED; i++) {
        buf receipt;
        buf_init(&receipt);
        assert_int_equal(hotline_submit_finish(subs[i], &receipt, &err), 0);
        receipt_info info;
        if (receipt_verify(receipt.data, receipt.len, &n->vkey, NULL, &info, &err) != 0)
            fail_msg("receipt %d: %s", i, err.msg);
        uint64_t k = info.leaf_index - st0.tree_size;
        assert_true(k < STARTED);
        assert_false(seen[k]);
        seen[k] = 1;
        receipt_info_free(&info);
        buf_free(&receipt);
        free(wires[i]);
    }
    buf receipt;
    buf_init(&receipt);
    assert_int_equal(hotline_submit_finish(subs[STARTED], &receipt, &err), -1);
    assert_int_equal(err.code, PERR_CONFLICT);
    assert_int_equal(receipt.len, 0);
    buf_free(&receipt);
    sequencer_stats_get(n->seq, &st);
    assert_int_equal(st.tree_size, st0.tree_size + STARTED);
    assert_true(st.batches - st0.batches < STARTED);
    sem_destroy(&s.called);
    node_close(n);
}

/* Holds the first entry it sees until released, so the test knows what is
 * queued behind it. */
typedef struct holding_apply {
    atomic_int hold;
    sem_t entered, release;
} holding_apply;

static int hold_first(void *ctx, store *writer, const store_entry *e, perr *err)
{
    (void)writer, (void)e, (void)err;
    holding_apply *h = ctx;
    if (atomic_exchange(&h->hold, 0)) {
        sem_post(&h->entered);
        sem_wait(&h->release);
    }
    return 0;
}

static void on_gather_logged(void *ctx, int rc)
{
    assert_int_equal(rc, 0);
    sem_post(ctx);
}

/* Appends one entry with its own leaf text and waits until it is durable. */
static void append_one(sequencer *q, int k)
{
    char leaf[32];
    snprintf(leaf, sizeof leaf, "{\"gather\":%d}", k);
    store_entry e = {.leaf = leaf, .leaf_len = strlen(leaf)};
    seq_result r;
    perr err;
    if (sequencer_append(q, &e, &r, &err) != 0)
        fail_msg("append %d: %s", k, err.msg);
    seq_result_free(&r);
}

enum { BEHIND = 6 };

/* Makes a batch of BEHIND requests: one append is held open on the
 * sequencer while BEHIND more queue behind it, then all are released. */
static void batch_behind_held(sequencer *q, holding_apply *h, int tag)
{
    char leaves[BEHIND + 1][32];
    store_entry es[BEHIND + 1];
    seq_result rs[BEHIND + 1];
    perr errs[BEHIND + 1];
    sem_t logged;
    sem_init(&logged, 0, 0);
    atomic_store(&h->hold, 1);
    for (int k = 0; k <= BEHIND; k++) {
        snprintf(leaves[k], sizeof leaves[k], "{\"behind\":%d}", tag + k);
        es[k] = (store_entry){.leaf = leaves[k], .leaf_len = strlen(leaves[k])};
        assert_int_equal(sequencer_append_start(q, &es[k], &rs[k], &errs[k], on_gather_logged, &logged), 0);
        if (k == 0)
            sem_wait(&h->entered);
    }
    sem_post(&h->release);
    for (int k = 0; k <= BEHIND; k++)
        sem_wait(&logged);
    for (int k = 0; k <= BEHIND; k++)
        seq_result_free(&rs[k]);
    sem_destroy(&logged);
}

/* The gathering pause: never for appends that come one at a time, nor when
 * nothing else is being admitted; after a batch of several requests, while
 * another is admitted, until that admission ends or at most the cap. */
static void test_sequencer_gathers_only_under_load(void **state)
{
    (void)state;
    perr err;
    char path[300];
    snprintf(path, sizeof path, "%.*s/gather.db", (int)(strlen(dir) - 5), dir);
    store *s = store_open_sqlite(path, STORE_CREATE, &err);
    assert_non_null(s);
    notekey_signer key;
    assert_int_equal(notekey_generate("gather.example/log", &key, &err), 0);
    holding_apply h = {0};
    sem_init(&h.entered, 0, 0);
    sem_init(&h.release, 0, 0);
    sequencer *q = sequencer_start(s, &key, hold_first, &h, &err);
    assert_non_null(q);
    seq_stats st;

    /* One at a time, even with an admission under way: six batches of one. */
    sequencer_admission_begin(q);
    for (int k = 0; k < 6; k++)
        append_one(q, k);
    sequencer_admission_end(q);
    sequencer_stats_get(q, &st);
    assert_int_equal(st.batches, 6);
    assert_int_equal(st.gathered, 0);

    batch_behind_held(q, &h, 10); /* the held one, then the six as one batch */
    sequencer_stats_get(q, &st);
    assert_int_equal(st.batches, 8);
    assert_int_equal(st.gathered, 0); /* the six followed a batch of one */

    append_one(q, 100); /* follows the six, but nothing else is admitted: at once */
    sequencer_stats_get(q, &st);
    assert_int_equal(st.batches, 9);
    assert_int_equal(st.gathered, 0);

    /* An admission under way holds the next batch back until the cap. */
    batch_behind_held(q, &h, 20);
    sequencer_set_gather_us(q, 20000);
    sequencer_admission_begin(q);
    append_one(q, 101);
    sequencer_admission_end(q);
    sequencer_stats_get(q, &st);
    assert_int_equal(st.batches, 12);
    assert_int_equal(st.gathered, 1);

    /* ...or until it ends, long before a cap of 60 s. */
    batch_behind_held(q, &h, 30);
    sequencer_set_gather_us(q, 60000000u);
    sequencer_admission_begin(q);
    char leaf[] = "{\"gather\":102}";
    store_entry e = {.leaf = leaf, .leaf_len = strlen(leaf)};
    seq_result r;
    perr e_err;
    sem_t logged;
    sem_init(&logged, 0, 0);
    assert_int_equal(sequencer_append_start(q, &e, &r, &e_err, on_gather_logged, &logged), 0);
    struct timespec gap = {0, 100000000L}; /* the sequencer is waiting by then */
    nanosleep(&gap, NULL);
    sequencer_admission_end(q);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    assert_int_equal(sem_timedwait(&logged, &until), 0);
    seq_result_free(&r);
    sem_destroy(&logged);
    sequencer_stats_get(q, &st);
    assert_int_equal(st.batches, 15);
    assert_int_equal(st.gathered, 2);

    append_one(q, 103); /* follows a batch of one: at once */
    sequencer_stats_get(q, &st);
    assert_int_equal(st.batches, 16);
    assert_int_equal(st.gathered, 2);
    assert_int_equal(st.tree_size, 6 + 3 * (BEHIND + 1) + 4);

    sequencer_stop(q);
    sem_destroy(&h.entered);
    sem_destroy(&h.release);
    store_close(s);
}

/* One batch larger than the WAL shim gathers (8 MiB) and than one write of
 * the unix VFS (128 KiB): a separate reader sees every payload as written,
 * and so does the writer after reopening. */
static void test_large_batch_reaches_readers(void **state)
{
    (void)state;
    enum { N = 2600, PAYLOAD = 4000 };
    perr err;
    char *db = node_path(dir, "parley.db");
    store *w = store_open_sqlite(db, STORE_READ_WRITE, &err);
    assert_non_null(w);
    uint64_t before;
    assert_int_equal(store_log_size(w, &before, &err), 0);
    store_entry *es = calloc(N, sizeof *es);
    uint8_t (*payloads)[PAYLOAD] = malloc((size_t)N * PAYLOAD);
    uint8_t (*hashes)[32] = malloc((size_t)N * 32);
    char leaf[64];
    for (int i = 0; i < N; i++) {
        randombytes_buf(payloads[i], PAYLOAD);
        crypto_hash_sha256(hashes[i], payloads[i], PAYLOAD);
        es[i] = (store_entry){.leaf = leaf, .leaf_len = (size_t)snprintf(leaf, sizeof leaf, "{\"n\":%d}", i),
                              .payload = payloads[i], .payload_len = PAYLOAD, .payload_hash = hashes[i]};
    }
    char *cp = NULL;
    assert_int_equal(store_append_batch(w, es, N, noop_leaf, plain_checkpoint, NULL, &cp, &err), 0);
    free(cp);
    for (int pass = 0; pass < 2; pass++) {
        store *r = store_open_sqlite(db, STORE_READ_ONLY, &err);
        assert_non_null(r);
        uint64_t size;
        assert_int_equal(store_log_size(r, &size, &err), 0);
        assert_int_equal(size, before + N);
        for (int i = 0; i < N; i += 97) {
            buf got;
            buf_init(&got);
            assert_int_equal(store_payload(r, before + (uint64_t)i, hashes[i], &got, &err), 0);
            assert_int_equal(got.len, PAYLOAD);
            assert_memory_equal(got.data, payloads[i], PAYLOAD);
            buf_free(&got);
        }
        /* The payload is found only with its own hash. */
        buf none;
        buf_init(&none);
        assert_int_not_equal(store_payload(r, before, hashes[1], &none, &err), 0);
        buf_free(&none);
        store_close(r);
        store_close(w); /* the second pass reads what the closed writer left */
        w = pass == 0 ? store_open_sqlite(db, STORE_READ_WRITE, &err) : NULL;
    }
    free(db);
    free(es);
    free(payloads);
    free(hashes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_appends_and_receipts),
        cmocka_unit_test(test_admission_rules),
        cmocka_unit_test(test_restart_and_consistency),
        cmocka_unit_test(test_receipt_bit_flips),
        cmocka_unit_test(test_aborted_batch_leaves_nothing),
        cmocka_unit_test(test_key_change_reaches_admission),
        cmocka_unit_test(test_token_reissue_reaches_authentication),
        cmocka_unit_test(test_started_submissions_call_back),
        cmocka_unit_test(test_sequencer_gathers_only_under_load),
        /* last: its raw batch stores no tree above the leaves, so no node opens after it */
        cmocka_unit_test(test_large_batch_reaches_readers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
