/* sequencer.c — batched, durable appends to the transparency log. */
#include "log/sequencer.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tlog/checkpoint.h"
#include "tlog/note.h"
#include "util/clock.h"

/* Recently written or read tree nodes. Nodes never change once committed, so
 * a hit is always right; the cache is cleared when a batch rolls back. */
#define NODE_CACHE_SLOTS (1u << 16)

typedef struct cached_node {
    uint64_t index;
    int16_t level; /* -1: empty */
    merkle_hash hash;
} cached_node;

typedef struct request {
    store_entry *entry;
    size_t n;           /* entries in this request: 1, or more for a bulk append */
    int bulk;           /* bulk: no receipt, only indexes */
    seq_result *result;
    perr *err;
    int rc;
    /* Called outside the queue's mutex: a batch wakes exactly its requests,
     * and a woken waiter does not contend for the mutex to return. */
    seq_done_fn done;
    void *done_ctx;
    struct request *next;
} request;

struct sequencer {
    store *db;
    const notekey_signer *key;
    seq_apply_fn apply;
    void *apply_ctx;
    merkle_frontier tree;
    cached_node *cache;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work;  /* queue became non-empty, or stop */
    pthread_cond_t stop;  /* stop: ends a gathering pause (CLOCK_MONOTONIC, as monotonic_us) */
    request *head, *tail;
    int stopping;
    size_t last_batch; /* requests in the batch before */
    unsigned gather_us;      /* the longest gathering pause */
    atomic_int admitting;    /* admissions under way (sequencer_admission_begin) */
    atomic_uint admissions;  /* admissions begun, ever */
    seq_stats stats;
};

static cached_node *cache_slot(sequencer *q, unsigned level, uint64_t index)
{
    uint64_t h = (index * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)level * 0xc2b2ae3d27d4eb4fULL);
    return &q->cache[(h >> 32) & (NODE_CACHE_SLOTS - 1)];
}

static void cache_put(sequencer *q, unsigned level, uint64_t index, const merkle_hash h)
{
    cached_node *c = cache_slot(q, level, index);
    c->level = (int16_t)level;
    c->index = index;
    memcpy(c->hash, h, MERKLE_HASH_BYTES);
}

static void cache_clear(sequencer *q)
{
    for (size_t i = 0; i < NODE_CACHE_SLOTS; i++)
        q->cache[i].level = -1;
}

static int cached_source_node(void *ctx, unsigned level, uint64_t index, merkle_hash out)
{
    sequencer *q = ctx;
    cached_node *c = cache_slot(q, level, index);
    if (c->level == (int16_t)level && c->index == index) {
        memcpy(out, c->hash, MERKLE_HASH_BYTES);
        return 0;
    }
    if (store_node(q->db, level, index, out) != 0)
        return -1;
    cache_put(q, level, index, out);
    return 0;
}

typedef struct batch_ctx {
    sequencer *q;
    store_batch *batch;
} batch_ctx;

static void emit_node(void *ctx, unsigned level, uint64_t index, const merkle_hash h)
{
    batch_ctx *b = ctx;
    store_batch_put_node(b->batch, level, index, h);
    cache_put(b->q, level, index, h);
}

static int on_leaf(void *ctx, store_batch *batch, const store_entry *e, const merkle_hash leaf_hash, perr *err)
{
    sequencer *q = ctx;
    batch_ctx b = {q, batch};
    merkle_frontier_append(&q->tree, leaf_hash, emit_node, &b);
    return q->apply ? q->apply(q->apply_ctx, q->db, e, err) : 0;
}

static char *sign_checkpoint(void *ctx, uint64_t size, perr *err)
{
    sequencer *q = ctx;
    checkpoint c = {0};
    snprintf(c.origin, sizeof c.origin, "%s", q->key->name);
    c.size = size;
    merkle_frontier_root(&q->tree, c.root);
    buf body, note;
    buf_init(&body);
    buf_init(&note);
    checkpoint_format(&c, &body);
    int rc = note_sign(body.data, body.len, q->key, 1, &note, err);
    buf_free(&body);
    if (rc != 0) {
        buf_free(&note);
        return NULL;
    }
    return buf_steal(&note, NULL);
}

/* Counts go to d, merged under the lock: stats readers never see a torn batch. */
static void run_batch(sequencer *q, request *batch, seq_stats *d)
{
    size_t n = 0;
    for (request *r = batch; r; r = r->next)
        n += r->n;
    /* store_append_batch takes a contiguous array; entries are copied in and out. */
    store_entry *arr = malloc(n * sizeof *arr);
    perr err = {0};
    char *note = NULL;
    merkle_frontier saved = q->tree;
    int rc = -1;
    if (arr == NULL) {
        perr_set(&err, PERR_INTERNAL, "out of memory");
    } else {
        int64_t now = clock_now_ms();
        size_t k = 0;
        for (request *r = batch; r; r = r->next)
            for (size_t i = 0; i < r->n; i++, k++) {
                arr[k] = r->entry[i];
                arr[k].logged_at_ms = now;
            }
        rc = store_append_batch(q->db, arr, n, on_leaf, sign_checkpoint, q, &note, &err);
    }
    if (rc != 0) {
        q->tree = saved;
        cache_clear(q);
    }
    merkle_source src = {cached_source_node, q};
    size_t i = 0;
    for (request *r = batch; r; i += r->n, r = r->next) {
        if (rc != 0) {
            *r->err = err;
            r->rc = -1;
            continue;
        }
        if (r->bulk) {
            for (size_t k = 0; k < r->n; k++) {
                r->entry[k] = arr[i + k];
                d->duplicates += (uint64_t)arr[i + k].duplicate;
                d->entries += (uint64_t)!arr[i + k].duplicate;
            }
            r->result->tree_size = q->tree.size;
            r->rc = 0;
            continue;
        }
        *r->entry = arr[i];
        if (arr[i].duplicate) {
            r->rc = perr_set(r->err, PERR_CONFLICT, "message %s is already in the log",
                             arr[i].msg_id ? arr[i].msg_id : "?");
            d->duplicates++;
            continue;
        }
        r->result->index = arr[i].index;
        r->result->tree_size = q->tree.size;
        r->result->checkpoint = strdup(note);
        r->rc = 0;
        if (r->result->checkpoint == NULL)
            r->rc = perr_set(r->err, PERR_INTERNAL, "out of memory");
        else if (merkle_inclusion_proof(&src, arr[i].index, q->tree.size, r->result->proof,
                                        &r->result->proof_len, r->err) != 0)
            r->rc = -1;
        d->entries++;
    }
    free(note);
    free(arr);
    d->batches++;
    if (rc != 0)
        d->failures++;
    d->tree_size = q->tree.size;
}

static uint64_t monotonic_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

/* A monotonic_us() time as the deadline the stop condition waits for. */
static struct timespec monotonic_deadline(uint64_t us)
{
    return (struct timespec){.tv_sec = (time_t)(us / 1000000u), .tv_nsec = (long)(us % 1000000u) * 1000L};
}

static void *sequencer_main(void *arg)
{
    sequencer *q = arg;
    pthread_setname_np(pthread_self(), "parley-seq"); /* for top and perf */
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (q->head == NULL && !q->stopping)
            pthread_cond_wait(&q->work, &q->mu);
        if (q->head == NULL && q->stopping)
            break;
        /* After a batch of several requests, while others are being
         * admitted, a pause before taking the next lets one fsync, one
         * checkpoint signature and one round of wake-ups serve more of them
         * (PostgreSQL's commit_delay, taken only when other commits are in
         * flight). It lasts while admissions go on, until none has been
         * under way or begun for SEQUENCER_GATHER_QUIET_US: with a few
         * clients, that is soon after they are all back; under load, the
         * cap. A lone append is never delayed. */
        int gather = q->last_batch >= SEQUENCER_GATHER_AFTER && !q->stopping &&
                     atomic_load(&q->admitting) > 0;
        if (gather) {
            uint64_t cap = monotonic_us() + q->gather_us;
            unsigned seen = atomic_load(&q->admissions);
            for (;;) {
                uint64_t tick = monotonic_us() + SEQUENCER_GATHER_QUIET_US;
                int at_cap = cap <= tick;
                struct timespec until = monotonic_deadline(at_cap ? cap : tick);
                pthread_cond_timedwait(&q->stop, &q->mu, &until);
                unsigned now = atomic_load(&q->admissions);
                if (at_cap || q->stopping || (now == seen && atomic_load(&q->admitting) == 0))
                    break;
                seen = now;
            }
        }
        /* Take up to SEQUENCER_MAX_BATCH requests. */
        request *batch = q->head, *last = batch;
        size_t n = 1;
        while (last->next && n < SEQUENCER_MAX_BATCH) {
            last = last->next;
            n++;
        }
        q->head = last->next;
        if (q->head == NULL)
            q->tail = NULL;
        last->next = NULL;
        q->last_batch = n;
        pthread_mutex_unlock(&q->mu);

        seq_stats d = {.gathered = (uint64_t)gather};
        uint64_t t0 = monotonic_us();
        run_batch(q, batch, &d);
        d.busy_us = monotonic_us() - t0;

        pthread_mutex_lock(&q->mu);
        q->stats.batches += d.batches;
        q->stats.entries += d.entries;
        q->stats.duplicates += d.duplicates;
        q->stats.failures += d.failures;
        q->stats.busy_us += d.busy_us;
        q->stats.gathered += d.gathered;
        q->stats.tree_size = d.tree_size;
        pthread_mutex_unlock(&q->mu);
        for (request *r = batch, *next; r; r = next) {
            next = r->next;
            r->done(r->done_ctx, r->rc);
            free(r);
        }
        pthread_mutex_lock(&q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

sequencer *sequencer_start(store *writer, const notekey_signer *log_key, seq_apply_fn apply,
                           void *apply_ctx, perr *err)
{
    sequencer *q = calloc(1, sizeof *q);
    if (q == NULL || (q->cache = malloc(NODE_CACHE_SLOTS * sizeof *q->cache)) == NULL) {
        free(q);
        perr_set(err, PERR_INTERNAL, "out of memory");
        return NULL;
    }
    q->db = writer;
    q->key = log_key;
    q->apply = apply;
    q->apply_ctx = apply_ctx;
    cache_clear(q);
    uint64_t size;
    merkle_source src = store_merkle_source(writer);
    if (store_log_size(writer, &size, err) != 0)
        goto fail;
    if (merkle_frontier_load(&q->tree, &src, size) != 0) {
        perr_set(err, PERR_IO, "log: tree nodes missing for size %llu", (unsigned long long)size);
        goto fail;
    }
    q->stats.tree_size = size;
    q->gather_us = SEQUENCER_GATHER_US;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->work, NULL);
    pthread_condattr_t monotonic;
    pthread_condattr_init(&monotonic);
    pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
    pthread_cond_init(&q->stop, &monotonic);
    pthread_condattr_destroy(&monotonic);
    if (pthread_create(&q->thread, NULL, sequencer_main, q) != 0) {
        perr_set(err, PERR_INTERNAL, "cannot start the sequencer thread");
        pthread_cond_destroy(&q->stop);
        pthread_cond_destroy(&q->work);
        pthread_mutex_destroy(&q->mu);
        goto fail;
    }
    return q;
fail:
    free(q->cache);
    free(q);
    return NULL;
}

/* Takes r (heap) whatever the outcome. */
static int enqueue(sequencer *q, request *r)
{
    pthread_mutex_lock(&q->mu);
    if (q->stopping) {
        pthread_mutex_unlock(&q->mu);
        int rc = perr_set(r->err, PERR_UNAVAILABLE, "the log is shutting down");
        free(r);
        return rc;
    }
    if (q->tail)
        q->tail->next = r;
    else
        q->head = r;
    q->tail = r;
    pthread_cond_signal(&q->work);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

static request *new_request(store_entry *entries, size_t n, int bulk, seq_result *out, perr *err,
                            seq_done_fn done, void *ctx)
{
    request *r = malloc(sizeof *r);
    if (r == NULL) {
        perr_set(err, PERR_INTERNAL, "out of memory");
        return NULL;
    }
    *r = (request){.entry = entries, .n = n, .bulk = bulk, .result = out, .err = err, .done = done,
                   .done_ctx = ctx};
    return r;
}

typedef struct waiter {
    sem_t posted;
    int rc;
} waiter;

static void wake_waiter(void *ctx, int rc)
{
    waiter *w = ctx;
    w->rc = rc;
    sem_post(&w->posted);
}

static int enqueue_and_wait(sequencer *q, store_entry *entries, size_t n, int bulk, seq_result *out, perr *err)
{
    waiter w = {.rc = -1};
    request *r = new_request(entries, n, bulk, out, err, wake_waiter, &w);
    if (r == NULL)
        return -1;
    sem_init(&w.posted, 0, 0);
    if (enqueue(q, r) == 0)
        while (sem_wait(&w.posted) != 0) /* only EINTR */
            ;
    sem_destroy(&w.posted);
    return w.rc;
}

/* On the submitting thread, so the sequencer's serial work stays smaller. */
static void prepare_one(store_entry *entry, seq_result *out)
{
    memset(out, 0, sizeof *out);
    merkle_leaf_hash(entry->leaf, entry->leaf_len, entry->leaf_hash);
}

int sequencer_append(sequencer *q, store_entry *entry, seq_result *out, perr *err)
{
    prepare_one(entry, out);
    int rc = enqueue_and_wait(q, entry, 1, 0, out, err);
    if (rc != 0)
        seq_result_free(out);
    return rc;
}

int sequencer_append_start(sequencer *q, store_entry *entry, seq_result *out, perr *err, seq_done_fn done,
                           void *ctx)
{
    prepare_one(entry, out);
    request *r = new_request(entry, 1, 0, out, err, done, ctx);
    return r ? enqueue(q, r) : -1;
}

int sequencer_append_bulk(sequencer *q, store_entry *entries, size_t n, uint64_t *tree_size, perr *err)
{
    if (n == 0 || n > SEQUENCER_MAX_BULK)
        return perr_set(err, PERR_TOO_LARGE, "a bulk append holds 1 to %d entries", SEQUENCER_MAX_BULK);
    for (size_t i = 0; i < n; i++)
        merkle_leaf_hash(entries[i].leaf, entries[i].leaf_len, entries[i].leaf_hash);
    seq_result out = {0};
    int rc = enqueue_and_wait(q, entries, n, 1, &out, err);
    *tree_size = out.tree_size;
    return rc;
}

void sequencer_admission_begin(sequencer *q)
{
    if (q) {
        atomic_fetch_add(&q->admissions, 1);
        atomic_fetch_add(&q->admitting, 1);
    }
}

void sequencer_admission_end(sequencer *q)
{
    if (q)
        atomic_fetch_sub(&q->admitting, 1);
}

void sequencer_set_gather_us(sequencer *q, unsigned us)
{
    pthread_mutex_lock(&q->mu);
    q->gather_us = us;
    pthread_mutex_unlock(&q->mu);
}

void sequencer_stats_get(sequencer *q, seq_stats *out)
{
    pthread_mutex_lock(&q->mu);
    *out = q->stats;
    pthread_mutex_unlock(&q->mu);
}

void sequencer_stop(sequencer *q)
{
    if (q == NULL)
        return;
    pthread_mutex_lock(&q->mu);
    q->stopping = 1;
    pthread_cond_broadcast(&q->work);
    pthread_cond_broadcast(&q->stop);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->thread, NULL);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->work);
    pthread_cond_destroy(&q->stop);
    free(q->cache);
    free(q);
}

void seq_result_free(seq_result *r)
{
    free(r->checkpoint);
    r->checkpoint = NULL;
}
