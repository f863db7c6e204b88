/* admin.c — admitting the administrator's statements: participants, groups
 * and credentials, and checking the credentials they issue. The statement's signature is the authority: it must be
 * made with the admin key named in the node's config, so the private key
 * can live off the node (DESIGN.md §2: the operator is not trusted with
 * more than it needs). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "envelope/record.h"
#include "hotline/directory.h"
#include "hotline/hotline.h"
#include "json/jget.h"
#include "log/receipt.h"

static int registered(store *reader, const char *id, perr *err)
{
    store_participant *p = malloc(sizeof *p);
    if (p == NULL)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    int rc = store_participant_get(reader, id, p, err);
    free(p);
    if (rc != 0 && err->code == PERR_UNKNOWN_KEY)
        perr_set(err, PERR_INVALID, "participant %s is not registered", id);
    return rc;
}

static int check_body(hotline *h, const statement *st, perr *err)
{
    int rc = -1;
    store *reader = store_pool_acquire(h->readers);
    if (st->type == STMT_PARTICIPANT) {
        store_participant *p = malloc(sizeof *p);
        rc = p ? directory_parse_participant(st->body, p, err) : perr_set(err, PERR_INTERNAL, "out of memory");
        free(p);
    } else if (st->type == STMT_GROUP) {
        group_policy *g = malloc(sizeof *g);
        rc = g ? directory_parse_group(st->body, g, err) : perr_set(err, PERR_INTERNAL, "out of memory");
        for (size_t i = 0; rc == 0 && i < g->nmembers; i++)
            rc = registered(reader, g->members[i], err);
        free(g);
    } else if (st->type == STMT_CREDENTIAL) {
        static const char *const fields[] = {"participant", NULL};
        const char *id;
        rc = jget_only(st->body, fields, err) || jget_string(st->body, "participant", &id, err)
                 ? -1 : registered(reader, id, err);
    } else {
        rc = perr_set(err, PERR_FORBIDDEN, "%s statements are made by the node, not posted",
                      statement_type_name(st->type));
    }
    store_pool_release(h->readers, reader);
    return rc;
}

json_t *hotline_admin(hotline *h, const char *body, size_t len, perr *err)
{
    record rec = {.type = RECORD_STATEMENT};
    statement *st = &rec.st;
    if (statement_parse(body, len, st, err) != 0)
        return NULL;
    json_t *out = NULL;
    char *leaf = NULL;
    size_t leaf_len;
    const notekey_verifier *admin = &h->authority.admin;
    if (st->signer_key.id != admin->id || memcmp(st->signer_key.pk, admin->pk, NOTEKEY_PUBLIC_BYTES) != 0) {
        perr_set(err, PERR_FORBIDDEN, "statement is signed by %s+%08x, not by the node's admin key",
                 st->signer_key.name, (unsigned)st->signer_key.id);
        goto done;
    }
    if (hotline_check_created(&h->policy, st->created_ms, err) != 0)
        goto done;
    if (check_body(h, st, err) != 0 || (leaf = statement_leaf(st, &leaf_len, err)) == NULL)
        goto done;
    store_entry entry = {.leaf = leaf, .leaf_len = leaf_len, .msg_id = st->id, .source = &rec};
    seq_result r;
    /* Before and after: a cached load that overlapped the commit is dropped (dircache.h). */
    dircache_invalidate(h->dir);
    int appended = sequencer_append(h->seq, &entry, &r, err);
    dircache_invalidate(h->dir);
    if (appended != 0)
        goto done;
    json_t *receipt = receipt_build(leaf, leaf_len, &r, err);
    seq_result_free(&r);
    if (receipt == NULL)
        goto done;
    if (st->type != STMT_CREDENTIAL) {
        out = receipt;
        goto done;
    }
    /* Logged first: a token is handed out only once its issue is on record. */
    const char *id = json_string_value(json_object_get(st->body, "participant"));
    char token[CREDENTIAL_TOKEN_MAX];
    uint8_t hash[32];
    credential_issue(h->token_key, id, token, hash);
    pthread_mutex_lock(&h->admin_mu);
    int stored = store_credential_put(h->admin_writer, id, hash, err);
    pthread_mutex_unlock(&h->admin_mu);
    /* The generation moved before the append; moving it again drops a load of the old hash. */
    dircache_invalidate(h->dir);
    if (stored == 0)
        out = json_pack("{s:s, s:s, s:o}", "participant", id, "token", token, "receipt", receipt);
    else
        json_decref(receipt);
    sodium_memzero(token, sizeof token);
done:
    free(leaf);
    statement_free(st);
    return out;
}

static int cached_credential(void *ctx, const char *participant, uint8_t hash[CREDENTIAL_HASH_BYTES], perr *err)
{
    hotline *h = ctx;
    return dircache_credential(h->dir, h->readers, participant, hash, err);
}

int hotline_authenticate(hotline *h, const char *authorization, char participant[IDENT_PARTICIPANT_MAX + 1],
                         perr *err)
{
    return credential_check(cached_credential, h, h->token_key, authorization, participant, err);
}
