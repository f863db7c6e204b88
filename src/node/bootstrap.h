/* bootstrap.h — administrator actions taken in-process with the node's own
 * DIR/admin.key: for tests, benchmarks and first-time setup scripts. They go
 * through exactly the same admission and logging as statements posted over
 * HTTP (hotline_admin). */
#ifndef PARLEY_BOOTSTRAP_H
#define PARLEY_BOOTSTRAP_H

#include "crypto/keyfile.h"
#include "hotline/credentials.h"
#include "node/node.h"

int bootstrap_participant(node *n, const participant_public *p, const char *name, perr *err);
/* A group of members with default policy (every kind, no deadlines, AMBER),
 * or with the given policy JSON members merged in (may be NULL). */
int bootstrap_group(node *n, const char *id, const char *const *members, size_t count, json_t *policy, perr *err);
int bootstrap_token(node *n, const char *participant, char token[CREDENTIAL_TOKEN_MAX], perr *err);

#endif
