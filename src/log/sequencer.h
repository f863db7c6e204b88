/* sequencer.h — the one writer of the transparency log.
 *
 * Callers submit leaves from any thread, and either block until their leaf is
 * durable or are called back when it is (no thread need wait per append).
 * A single sequencer thread takes every request queued so far as one batch
 * (under load, after a short pause that lets more of them queue: see
 * SEQUENCER_GATHER_US), appends it in one store transaction (one fsync:
 * group commit), signs one checkpoint for the new size inside that
 * transaction, and only after COMMIT hands each caller its index, the
 * checkpoint and an inclusion proof. A failed batch leaves neither the store
 * nor the in-memory tree changed. */
#ifndef PARLEY_SEQUENCER_H
#define PARLEY_SEQUENCER_H

#include <stdint.h>

#include "crypto/notekey.h"
#include "store/store.h"
#include "tlog/merkle.h"

#define SEQUENCER_MAX_BATCH 4096 /* requests per batch */
#define SEQUENCER_MAX_BULK 100000 /* entries per bulk request */
/* Under load the sequencer gathers before it commits: after a batch of at
 * least SEQUENCER_GATHER_AFTER requests, while other requests are being
 * admitted (sequencer_admission_begin/end), it waits for them before taking
 * the next batch, so each fsync serves more entries. The pause ends once no
 * admission has been under way or begun for SEQUENCER_GATHER_QUIET_US, or
 * after SEQUENCER_GATHER_US. A lone append (the batch before it was small),
 * or one with nothing else on its way, is committed at once. */
#define SEQUENCER_GATHER_AFTER 4
#define SEQUENCER_GATHER_US 2000
#define SEQUENCER_GATHER_QUIET_US 250

typedef struct sequencer sequencer;

typedef struct seq_result {
    uint64_t index;
    uint64_t tree_size;
    char *checkpoint; /* signed checkpoint note for tree_size; caller frees */
    merkle_hash proof[MERKLE_MAX_PROOF];
    size_t proof_len;
} seq_result;

typedef struct seq_stats {
    uint64_t batches;
    uint64_t entries;
    uint64_t duplicates;
    uint64_t failures;
    uint64_t tree_size;
    uint64_t busy_us; /* time spent writing, committing and answering batches */
    uint64_t gathered; /* batches taken after a gathering pause */
} seq_stats;

/* Called on the sequencer thread for each appended entry, inside the batch's
 * transaction and on the writer handle, so state derived from the log
 * commits atomically with the leaves it comes from. -1 fails the batch. */
typedef int (*seq_apply_fn)(void *ctx, store *writer, const store_entry *e, perr *err);

/* Takes ownership of nothing: writer, key and apply_ctx must outlive the
 * sequencer. apply may be NULL. */
sequencer *sequencer_start(store *writer, const notekey_signer *log_key, seq_apply_fn apply,
                           void *apply_ctx, perr *err);
/* Appends entry (its store_entry fields are read, not kept) and waits until it
 * is durable. PERR_CONFLICT for a message id already logged. */
int sequencer_append(sequencer *q, store_entry *entry, seq_result *out, perr *err);

/* Called on the sequencer thread once the entry is durable (rc 0, the result
 * filled in) or its append failed (rc -1, the error set). It runs between
 * batches, so it should only hand the result on (post, resume) and return. */
typedef void (*seq_done_fn)(void *ctx, int rc);
/* Queues entry and returns at once; entry, out and err must stay valid until
 * done is called, and out is freed with seq_result_free whatever rc was.
 * -1 (done never called) if the log is shutting down. */
int sequencer_append_start(sequencer *q, store_entry *entry, seq_result *out, perr *err, seq_done_fn done,
                           void *ctx);
/* Appends many entries in one transaction and waits until they are durable;
 * each entry's index and duplicate flag are filled in. No receipts: callers
 * that need one ask receipt_at() later. Duplicates are not errors here. */
int sequencer_append_bulk(sequencer *q, store_entry *entries, size_t n, uint64_t *tree_size, perr *err);
/* A request that will be appended is being admitted (parsed, checked,
 * verified) on some thread: a gathering sequencer waits while admissions go
 * on. Every begin is matched by one end, whether the request was queued or
 * refused. Both accept NULL. */
void sequencer_admission_begin(sequencer *q);
void sequencer_admission_end(sequencer *q);
/* The longest gathering pause, SEQUENCER_GATHER_US unless set (tests). */
void sequencer_set_gather_us(sequencer *q, unsigned us);
void sequencer_stats_get(sequencer *q, seq_stats *out);
/* Stops accepting new requests, commits those already queued, joins the thread. */
void sequencer_stop(sequencer *q);
void seq_result_free(seq_result *r);

#endif
