/* state.h — the state derived from the log: the directory and each message's
 * progress per recipient. It is a pure function of the leaves in log order:
 *   participant / group statement signed by the admin key → directory row;
 *   delivery statement signed by the node key             → delivered time;
 *   envelope → message row (effective deadline: the header's, else the
 *     group's deadline for the kind at that point of the log);
 *   acknowledgement → acknowledged; reply / comm-check-reply → answered;
 *   closure by the original sender → closed for every recipient, by a
 *     recipient → closed for that recipient.
 * Each step is recorded once (the first leaf wins) and only for a sender who
 * is a recipient of the referenced message, so leaves that made no sense
 * change nothing — the same way live and on rebuild. */
#ifndef PARLEY_STATE_H
#define PARLEY_STATE_H

#include "envelope/record.h"
#include "store/store.h"

typedef struct state_authority {
    notekey_verifier admin; /* signs directory changes */
    notekey_verifier node;  /* signs delivery statements (the log key) */
} state_authority;

int state_apply(const state_authority *a, store *w, const record *r, uint64_t index, perr *err);
/* The sequencer's apply hook: ctx is a state_authority, e->source a record. */
int state_apply_entry(void *ctx, store *writer, const store_entry *e, perr *err);
/* Clears the derived state and replays every leaf, in one transaction. */
int state_rebuild(const state_authority *a, store *w, uint64_t *replayed, perr *err);
/* A SHA-256 over the derived state in a canonical order, to compare two states. */
int state_digest(store *s, uint8_t out[32], perr *err);

#endif
