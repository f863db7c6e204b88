/* directory.h — the bodies of the administrator's statements: participants
 * and groups. Parsing is strict (unknown members refused, limits enforced),
 * and the same parser serves admission, live apply and rebuild.
 *
 * participant body: {"id", "name", "verifier", "box_public",
 *                    "contacts": [{"name","role","hours","time_zone"[,"email"][,"phone"]}],
 *                    "status": "active"|"suspended"}           (contacts, status optional)
 * group body:       {"id", "name", "members": [ids], "coordinators": [ids],
 *                    "kinds": [kinds allowed], "deadlines": {kind: seconds},
 *                    "default_tlp": label}                     (all but id, name, members optional)
 * A group's deadline for a kind is how long each recipient has to acknowledge
 * (or answer) a message of that kind when the sender sets no deadline. */
#ifndef PARLEY_DIRECTORY_H
#define PARLEY_DIRECTORY_H

#include <jansson.h>

#include "store/store.h"

#define GROUP_MAX_MEMBERS 256
#define GROUP_MAX_COORDINATORS 16
#define PARTICIPANT_MAX_CONTACTS 16

typedef struct group_policy {
    char id[IDENT_GROUP_MAX + 1];
    char name[STORE_NAME_MAX];
    size_t nmembers, ncoordinators;
    char members[GROUP_MAX_MEMBERS][IDENT_PARTICIPANT_MAX + 1];
    char coordinators[GROUP_MAX_COORDINATORS][IDENT_PARTICIPANT_MAX + 1];
    unsigned kinds_allowed;           /* bit (1 << kind) */
    int64_t deadline_s[KIND_COUNT];   /* 0: no default deadline */
    enum tlp_level default_tlp;
} group_policy;

int directory_parse_participant(const json_t *body, store_participant *out, perr *err);
int directory_parse_group(const json_t *body, group_policy *out, perr *err);
/* Loads a group from the store; PERR_NOT_FOUND if there is none. */
int directory_load_group(store *s, const char *id, group_policy *out, perr *err);
int group_has_member(const group_policy *g, const char *participant);
/* With no coordinators named, every member coordinates. */
int group_has_coordinator(const group_policy *g, const char *participant);

#endif
