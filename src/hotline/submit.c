/* submit.c — admitting a message envelope to the log (rules in hotline.h). */
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/seal.h"
#include "hotline/directory.h"
#include "hotline/hotline.h"
#include "log/receipt.h"
#include "util/clock.h"

static int is_party(const store_message *m, const store_recipient *rs, size_t n, const char *who, int *recipient)
{
    *recipient = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(rs[i].participant, who) == 0)
            *recipient = 1;
    return *recipient || strcmp(m->sender, who) == 0;
}

/* The rules for a message that answers another. */
static int check_reference(store_pool *readers, const envelope *e, perr *err)
{
    int needs = e->kind == KIND_ACKNOWLEDGEMENT || e->kind == KIND_REPLY || e->kind == KIND_COMM_CHECK_REPLY ||
                e->kind == KIND_CLOSURE;
    if (e->in_reply_to[0] == '\0')
        return needs ? perr_set(err, PERR_INVALID, "a %s must name the message it answers in \"in_reply_to\"",
                                envelope_kind_name(e->kind))
                     : 0;
    store_message orig;
    store_recipient rs[ENVELOPE_MAX_RECIPIENTS];
    size_t n;
    store *reader = store_pool_acquire(readers);
    int found = store_message_get(reader, e->in_reply_to, &orig, err) == 0 &&
                store_recipients_get(reader, orig.id, rs, ENVELOPE_MAX_RECIPIENTS, &n, err) == 0;
    store_pool_release(readers, reader);
    if (!found)
        return err->code == PERR_NOT_FOUND
                   ? perr_set(err, PERR_NOT_FOUND, "in_reply_to: message %s is not in the log", e->in_reply_to)
                   : -1;
    if (strcmp(orig.group, e->group) != 0)
        return perr_set(err, PERR_INVALID, "in_reply_to: message %s belongs to group %s", orig.id, orig.group);
    int recipient;
    int party = is_party(&orig, rs, n, e->sender, &recipient);
    int must_be_recipient = e->kind == KIND_ACKNOWLEDGEMENT || e->kind == KIND_COMM_CHECK_REPLY;
    if (must_be_recipient ? !recipient : !party)
        return perr_set(err, PERR_FORBIDDEN, "%s never received message %s", e->sender, orig.id);
    if (e->kind == KIND_COMM_CHECK_REPLY && orig.kind != KIND_COMM_CHECK)
        return perr_set(err, PERR_INVALID, "a comm-check-reply must answer a comm-check");
    if (must_be_recipient && (e->nrecipients != 1 || strcmp(e->recipients[0], orig.sender) != 0))
        return perr_set(err, PERR_INVALID, "a %s goes to the original sender, %s, only",
                        envelope_kind_name(e->kind), orig.sender);
    return 0;
}

static int check_directory(hotline *h, const envelope *e, perr *err)
{
    dir_sender p;
    group_policy *g = malloc(sizeof *g);
    int rc = -1;
    if (g == NULL) {
        perr_set(err, PERR_INTERNAL, "out of memory");
        goto done;
    }
    if (dircache_sender(h->dir, h->readers, e->sender, &p, err) != 0) {
        if (err->code == PERR_UNKNOWN_KEY)
            perr_set(err, PERR_UNKNOWN_KEY, "sender %s is not a registered participant", e->sender);
        goto done;
    }
    if (memcmp(p.verifier_pk, e->sender_key.pk, NOTEKEY_PUBLIC_BYTES) != 0) {
        perr_set(err, PERR_UNKNOWN_KEY, "sender_key %08x is not the key registered for %s",
                 (unsigned)e->sender_key.id, e->sender);
        goto done;
    }
    if (strcmp(p.status, "active") != 0) {
        perr_set(err, PERR_FORBIDDEN, "participant %s is %s", e->sender, p.status);
        goto done;
    }
    if (dircache_group(h->dir, h->readers, e->group, g, err) != 0) {
        if (err->code == PERR_NOT_FOUND)
            err->code = PERR_INVALID;
        goto done;
    }
    if (!group_has_member(g, e->sender)) {
        perr_set(err, PERR_FORBIDDEN, "%s is not a member of group %s", e->sender, e->group);
        goto done;
    }
    for (size_t i = 0; i < e->nrecipients; i++)
        if (!group_has_member(g, e->recipients[i])) {
            perr_set(err, PERR_INVALID, "recipient %s is not a member of group %s", e->recipients[i], e->group);
            goto done;
        }
    if (!(g->kinds_allowed & (1u << e->kind))) {
        perr_set(err, PERR_FORBIDDEN, "group %s does not allow %s messages", e->group, envelope_kind_name(e->kind));
        goto done;
    }
    if (e->kind == KIND_COMM_CHECK && !group_has_coordinator(g, e->sender)) {
        perr_set(err, PERR_FORBIDDEN, "only a coordinator of %s sends communication checks", e->group);
        goto done;
    }
    rc = check_reference(h->readers, e, err);
done:
    free(g);
    return rc;
}

static int check_payload(const envelope *e, perr *err)
{
    seal_info info; /* 8.4 KiB on the stack, not a heap block per admission */
    int rc = seal_inspect(e->payload, e->payload_size, &info, err);
    if (rc == 0 && !info.encrypted && e->tlp != TLP_CLEAR)
        rc = perr_set(err, PERR_INVALID, "a TLP:%s payload must be encrypted (only TLP:CLEAR may be plain)",
                      tlp_name(e->tlp));
    for (size_t i = 0; rc == 0 && info.encrypted && i < e->nrecipients; i++) {
        int found = 0;
        for (size_t k = 0; k < info.nreaders && !found; k++)
            found = strcmp(info.readers[k], e->recipients[i]) == 0;
        if (!found)
            rc = perr_set(err, PERR_INVALID, "the payload is not sealed to recipient %s", e->recipients[i]);
    }
    return rc;
}

int hotline_check_created(const submit_policy *policy, int64_t created_ms, perr *err)
{
    int64_t now = clock_now_ms();
    if (created_ms > now + policy->max_skew_ms || created_ms < now - policy->max_skew_ms)
        return perr_set(err, PERR_INVALID, "\"created\" is more than %lld s away from the node's clock",
                        (long long)(policy->max_skew_ms / 1000));
    return 0;
}

struct hotline_submission {
    record rec;
    char *leaf;
    size_t leaf_len;
    store_entry entry;
    seq_result result;
    perr err;
    int rc;
    hotline_logged_fn logged;
    void *ctx;
};

static void submission_free(hotline_submission *s)
{
    seq_result_free(&s->result);
    free(s->leaf);
    envelope_free(&s->rec.env);
    free(s);
}

static void on_sequenced(void *ctx, int rc)
{
    hotline_submission *s = ctx;
    s->rc = rc;
    s->logged(s->ctx);
}

/* Everything admission decides, on the caller's thread; 0 once s->entry is ready for the log. */
static int admit(hotline *h, const char *sender, const char *body, size_t len, hotline_submission *s, perr *err)
{
    envelope *e = &s->rec.env;
    s->rec.type = RECORD_ENVELOPE;
    if (envelope_parse(body, len, ENVELOPE_WITH_PAYLOAD, e, err) != 0)
        return -1;
    if (sender == NULL || strcmp(sender, e->sender) != 0)
        return perr_set(err, PERR_FORBIDDEN, "the envelope's sender %s is not the authenticated participant",
                        e->sender);
    if (hotline_check_created(&h->policy, e->created_ms, err) != 0 || check_payload(e, err) != 0 ||
        check_directory(h, e, err) != 0 || (s->leaf = envelope_leaf(e, &s->leaf_len, err)) == NULL)
        return -1;
    s->entry = (store_entry){
        .leaf = s->leaf,
        .leaf_len = s->leaf_len,
        .msg_id = e->id,
        .sender = e->sender,
        .payload = e->payload,
        .payload_len = e->payload_size,
        .payload_hash = e->payload_sha256,
        .source = &s->rec,
    };
    return 0;
}

hotline_submission *hotline_submit_start(hotline *h, const char *sender, const char *body, size_t len,
                                         hotline_logged_fn logged, void *ctx, perr *err)
{
    hotline_submission *s = calloc(1, sizeof *s);
    if (s == NULL) {
        perr_set(err, PERR_INTERNAL, "out of memory");
        return NULL;
    }
    s->logged = logged;
    s->ctx = ctx;
    /* A gathering sequencer waits for this request while it is admitted. */
    sequencer_admission_begin(h->seq);
    int rc = admit(h, sender, body, len, s, err) != 0 ||
             sequencer_append_start(h->seq, &s->entry, &s->result, &s->err, on_sequenced, s) != 0;
    sequencer_admission_end(h->seq);
    if (rc) {
        if (s->err.code)
            *err = s->err;
        submission_free(s);
        return NULL;
    }
    return s;
}

int hotline_submit_finish(hotline_submission *s, buf *receipt, perr *err)
{
    int rc = s->rc == 0 ? receipt_write(s->leaf, s->leaf_len, &s->result, receipt, err) : -1;
    if (s->rc != 0)
        *err = s->err;
    submission_free(s);
    return rc;
}

static void post_logged(void *ctx)
{
    sem_post(ctx);
}

int hotline_submit(hotline *h, const char *sender, const char *body, size_t len, buf *receipt, perr *err)
{
    sem_t logged;
    sem_init(&logged, 0, 0);
    hotline_submission *s = hotline_submit_start(h, sender, body, len, post_logged, &logged, err);
    if (s != NULL)
        while (sem_wait(&logged) != 0) /* only EINTR */
            ;
    sem_destroy(&logged);
    return s ? hotline_submit_finish(s, receipt, err) : -1;
}
