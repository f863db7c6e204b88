/* store.c — dispatch from the storage interface to a backend. */
#include "store/store.h"

void store_close(store *s)
{
    if (s)
        s->ops->close(s);
}

int store_log_size(store *s, uint64_t *size, perr *err)
{
    return s->ops->log_size(s, size, err);
}

int store_node(store *s, unsigned level, uint64_t index, merkle_hash out)
{
    return s->ops->node(s, level, index, out);
}

int store_nodes(store *s, unsigned level, uint64_t first, unsigned count, merkle_hash *out, perr *err)
{
    return s->ops->nodes(s, level, first, count, out, err);
}

int store_entry_bundle(store *s, uint64_t first, unsigned count, buf *out, perr *err)
{
    return s->ops->entry_bundle(s, first, count, out, err);
}

int store_entry_leaf(store *s, uint64_t index, buf *leaf, perr *err)
{
    return s->ops->entry(s, index, leaf, err);
}

int store_payload(store *s, uint64_t index, const uint8_t hash[32], buf *out, perr *err)
{
    return s->ops->payload(s, index, hash, out, err);
}

int store_append_batch(store *s, store_entry *entries, size_t n, store_leaf_fn on_leaf,
                       store_checkpoint_fn on_checkpoint, void *ctx, char **checkpoint, perr *err)
{
    return s->ops->append_batch(s, entries, n, on_leaf, on_checkpoint, ctx, checkpoint, err);
}

int store_checkpoint(store *s, uint64_t size, buf *note, perr *err)
{
    return s->ops->checkpoint(s, size, note, err);
}

int store_meta_get(store *s, const char *key, buf *value, perr *err)
{
    return s->ops->meta_get(s, key, value, err);
}

int store_meta_put(store *s, const char *key, const char *value, perr *err)
{
    return s->ops->meta_put(s, key, value, err);
}

int store_participant_put(store *s, const store_participant *p, perr *err)
{
    return s->ops->participant_put(s, p, err);
}

int store_participant_get(store *s, const char *id, store_participant *out, perr *err)
{
    return s->ops->participant_get(s, id, out, err);
}

static int source_node(void *ctx, unsigned level, uint64_t index, merkle_hash out)
{
    return store_node(ctx, level, index, out);
}

merkle_source store_merkle_source(store *s)
{
    return (merkle_source){source_node, s};
}

int store_participant_list(store *s, buf *out, perr *err)
{
    return s->ops->participant_list(s, out, err);
}

int store_group_put(store *s, const char *id, const char *doc, const char *const *members, size_t n, perr *err)
{
    return s->ops->group_put(s, id, doc, members, n, err);
}

int store_group_get(store *s, const char *id, buf *doc, perr *err)
{
    return s->ops->group_get(s, id, doc, err);
}

int store_group_list(store *s, buf *out, perr *err)
{
    return s->ops->group_list(s, out, err);
}

int store_member_of(store *s, const char *group, const char *participant, int *yes, perr *err)
{
    return s->ops->member_of(s, group, participant, yes, err);
}

int store_message_put(store *s, const store_message *m, const char *const *recipients, size_t n, perr *err)
{
    return s->ops->message_put(s, m, recipients, n, err);
}

int store_message_get(store *s, const char *id, store_message *out, perr *err)
{
    return s->ops->message_get(s, id, out, err);
}

int store_recipients_get(store *s, const char *msg_id, store_recipient *out, size_t max, size_t *n, perr *err)
{
    return s->ops->recipients_get(s, msg_id, out, max, n, err);
}

int store_recipient_mark(store *s, const char *msg_id, const char *participant, enum store_mark m,
                         int64_t at_ms, const char *ref_id, perr *err)
{
    return s->ops->recipient_mark(s, msg_id, participant, m, at_ms, ref_id, err);
}

int store_message_list(store *s, const store_query *q, store_message *out, size_t *n, perr *err)
{
    return s->ops->message_list(s, q, out, n, err);
}

int store_state_clear(store *s, perr *err)
{
    return s->ops->state_clear(s, err);
}

int store_credential_put(store *s, const char *participant, const uint8_t hash[32], perr *err)
{
    return s->ops->credential_put(s, participant, hash, err);
}

int store_credential_get(store *s, const char *participant, uint8_t hash[32], perr *err)
{
    return s->ops->credential_get(s, participant, hash, err);
}

int store_transaction(store *s, int (*fn)(void *ctx, store *s, perr *err), void *ctx, perr *err)
{
    return s->ops->transaction(s, fn, ctx, err);
}

void store_batch_put_node(store_batch *b, unsigned level, uint64_t index, const merkle_hash h)
{
    b->put_node(b, level, index, h);
}

int store_object_put(store *s, const store_object *o, perr *err)
{
    return s->ops->object_put(s, o, err);
}

int store_object_delete(store *s, const char *collection, const char *id, int64_t version_us, perr *err)
{
    return s->ops->object_delete(s, collection, id, version_us, err);
}

int store_object_query(store *s, const store_objquery *q, store_object_fn fn, void *ctx, int *more, perr *err)
{
    return s->ops->object_query(s, q, fn, ctx, more, err);
}

int store_taxii_status_put(store *s, const char *id, const char *doc, perr *err)
{
    return s->ops->taxii_status_put(s, id, doc, err);
}

int store_taxii_status_get(store *s, const char *id, buf *doc, perr *err)
{
    return s->ops->taxii_status_get(s, id, doc, err);
}
