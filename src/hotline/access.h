/* access.h — who may read a message (TLP 2.0, DESIGN.md §2 and §5):
 *   the sender and the addressed participants always;
 *   TLP:RED, AMBER+STRICT, AMBER — nobody else (a participant is one
 *     organisation here, so "the recipient's organisation" is the recipient);
 *   TLP:GREEN — also every member of the message's group;
 *   TLP:CLEAR — every authenticated participant.
 * Metadata of every message is public in the log; this rule governs the
 * payload, the state and the message view. */
#ifndef PARLEY_ACCESS_H
#define PARLEY_ACCESS_H

#include "store/store.h"

/* 0 if viewer may read; PERR_FORBIDDEN (with the reason) if not. */
int access_check(store *reader, const store_message *m, const store_recipient *rs, size_t n,
                 const char *viewer, perr *err);
int access_is_recipient(const store_recipient *rs, size_t n, const char *viewer);

#endif
