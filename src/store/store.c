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

int store_payload(store *s, const uint8_t hash[32], buf *out, perr *err)
{
    return s->ops->payload(s, hash, out, err);
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

void store_batch_put_node(store_batch *b, unsigned level, uint64_t index, const merkle_hash h)
{
    b->put_node(b, level, index, h);
}
