/* state.c — applying leaves to the derived state, and rebuilding it. */
#include "hotline/state.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/directory.h"
#include "json/jcs.h"
#include "stix/stix.h"
#include "util/codec.h"

static int same_key(const notekey_verifier *a, const notekey_verifier *b)
{
    return a->id == b->id && memcmp(a->pk, b->pk, NOTEKEY_PUBLIC_BYTES) == 0 && strcmp(a->name, b->name) == 0;
}

static int apply_statement(const state_authority *a, store *w, const statement *st, perr *err)
{
    const json_t *body = st->body;
    if (st->type == STMT_DELIVERY) {
        if (!same_key(&st->signer_key, &a->node))
            return 0;
        const char *msg = json_string_value(json_object_get(body, "message"));
        const char *who = json_string_value(json_object_get(body, "participant"));
        if (msg == NULL || who == NULL)
            return 0;
        return store_recipient_mark(w, msg, who, MARK_DELIVERED, st->created_ms, NULL, err);
    }
    if (!same_key(&st->signer_key, &a->admin))
        return 0;
    perr ignored = {0};
    if (st->type == STMT_PARTICIPANT) {
        store_participant p;
        if (directory_parse_participant(body, &p, &ignored) != 0)
            return 0;
        p.updated_ms = st->created_ms;
        return store_participant_put(w, &p, err);
    }
    if (st->type == STMT_GROUP) {
        group_policy *g = malloc(sizeof *g);
        if (g == NULL)
            return perr_set(err, PERR_INTERNAL, "out of memory");
        int rc = 0;
        if (directory_parse_group(body, g, &ignored) == 0) {
            const char *members[GROUP_MAX_MEMBERS];
            for (size_t i = 0; i < g->nmembers; i++)
                members[i] = g->members[i];
            size_t len;
            char *doc = jcs_dumps(body, &len, err);
            rc = doc ? store_group_put(w, g->id, doc, members, g->nmembers, err) : -1;
            free(doc);
        }
        free(g);
        return rc;
    }
    return 0; /* credentials: nothing derived */
}

static int64_t effective_deadline(store *w, const envelope *e, perr *err)
{
    if (e->deadline_ms != 0)
        return e->deadline_ms;
    group_policy *g = malloc(sizeof *g);
    if (g == NULL)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    perr ignored = {0};
    int64_t d = 0;
    if (directory_load_group(w, e->group, g, &ignored) == 0 && g->deadline_s[e->kind] > 0)
        d = e->created_ms + g->deadline_s[e->kind] * 1000;
    free(g);
    return d;
}

static int mark_progress(store *w, const envelope *e, perr *err)
{
    store_message orig;
    perr ignored = {0};
    if (e->in_reply_to[0] == '\0' || store_message_get(w, e->in_reply_to, &orig, &ignored) != 0)
        return 0;
    switch (e->kind) {
    case KIND_ACKNOWLEDGEMENT:
        return store_recipient_mark(w, orig.id, e->sender, MARK_ACKED, e->created_ms, e->id, err);
    case KIND_REPLY:
    case KIND_COMM_CHECK_REPLY:
        return store_recipient_mark(w, orig.id, e->sender, MARK_ANSWERED, e->created_ms, e->id, err);
    case KIND_CLOSURE:
        if (strcmp(orig.sender, e->sender) != 0)
            return store_recipient_mark(w, orig.id, e->sender, MARK_CLOSED, e->created_ms, e->id, err);
        store_recipient rs[ENVELOPE_MAX_RECIPIENTS];
        size_t n;
        if (store_recipients_get(w, orig.id, rs, ENVELOPE_MAX_RECIPIENTS, &n, err) != 0)
            return -1;
        for (size_t i = 0; i < n; i++)
            if (store_recipient_mark(w, orig.id, rs[i].participant, MARK_CLOSED, e->created_ms, e->id, err) != 0)
                return -1;
        return 0;
    default:
        return 0;
    }
}

static int apply_envelope(store *w, const envelope *e, uint64_t index, perr *err)
{
    store_message m = {0};
    strcpy(m.id, e->id);
    m.index = index;
    strcpy(m.group, e->group);
    strcpy(m.sender, e->sender);
    m.kind = e->kind;
    strcpy(m.in_reply_to, e->in_reply_to);
    m.created_ms = e->created_ms;
    m.tlp = e->tlp;
    memcpy(m.payload_hash, e->payload_sha256, 32);
    m.payload_size = e->payload_size;
    m.deadline_ms = effective_deadline(w, e, err);
    if (m.deadline_ms < 0)
        return -1;
    const char *recipients[ENVELOPE_MAX_RECIPIENTS];
    for (size_t i = 0; i < e->nrecipients; i++)
        recipients[i] = e->recipients[i];
    if (store_message_put(w, &m, recipients, e->nrecipients, err) != 0)
        return -1;
    return mark_progress(w, e, err);
}

/* An evidence record → one object version added to or removed from a collection. */
static int apply_evidence(store *w, const json_t *e, uint64_t index, perr *err)
{
    const char *op = json_string_value(json_object_get(e, "op"));
    store_object o = {
        .collection = json_string_value(json_object_get(e, "collection")),
        .id = json_string_value(json_object_get(e, "object")),
        .type = json_string_value(json_object_get(e, "type")),
        .version = json_string_value(json_object_get(e, "version")),
        .spec_version = json_string_value(json_object_get(e, "spec_version")),
        .added_by = json_string_value(json_object_get(e, "added_by")),
        .version_us = json_integer_value(json_object_get(e, "version_us")),
        .index = index,
    };
    if (o.collection == NULL || o.id == NULL || op == NULL)
        return 0;
    if (strcmp(op, "delete") == 0)
        return store_object_delete(w, o.collection, o.id, o.version_us, err);
    const char *tlp = json_string_value(json_object_get(e, "tlp"));
    const char *hash = json_string_value(json_object_get(e, "sha256"));
    const char *added = json_string_value(json_object_get(e, "date_added"));
    enum tlp_level level;
    if (o.type == NULL || o.spec_version == NULL || o.added_by == NULL || tlp == NULL || tlp_parse(tlp, &level) != 0 ||
        hash == NULL || hex_decode(o.hash, 32, hash) != 0 || added == NULL || stix_time_us(added, &o.added_us) != 0)
        return 0;
    o.tlp = (int)level;
    buf readers;
    buf_init(&readers);
    buf_putc(&readers, ',');
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(e, "readers"), i, r)
        if (json_is_string(r))
            buf_printf(&readers, "%s,", json_string_value(r));
    o.readers = readers.data;
    int rc = readers.failed ? perr_set(err, PERR_INTERNAL, "out of memory") : store_object_put(w, &o, err);
    buf_free(&readers);
    return rc;
}

int state_apply(const state_authority *a, store *w, const record *r, uint64_t index, perr *err)
{
    if (r->type == RECORD_STATEMENT)
        return apply_statement(a, w, &r->st, err);
    if (r->type == RECORD_EVIDENCE)
        return apply_evidence(w, r->evidence, index, err);
    return apply_envelope(w, &r->env, index, err);
}

int state_apply_entry(void *ctx, store *writer, const store_entry *e, perr *err)
{
    if (e->source != NULL)
        return state_apply(ctx, writer, e->source, e->index, err);
    record r;
    if (record_parse_leaf(e->leaf, e->leaf_len, &r, err) != 0)
        return 0; /* not a Parley record: nothing derives from it */
    int rc = state_apply(ctx, writer, &r, e->index, err);
    record_free(&r);
    return rc;
}

typedef struct rebuild_ctx {
    const state_authority *a;
    uint64_t replayed;
} rebuild_ctx;

static int replay(void *ctx, store *w, perr *err)
{
    rebuild_ctx *rc = ctx;
    uint64_t size;
    if (store_state_clear(w, err) != 0 || store_log_size(w, &size, err) != 0)
        return -1;
    buf leaf;
    buf_init(&leaf);
    int result = 0;
    for (uint64_t i = 0; i < size && result == 0; i++) {
        buf_reset(&leaf);
        store_entry e = {0};
        if (store_entry_leaf(w, i, &leaf, err) != 0) {
            result = -1;
            break;
        }
        e.leaf = leaf.data;
        e.leaf_len = leaf.len;
        e.index = i;
        result = state_apply_entry((void *)rc->a, w, &e, err);
        rc->replayed++;
    }
    buf_free(&leaf);
    return result;
}

int state_rebuild(const state_authority *a, store *w, uint64_t *replayed, perr *err)
{
    rebuild_ctx ctx = {a, 0};
    int rc = store_transaction(w, replay, &ctx, err);
    *replayed = ctx.replayed;
    return rc;
}

int state_digest(store *s, uint8_t out[32], perr *err)
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    buf b;
    buf_init(&b);
    if (store_participant_list(s, &b, err) != 0)
        goto fail;
    buf_putc(&b, '\n');
    if (store_group_list(s, &b, err) != 0)
        goto fail;
    buf_putc(&b, '\n');
    crypto_hash_sha256_update(&h, (const uint8_t *)b.data, b.len);
    enum { PAGE = 256 };
    store_message *page = malloc(PAGE * sizeof *page);
    store_query q = {.role = ROLE_ANY, .kind = -1, .limit = PAGE};
    size_t n;
    do {
        if (page == NULL || store_message_list(s, &q, page, &n, err) != 0) {
            free(page);
            goto fail;
        }
        for (size_t i = 0; i < n; i++) {
            store_recipient rs[ENVELOPE_MAX_RECIPIENTS];
            size_t nr;
            page[i].logged_ms = 0; /* not derived: the time the node appended it */
            crypto_hash_sha256_update(&h, (const uint8_t *)&page[i], sizeof page[i]);
            if (store_recipients_get(s, page[i].id, rs, ENVELOPE_MAX_RECIPIENTS, &nr, err) != 0) {
                free(page);
                goto fail;
            }
            crypto_hash_sha256_update(&h, (const uint8_t *)rs, nr * sizeof rs[0]);
            q.after_index = page[i].index;
            q.has_after = 1;
        }
    } while (n == PAGE);
    free(page);
    buf_free(&b);
    crypto_hash_sha256_final(&h, out);
    return 0;
fail:
    buf_free(&b);
    return -1;
}
