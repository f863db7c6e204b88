/* submit.c — envelope admission and append. */
#include "hotline/submit.h"

#include <stdlib.h>
#include <string.h>

#include "envelope/envelope.h"
#include "log/receipt.h"
#include "util/clock.h"

static int check_directory(store *reader, const envelope *e, perr *err)
{
    store_participant p;
    if (store_participant_get(reader, e->sender, &p, err) != 0)
        return err->code == PERR_UNKNOWN_KEY
                   ? perr_set(err, PERR_UNKNOWN_KEY, "sender %s is not a registered participant", e->sender)
                   : -1;
    if (memcmp(p.keys.verifier.pk, e->sender_key.pk, NOTEKEY_PUBLIC_BYTES) != 0)
        return perr_set(err, PERR_UNKNOWN_KEY, "sender_key %08x is not the key registered for %s",
                        (unsigned)e->sender_key.id, e->sender);
    for (size_t i = 0; i < e->nrecipients; i++)
        if (store_participant_get(reader, e->recipients[i], &p, err) != 0)
            return err->code == PERR_UNKNOWN_KEY
                       ? perr_set(err, PERR_INVALID, "recipient %s is not a registered participant", e->recipients[i])
                       : -1;
    return 0;
}

json_t *hotline_submit(sequencer *seq, store_pool *readers, const submit_policy *policy,
                       const char *body, size_t len, perr *err)
{
    envelope e;
    if (envelope_parse(body, len, ENVELOPE_WITH_PAYLOAD, &e, err) != 0)
        return NULL;
    json_t *receipt = NULL;
    char *leaf = NULL;
    size_t leaf_len;
    int64_t now = clock_now_ms();
    store *reader = store_pool_acquire(readers);
    int known = check_directory(reader, &e, err);
    store_pool_release(readers, reader);
    if (known != 0)
        goto done;
    if (e.created_ms > now + policy->max_skew_ms || e.created_ms < now - policy->max_skew_ms) {
        perr_set(err, PERR_INVALID, "\"created\" is more than %lld s away from the node's clock",
                 (long long)(policy->max_skew_ms / 1000));
        goto done;
    }
    leaf = envelope_leaf(&e, &leaf_len, err);
    if (leaf == NULL)
        goto done;
    store_entry entry = {
        .leaf = leaf,
        .leaf_len = leaf_len,
        .msg_id = e.id,
        .sender = e.sender,
        .payload = e.payload,
        .payload_len = e.payload_size,
        .payload_hash = e.payload_sha256,
    };
    seq_result r;
    if (sequencer_append(seq, &entry, &r, err) != 0)
        goto done;
    receipt = receipt_build(leaf, leaf_len, &r, err);
    seq_result_free(&r);
done:
    free(leaf);
    envelope_free(&e);
    return receipt;
}
