/* bootstrap.c — in-process admin statements (see bootstrap.h). */
#include "node/bootstrap.h"

#include <string.h>

#include "envelope/statement.h"
#include "util/clock.h"

/* Signs body with DIR/admin.key and admits it; returns the node's answer. */
static json_t *admit(node *n, enum statement_type type, json_t *body, perr *err)
{
    notekey_signer key;
    statement st;
    json_t *out = NULL;
    if (node_load_admin_key(n->dir, &key, err) != 0)
        return NULL;
    if (statement_build(type, body, clock_now_ms(), &key, &st, err) == 0) {
        size_t len;
        char *leaf = statement_leaf(&st, &len, err);
        if (leaf)
            out = hotline_admin(&n->hl, leaf, len, err);
        free(leaf);
        statement_free(&st);
    }
    notekey_signer_wipe(&key);
    return out;
}

int bootstrap_participant(node *n, const participant_public *p, const char *name, perr *err)
{
    json_t *body = keyfile_public_to_json(p);
    json_object_set_new(body, "id", json_string(p->id));
    json_object_del(body, "participant");
    json_object_set_new(body, "name", json_string(name));
    json_t *r = admit(n, STMT_PARTICIPANT, body, err);
    json_decref(body);
    json_decref(r);
    return r ? 0 : -1;
}

int bootstrap_group(node *n, const char *id, const char *const *members, size_t count, json_t *policy, perr *err)
{
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(list, json_string(members[i]));
    json_t *body = json_pack("{s:s, s:s, s:o}", "id", id, "name", id, "members", list);
    if (policy)
        json_object_update(body, policy);
    json_t *r = admit(n, STMT_GROUP, body, err);
    json_decref(body);
    json_decref(r);
    return r ? 0 : -1;
}

int bootstrap_token(node *n, const char *participant, char token[CREDENTIAL_TOKEN_MAX], perr *err)
{
    json_t *body = json_pack("{s:s}", "participant", participant);
    json_t *r = admit(n, STMT_CREDENTIAL, body, err);
    json_decref(body);
    const char *t = json_string_value(json_object_get(r, "token"));
    if (t)
        snprintf(token, CREDENTIAL_TOKEN_MAX, "%s", t);
    json_decref(r);
    return t ? 0 : -1;
}
