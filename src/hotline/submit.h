/* submit.h — admitting an envelope to the log. The rules a node applies
 * before it appends anything:
 *   - the envelope parses and its signature verifies (envelope.h);
 *   - the sender is a registered participant and the header's sender_key is
 *     the key registered for it; every recipient is registered;
 *   - "created" is within max_skew of the node's clock, so the signed time is
 *     also the time of logging, to within the skew (no backdating);
 *   - the message id has never been logged (no replay).
 * On success the payload is stored beside the log and the caller gets a receipt. */
#ifndef PARLEY_SUBMIT_H
#define PARLEY_SUBMIT_H

#include <jansson.h>

#include "log/sequencer.h"
#include "store/pool.h"

typedef struct submit_policy {
    int64_t max_skew_ms;
} submit_policy;

/* Borrows a reader from the pool only for the directory checks, never while
 * waiting for the batch to commit, so every request can be in flight at once. */
json_t *hotline_submit(sequencer *seq, store_pool *readers, const submit_policy *policy,
                       const char *body, size_t len, perr *err);

#endif
