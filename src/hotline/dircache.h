/* dircache.h — the directory facts every request checks (a sender's key and
 * status, a group's policy, a participant's credential hash), kept in memory
 * so admission and authentication do not query and re-parse them from SQLite
 * each time.
 *
 * Invariant: an entry is used only while the cache's generation equals the
 * one read before the entry was loaded. Directory changes come only through
 * hotline_admin, which bumps the generation before appending the statement
 * (or storing a credential hash) and again once that has committed, so a
 * load that may have read the old state is never used after the change is
 * acknowledged. */
#ifndef PARLEY_DIRCACHE_H
#define PARLEY_DIRCACHE_H

#include "hotline/credentials.h"
#include "hotline/directory.h"
#include "store/pool.h"
#include "store/store.h"

typedef struct dircache dircache;

typedef struct dir_sender {
    uint8_t verifier_pk[NOTEKEY_PUBLIC_BYTES];
    char status[16];
} dir_sender;

dircache *dircache_new(void);
void dircache_free(dircache *c);
/* A directory statement is about to be logged, or has just been. */
void dircache_invalidate(dircache *c);
/* As store_participant_get / directory_load_group / store_credential_get,
 * from the cache when it can; a reader is borrowed from readers on a miss. */
int dircache_sender(dircache *c, store_pool *readers, const char *id, dir_sender *out, perr *err);
int dircache_group(dircache *c, store_pool *readers, const char *id, group_policy *out, perr *err);
int dircache_credential(dircache *c, store_pool *readers, const char *participant,
                        uint8_t hash[CREDENTIAL_HASH_BYTES], perr *err);

#endif
