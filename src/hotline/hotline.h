/* hotline.h — the hotline service: admission of messages and administrator
 * statements, and the views participants read. Callers (HTTP, tests,
 * benchmarks) pass the authenticated participant; this layer decides what
 * that participant may do. Every refusal is a perr whose code says which
 * status it deserves (FORBIDDEN, NOT_FOUND, CONFLICT, …).
 *
 * Admission rules for a message (beyond envelope.h's form and signature):
 *   - the sender is the authenticated participant, is registered and active,
 *     and signed with its registered key;
 *   - the group exists; the sender and every recipient are members; the kind
 *     is allowed; a comm-check comes from a coordinator;
 *   - "created" is within max_skew of the node's clock (no backdating);
 *   - acknowledgement, reply, comm-check-reply and closure name, in
 *     in_reply_to, a message of the same group that the sender received
 *     (or, for reply and closure, sent); an acknowledgement and a
 *     comm-check-reply go back to that message's sender only;
 *   - above TLP:CLEAR the payload is sealed (seal.h) and every recipient
 *     holds a key to it;
 *   - the id has never been logged (no replay). */
#ifndef PARLEY_HOTLINE_H
#define PARLEY_HOTLINE_H

#include <jansson.h>
#include <pthread.h>

#include "hotline/credentials.h"
#include "hotline/dircache.h"
#include "hotline/state.h"
#include "log/sequencer.h"
#include "store/pool.h"

typedef struct submit_policy {
    int64_t max_skew_ms;
} submit_policy;

typedef struct hotline {
    sequencer *seq;
    store_pool *readers;
    dircache *dir;                  /* senders and groups as admission sees them */
    submit_policy policy;
    state_authority authority;      /* admin key and the node's log key */
    const notekey_signer *node_key; /* signs delivery statements */
    uint8_t token_key[CREDENTIAL_KEY_BYTES];
    store *admin_writer;            /* credentials only: they are not log entries */
    pthread_mutex_t admin_mu;
} hotline;

/* "created" within max_skew of the node's clock: the signed time is then also
 * the logging time, to within the skew (no backdating). */
int hotline_check_created(const submit_policy *policy, int64_t created_ms, perr *err);
/* POST a signed envelope as `sender` (the authenticated participant); waits
 * until it is durable and writes its receipt. */
int hotline_submit(hotline *h, const char *sender, const char *body, size_t len, buf *receipt, perr *err);

/* The same without a thread waiting on the log: admission runs on the
 * caller's thread, then the message is queued. logged(ctx) is called on the
 * sequencer thread once it is durable or its append failed; it should only
 * hand the submission on (post, resume) and return. The caller then calls
 * hotline_submit_finish, on any thread. NULL with *err set if the message is
 * refused before it is queued (logged is then never called). */
typedef struct hotline_submission hotline_submission;
typedef void (*hotline_logged_fn)(void *ctx);
hotline_submission *hotline_submit_start(hotline *h, const char *sender, const char *body, size_t len,
                                         hotline_logged_fn logged, void *ctx, perr *err);
/* Writes the receipt (or sets *err, as hotline_submit would) and frees s. */
int hotline_submit_finish(hotline_submission *s, buf *receipt, perr *err);
/* POST an administrator statement; a credential statement's answer also
 * carries the new token, shown this once. */
json_t *hotline_admin(hotline *h, const char *body, size_t len, perr *err);
/* credential_check against the node's current tokens. */
int hotline_authenticate(hotline *h, const char *authorization, char participant[IDENT_PARTICIPANT_MAX + 1],
                         perr *err);

typedef struct inbox_query {
    const char *group;      /* NULL: all */
    int kind;               /* -1: all */
    enum store_role role;   /* ROLE_RECIPIENT (inbox), ROLE_SENDER (sent), ROLE_EITHER */
    int has_after;
    uint64_t after;
    size_t limit;
} inbox_query;

/* A message as `viewer` may see it: metadata, per-recipient state, the
 * envelope with its payload and a receipt against the newest checkpoint.
 * A recipient's first read is logged as a delivery statement. */
json_t *hotline_message(hotline *h, const char *viewer, const char *id, perr *err);
json_t *hotline_inbox(hotline *h, const char *viewer, const inbox_query *q, perr *err);
/* The communication-check report of a group (members only). */
json_t *hotline_report(hotline *h, const char *viewer, const char *group, size_t last, perr *err);
json_t *hotline_directory(hotline *h, perr *err);

#endif
