/* views.c — what participants read: a message with its state and receipt,
 * inbox pages, the communication-check report and the directory. Steps per
 * recipient: sent → delivered → acknowledged → answered → closed; "overdue"
 * when the deadline has passed with the recipient neither acknowledging,
 * answering nor closing. Times are the signed times of the leaves. */
#include <stdlib.h>
#include <string.h>

#include "envelope/statement.h"
#include "hotline/access.h"
#include "hotline/directory.h"
#include "hotline/hotline.h"
#include "json/jcs.h"
#include "json/jget.h"
#include "log/receipt.h"
#include "util/clock.h"
#include "util/codec.h"

static json_t *json_id(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

static int is_overdue(const store_message *m, const store_recipient *r, int64_t now)
{
    return m->deadline_ms != 0 && now > m->deadline_ms && !r->acked_ms && !r->answered_ms && !r->closed_ms;
}

static const char *step_name(const store_recipient *r)
{
    return r->closed_ms ? "closed" : r->answered_ms ? "answered" : r->acked_ms ? "acknowledged"
         : r->delivered_ms ? "delivered" : "sent";
}

static json_t *recipient_json(const store_message *m, const store_recipient *r, int64_t now)
{
    int overdue = is_overdue(m, r, now);
    return json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o}", "participant", r->participant,
                     "state", overdue ? "overdue" : step_name(r), "step", step_name(r), "overdue", overdue,
                     "delivered", jtime_ms(r->delivered_ms), "acknowledged", jtime_ms(r->acked_ms),
                     "acknowledgement", json_id(r->ack_id), "answered", jtime_ms(r->answered_ms), "answer",
                     json_id(r->answer_id), "closed", jtime_ms(r->closed_ms));
}

static json_t *message_json(const store_message *m, const store_recipient *rs, size_t n, int64_t now)
{
    char hash[65];
    hex_encode(hash, m->payload_hash, 32);
    json_t *recips = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(recips, recipient_json(m, &rs[i], now));
    return json_pack("{s:s, s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:I, s:o}", "id", m->id,
                     "leaf_index", (json_int_t)m->index, "group", m->group, "sender", m->sender, "kind",
                     envelope_kind_name(m->kind), "in_reply_to", json_id(m->in_reply_to), "created",
                     jtime_ms(m->created_ms), "deadline", jtime_ms(m->deadline_ms), "logged",
                     jtime_ms(m->logged_ms), "tlp", tlp_name(m->tlp), "payload_sha256", hash,
                     "payload_size", (json_int_t)m->payload_size, "recipients", recips);
}

/* Message + recipients, with the read rule applied. */
static int load_visible(store *reader, const char *viewer, const char *id, store_message *m, store_recipient *rs,
                        size_t *n, perr *err)
{
    if (!ident_valid_uuid(id))
        return perr_set(err, PERR_NOT_FOUND, "no message with id \"%.40s\"", id);
    if (store_message_get(reader, id, m, err) != 0 ||
        store_recipients_get(reader, id, rs, ENVELOPE_MAX_RECIPIENTS, n, err) != 0)
        return -1;
    return access_check(reader, m, rs, *n, viewer, err);
}

/* Logs that viewer fetched message id (a node-signed delivery statement). */
static int log_delivery(hotline *h, const char *viewer, const char *id, perr *err)
{
    record rec = {.type = RECORD_STATEMENT};
    json_t *body = json_pack("{s:s, s:s}", "message", id, "participant", viewer);
    char *leaf = NULL;
    size_t len;
    int rc = -1;
    if (statement_build(STMT_DELIVERY, body, clock_now_ms(), h->node_key, &rec.st, err) == 0 &&
        (leaf = statement_leaf(&rec.st, &len, err)) != NULL) {
        store_entry e = {.leaf = leaf, .leaf_len = len, .msg_id = rec.st.id, .source = &rec};
        seq_result r;
        rc = sequencer_append(h->seq, &e, &r, err);
        if (rc == 0)
            seq_result_free(&r);
    }
    free(leaf);
    json_decref(body);
    statement_free(&rec.st);
    return rc;
}

static json_t *wire_envelope(store *reader, const store_message *m, perr *err)
{
    buf leaf, payload;
    buf_init(&leaf);
    buf_init(&payload);
    json_t *j = NULL;
    if (store_entry_leaf(reader, m->index, &leaf, err) == 0 &&
        store_payload(reader, m->index, m->payload_hash, &payload, err) == 0 &&
        (j = jcs_parse(leaf.data, leaf.len, err)) != NULL) {
        buf b64;
        buf_init(&b64);
        buf_put_b64(&b64, (const uint8_t *)payload.data, payload.len);
        json_object_set_new(j, "payload", json_string(b64.data ? b64.data : ""));
        buf_free(&b64);
    }
    buf_free(&leaf);
    buf_free(&payload);
    return j;
}

json_t *hotline_message(hotline *h, const char *viewer, const char *id, perr *err)
{
    store_message m;
    store_recipient rs[ENVELOPE_MAX_RECIPIENTS];
    size_t n;
    json_t *out = NULL;
    store *reader = store_pool_acquire(h->readers);
    int rc = load_visible(reader, viewer, id, &m, rs, &n, err);
    int first_read = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        first_read |= strcmp(rs[i].participant, viewer) == 0 && rs[i].delivered_ms == 0;
    if (rc == 0 && first_read) {
        /* Never hold a reader while waiting for the sequencer. */
        store_pool_release(h->readers, reader);
        rc = log_delivery(h, viewer, id, err);
        reader = store_pool_acquire(h->readers);
        if (rc == 0)
            rc = store_recipients_get(reader, id, rs, ENVELOPE_MAX_RECIPIENTS, &n, err);
    }
    if (rc == 0) {
        json_t *env = wire_envelope(reader, &m, err);
        json_t *receipt = env ? receipt_at(reader, &h->authority.node, m.index, err) : NULL;
        if (receipt)
            out = json_pack("{s:o, s:o, s:o}", "message", message_json(&m, rs, n, clock_now_ms()), "envelope",
                            env, "receipt", receipt);
        else
            json_decref(env);
    }
    store_pool_release(h->readers, reader);
    return out;
}

json_t *hotline_inbox(hotline *h, const char *viewer, const inbox_query *iq, perr *err)
{
    size_t limit = iq->limit == 0 || iq->limit > 500 ? 100 : iq->limit;
    store_message *page = malloc(limit * sizeof *page);
    if (page == NULL) {
        perr_set(err, PERR_INTERNAL, "out of memory");
        return NULL;
    }
    store_query q = {.participant = viewer, .role = iq->role, .group = iq->group, .kind = iq->kind,
                     .after_index = iq->after, .has_after = iq->has_after, .limit = limit};
    json_t *list = json_array(), *out = NULL;
    int64_t now = clock_now_ms();
    size_t n;
    store *reader = store_pool_acquire(h->readers);
    int rc = store_message_list(reader, &q, page, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        store_recipient rs[ENVELOPE_MAX_RECIPIENTS];
        size_t nr;
        rc = store_recipients_get(reader, page[i].id, rs, ENVELOPE_MAX_RECIPIENTS, &nr, err);
        if (rc == 0)
            json_array_append_new(list, message_json(&page[i], rs, nr, now));
    }
    store_pool_release(h->readers, reader);
    if (rc == 0)
        out = json_pack("{s:O, s:o}", "messages", list,
                        "next", n == limit ? json_integer((json_int_t)page[n - 1].index) : json_null());
    json_decref(list);
    free(page);
    return out;
}

/* ---- communication-check report ---- */

typedef struct member_tally {
    size_t checks, answered, on_time;
    int64_t *response_ms; /* one per answered check */
    json_t *history;
} member_tally;

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static json_t *check_json(const store_message *m, const store_recipient *rs, size_t n, int64_t now,
                          const group_policy *g, member_tally *tally)
{
    json_t *responses = json_array();
    for (size_t i = 0; i < n; i++) {
        const store_recipient *r = &rs[i];
        int answered = r->answered_ms != 0;
        int on_time = answered && (m->deadline_ms == 0 || r->answered_ms <= m->deadline_ms);
        json_array_append_new(responses, json_pack("{s:s, s:b, s:o, s:o, s:b, s:s}", "participant", r->participant,
                                                   "answered", answered, "answered_at", jtime_ms(r->answered_ms),
                                                   "response_seconds",
                                                   answered ? json_real((double)(r->answered_ms - m->created_ms) / 1000)
                                                            : json_null(),
                                                   "on_time", on_time, "state",
                                                   is_overdue(m, r, now) ? "overdue" : step_name(r)));
        for (size_t k = 0; k < g->nmembers; k++) {
            if (strcmp(g->members[k], r->participant) != 0)
                continue;
            member_tally *t = &tally[k];
            t->checks++;
            if (answered) {
                t->response_ms[t->answered++] = r->answered_ms - m->created_ms;
                t->on_time += (size_t)on_time;
            }
            json_array_append_new(t->history, json_string(on_time ? "on-time" : answered ? "late"
                                                           : is_overdue(m, r, now) ? "missed" : "pending"));
        }
    }
    return json_pack("{s:s, s:s, s:o, s:o, s:o}", "id", m->id, "sender", m->sender, "created",
                     jtime_ms(m->created_ms), "deadline", jtime_ms(m->deadline_ms), "responses", responses);
}

static json_t *member_json(store *reader, const char *id, member_tally *t, perr *err)
{
    store_participant *p = malloc(sizeof *p);
    json_t *contacts = NULL;
    if (p && store_participant_get(reader, id, p, err) == 0)
        contacts = jcs_parse(p->contacts, strlen(p->contacts), err);
    json_t *j = NULL;
    if (contacts) {
        qsort(t->response_ms, t->answered, sizeof(int64_t), cmp_i64);
        json_t *median = t->answered ? json_real((double)t->response_ms[t->answered / 2] / 1000) : json_null();
        j = json_pack("{s:s, s:s, s:o, s:I, s:I, s:I, s:o, s:o, s:O}", "participant", id, "name", p->name,
                      "contact_points", contacts, "checks", (json_int_t)t->checks, "answered",
                      (json_int_t)t->answered, "on_time", (json_int_t)t->on_time, "response_rate",
                      t->checks ? json_real((double)t->answered / (double)t->checks) : json_null(),
                      "median_response_seconds", median, "history", t->history);
    }
    free(p);
    return j;
}

json_t *hotline_report(hotline *h, const char *viewer, const char *group, size_t last, perr *err)
{
    enum { PAGE = 256 };
    group_policy *g = malloc(sizeof *g);
    store_message *checks = malloc(PAGE * sizeof *checks);
    member_tally *tally = calloc(GROUP_MAX_MEMBERS, sizeof *tally);
    json_t *out = NULL, *list = json_array(), *members = json_array();
    store *reader = store_pool_acquire(h->readers);
    int64_t now = clock_now_ms();
    size_t n = 0, total = 0;
    if (g == NULL || checks == NULL || tally == NULL) {
        perr_set(err, PERR_INTERNAL, "out of memory");
        goto done;
    }
    if (!ident_valid_group(group) || directory_load_group(reader, group, g, err) != 0) {
        perr_set(err, PERR_NOT_FOUND, "group %.64s does not exist", group);
        goto done;
    }
    if (!group_has_member(g, viewer)) {
        perr_set(err, PERR_FORBIDDEN, "only members of %s read its report", group);
        goto done;
    }
    for (size_t k = 0; k < g->nmembers; k++)
        tally[k].history = json_array();
    /* The newest `last` checks, oldest first: page through, keeping a window. */
    store_message *all = NULL;
    store_query q = {.role = ROLE_ANY, .group = group, .kind = KIND_COMM_CHECK, .limit = PAGE};
    do {
        if (store_message_list(reader, &q, checks, &n, err) != 0)
            goto done_all;
        store_message *grown = realloc(all, (total + n + 1) * sizeof *all);
        if (grown == NULL) {
            perr_set(err, PERR_INTERNAL, "out of memory");
            goto done_all;
        }
        all = grown;
        memcpy(all + total, checks, n * sizeof *checks);
        total += n;
        if (n)
            q.after_index = checks[n - 1].index, q.has_after = 1;
    } while (n == PAGE);
    size_t first = last && total > last ? total - last : 0;
    for (size_t k = 0; k < g->nmembers; k++) {
        free(tally[k].response_ms);
        tally[k].response_ms = malloc((total - first + 1) * sizeof(int64_t));
        if (tally[k].response_ms == NULL) {
            perr_set(err, PERR_INTERNAL, "out of memory");
            goto done_all;
        }
    }
    for (size_t i = first; i < total; i++) {
        store_recipient rs[ENVELOPE_MAX_RECIPIENTS];
        size_t nr;
        if (store_recipients_get(reader, all[i].id, rs, ENVELOPE_MAX_RECIPIENTS, &nr, err) != 0)
            goto done_all;
        json_array_append_new(list, check_json(&all[i], rs, nr, now, g, tally));
    }
    for (size_t k = 0; k < g->nmembers; k++) {
        json_t *mj = member_json(reader, g->members[k], &tally[k], err);
        if (mj == NULL)
            goto done_all;
        json_array_append_new(members, mj);
    }
    out = json_pack("{s:s, s:o, s:I, s:O, s:O}", "group", group, "generated", jtime_ms(now), "checks_total",
                    (json_int_t)total, "checks", list, "participants", members);
done_all:
    free(all);
done:
    store_pool_release(h->readers, reader);
    for (size_t k = 0; tally && g && k < GROUP_MAX_MEMBERS; k++) {
        free(tally[k].response_ms);
        json_decref(tally[k].history);
    }
    json_decref(list);
    json_decref(members);
    free(tally);
    free(checks);
    free(g);
    return out;
}

json_t *hotline_directory(hotline *h, perr *err)
{
    buf p, g, admin, node;
    buf_init(&p);
    buf_init(&g);
    buf_init(&admin);
    buf_init(&node);
    json_t *out = NULL, *pj = NULL, *gj = NULL;
    store *reader = store_pool_acquire(h->readers);
    if (store_participant_list(reader, &p, err) == 0 && store_group_list(reader, &g, err) == 0 &&
        (pj = jcs_parse(p.data, p.len, err)) != NULL && (gj = jcs_parse(g.data, g.len, err)) != NULL) {
        notekey_format_verifier(&h->authority.admin, &admin);
        notekey_format_verifier(&h->authority.node, &node);
        out = json_pack("{s:O, s:O, s:s, s:s}", "participants", pj, "groups", gj, "admin_key", admin.data,
                        "log_key", node.data);
    }
    store_pool_release(h->readers, reader);
    json_decref(pj);
    json_decref(gj);
    buf_free(&p);
    buf_free(&g);
    buf_free(&admin);
    buf_free(&node);
    return out;
}
