/* taxii.c — TAXII 2.1 collections, adding objects, status and deletion. */
#include "taxii/taxii.h"

#include <pthread.h>
#include <sodium.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "envelope/record.h"
#include "hotline/directory.h"
#include "json/jcs.h"
#include "stix/stix.h"
#include "util/clock.h"
#include "util/codec.h"

void taxii_collection_id(const char *group, char out[IDENT_UUID_LEN + 1])
{
    uint8_t h[32];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)"parley-taxii-collection/v1\n", 27);
    crypto_hash_sha256_update(&st, (const uint8_t *)group, strlen(group));
    crypto_hash_sha256_final(&st, h);
    h[6] = (uint8_t)((h[6] & 0x0f) | 0x80); /* RFC 9562 UUIDv8: name-derived, custom */
    h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
    char hex[33];
    hex_encode(hex, h, 16);
    snprintf(out, IDENT_UUID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

json_t *taxii_discovery(void)
{
    return json_pack("{s:s, s:s, s:s, s:[s]}", "title", "Parley evidence channel", "description",
                     "STIX 2.1 evidence shared between the participants of Parley working groups; every object "
                     "version is a leaf of the node's transparency log.",
                     "default", "/taxii2/api/", "api_roots", "/taxii2/api/");
}

json_t *taxii_api_root(void)
{
    return json_pack("{s:s, s:s, s:[s], s:I}", "title", "Parley", "description",
                     "One collection per working group", "versions", TAXII_MEDIA_TYPE, "max_content_length",
                     (json_int_t)TAXII_MAX_CONTENT);
}

json_t *taxii_collection_json(const taxii_collection *c)
{
    char desc[256];
    snprintf(desc, sizeof desc, "Evidence of working group %s (default TLP:%s)", c->group, tlp_name(c->default_tlp));
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:[s]}", "id", c->id, "title", c->title, "description", desc,
                     "alias", c->group, "can_read", 1, "can_write", c->member, "media_types", TAXII_STIX_MEDIA_TYPE);
}

/* Calls fn for every group's collection; stops when fn returns non-zero. */
static int each_collection(hotline *h, const char *viewer, int (*fn)(void *ctx, const taxii_collection *c),
                           void *ctx, perr *err)
{
    buf list;
    buf_init(&list);
    store *reader = store_pool_acquire(h->readers);
    int rc = store_group_list(reader, &list, err);
    store_pool_release(h->readers, reader);
    json_t *groups = rc == 0 ? jcs_parse(list.data, list.len, err) : NULL;
    buf_free(&list);
    if (groups == NULL)
        return -1;
    group_policy *g = malloc(sizeof *g);
    size_t i;
    json_t *doc;
    int stop = 0;
    json_array_foreach(groups, i, doc) {
        perr ignored = {0};
        if (g == NULL || stop || directory_parse_group(doc, g, &ignored) != 0)
            continue;
        taxii_collection c = {.default_tlp = g->default_tlp, .member = group_has_member(g, viewer)};
        taxii_collection_id(g->id, c.id);
        strcpy(c.group, g->id);
        snprintf(c.title, sizeof c.title, "%s", g->name);
        stop = fn(ctx, &c);
    }
    free(g);
    json_decref(groups);
    return 0;
}

static int add_to_list(void *ctx, const taxii_collection *c)
{
    json_array_append_new(ctx, taxii_collection_json(c));
    return 0;
}

json_t *taxii_collections(hotline *h, const char *viewer, perr *err)
{
    json_t *list = json_array();
    if (each_collection(h, viewer, add_to_list, list, err) != 0) {
        json_decref(list);
        return NULL;
    }
    return json_pack("{s:o}", "collections", list);
}

typedef struct find_ctx {
    const char *id;
    taxii_collection *out;
    int found;
} find_ctx;

static int match_id(void *ctx, const taxii_collection *c)
{
    find_ctx *f = ctx;
    if (strcmp(c->id, f->id) != 0)
        return 0;
    *f->out = *c;
    f->found = 1;
    return 1;
}

int taxii_find_collection(hotline *h, const char *viewer, const char *id, taxii_collection *out, perr *err)
{
    find_ctx f = {id, out, 0};
    if (each_collection(h, viewer, match_id, &f, err) != 0)
        return -1;
    return f.found ? 0 : perr_set(err, PERR_NOT_FOUND, "no collection %.40s for %s", id, viewer);
}

/* ---- adding objects ---- */

typedef struct pending {
    record rec;        /* evidence record, handed to the apply hook */
    char *leaf, *text; /* leaf and JCS(object) */
    size_t leaf_len, text_len;
    char msg_id[STIX_ID_MAX + IDENT_GROUP_MAX + 32];
    uint8_t hash[32];
    const char *id;
    char version[STIX_TIME_MAX];
    int valid;
    perr why;          /* when not valid */
} pending;

static json_t *evidence_json(const char *op, const taxii_collection *c, const stix_meta *m, const char *hash_hex,
                             enum tlp_level tlp, const char *viewer, int64_t added_us)
{
    char added[STIX_TIME_MAX];
    stix_format_us(added, added_us);
    json_t *readers = json_array();
    for (size_t i = 0; i < m->nreaders; i++)
        json_array_append_new(readers, json_string(m->readers[i]));
    return json_pack("{s:i, s:s, s:s, s:s, s:s, s:o, s:I, s:s, s:s, s:o, s:o, s:s, s:s}", "v", EVIDENCE_VERSION,
                     "op", op, "collection", c->group, "object", m->id, "type", m->type, "version",
                     m->version[0] ? json_string(m->version) : json_null(), "version_us", (json_int_t)m->version_us,
                     "spec_version", "2.1", "tlp", tlp_name(tlp), "readers", readers, "sha256",
                     hash_hex ? json_string(hash_hex) : json_null(), "added_by", viewer, "date_added", added);
}

static int prepare(const json_t *obj, const taxii_collection *c, const char *viewer, int64_t added_us, pending *p,
                   perr *err)
{
    stix_meta m;
    if (stix_validate(obj, &m, err) != 0)
        return -1;
    size_t len;
    p->text = jcs_dumps(obj, &p->text_len, err);
    len = p->text_len;
    if (p->text == NULL)
        return -1;
    if (len > ENVELOPE_MAX_PAYLOAD)
        return perr_set(err, PERR_TOO_LARGE, "object is larger than %d bytes", ENVELOPE_MAX_PAYLOAD);
    char hex[65];
    crypto_hash_sha256(p->hash, (const uint8_t *)p->text, len);
    hex_encode(hex, p->hash, 32);
    p->rec.type = RECORD_EVIDENCE;
    p->rec.evidence = evidence_json("add", c, &m, hex, m.tlp >= 0 ? (enum tlp_level)m.tlp : c->default_tlp, viewer,
                                    added_us);
    json_t *leaf = json_pack("{s:O}", "evidence", p->rec.evidence);
    p->leaf = leaf ? jcs_dumps(leaf, &p->leaf_len, err) : NULL;
    json_decref(leaf);
    if (p->leaf == NULL)
        return -1;
    snprintf(p->msg_id, sizeof p->msg_id, "stix:%s:%s:%lld", c->group, m.id, (long long)m.version_us);
    p->id = json_string_value(json_object_get(obj, "id"));
    strcpy(p->version, m.version);
    return 0;
}

static json_t *status_entry(const char *id, const char *version, const char *message)
{
    json_t *j = json_pack("{s:s}", "id", id ? id : "");
    if (version && version[0])
        json_object_set_new(j, "version", json_string(version));
    if (message)
        json_object_set_new(j, "message", json_string(message));
    return j;
}

static int save_status(hotline *h, const char *viewer, json_t *status, perr *err)
{
    json_t *doc = json_pack("{s:s, s:O}", "owner", viewer, "status", status);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (text == NULL)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    pthread_mutex_lock(&h->admin_mu);
    int rc = store_taxii_status_put(h->admin_writer, json_string_value(json_object_get(status, "id")), text, err);
    pthread_mutex_unlock(&h->admin_mu);
    free(text);
    return rc;
}

/* Validates and canonicalises objects [first, last) into p[]; pure per
 * object, so two threads share the work of a large envelope. */
typedef struct prep_job {
    json_t *objects;
    pending *p;
    size_t first, last;
    const taxii_collection *c;
    const char *viewer;
    int64_t now_us;
} prep_job;

static void *prep_range(void *arg)
{
    prep_job *j = arg;
    for (size_t i = j->first; i < j->last; i++) {
        pending *p = &j->p[i];
        if (prepare(json_array_get(j->objects, i), j->c, j->viewer, j->now_us + (int64_t)i, p, &p->why) == 0) {
            p->valid = 1;
            continue;
        }
        free(p->text);
        free(p->leaf);
        json_decref(p->rec.evidence);
        p->text = p->leaf = NULL;
        p->rec.evidence = NULL;
    }
    return NULL;
}

static void prepare_all(json_t *objects, pending *p, size_t n, const taxii_collection *c, const char *viewer,
                        int64_t now_us)
{
    prep_job jobs[2] = {{objects, p, 0, n, c, viewer, now_us}, {objects, p, n, n, c, viewer, now_us}};
    pthread_t helper;
    int two = n >= 512 && sysconf(_SC_NPROCESSORS_ONLN) > 1;
    if (two) {
        jobs[0].last = jobs[1].first = n / 2;
        two = pthread_create(&helper, NULL, prep_range, &jobs[1]) == 0;
        if (!two)
            jobs[0].last = n;
    }
    prep_range(&jobs[0]);
    if (two)
        pthread_join(helper, NULL);
}

json_t *taxii_add_objects(hotline *h, const char *viewer, const taxii_collection *c, const char *body, size_t len,
                          perr *err)
{
    if (!c->member) {
        perr_set(err, PERR_FORBIDDEN, "%s is not a member of %s and cannot write to its collection", viewer, c->group);
        return NULL;
    }
    json_t *j = jcs_parse(body, len, err);
    json_t *objects = j ? json_object_get(j, "objects") : NULL;
    if (j == NULL || !json_is_object(j) || !json_is_array(objects)) {
        json_decref(j);
        if (err->code == PERR_OK || j != NULL)
            perr_set(err, PERR_INVALID, "the body must be a TAXII envelope (or STIX bundle) with \"objects\"");
        return NULL;
    }
    size_t n = json_array_size(objects), ok = 0;
    pending *p = calloc(n ? n : 1, sizeof *p);
    store_entry *entries = calloc(n ? n : 1, sizeof *entries);
    size_t *which = calloc(n ? n : 1, sizeof *which);
    json_t *successes = json_array(), *failures = json_array(), *status = NULL;
    int64_t now_us = clock_now_ms() * 1000;
    char ts[STIX_TIME_MAX];
    stix_format_us(ts, now_us);
    if (p == NULL || entries == NULL || which == NULL) {
        perr_set(err, PERR_INTERNAL, "out of memory");
        goto done;
    }
    /* Each object gets its own added time, in order, so added_after pages exactly. */
    prepare_all(objects, p, n, c, viewer, now_us);
    for (size_t i = 0; i < n; i++) {
        if (!p[i].valid) {
            json_t *obj = json_array_get(objects, i);
            const char *id = json_string_value(json_object_get(obj, "id"));
            char where[64];
            snprintf(where, sizeof where, "objects[%zu]", i);
            json_array_append_new(failures, status_entry(id ? id : where,
                                                         json_string_value(json_object_get(obj, "modified")), p[i].why.msg));
            continue;
        }
        entries[ok] = (store_entry){.leaf = p[i].leaf, .leaf_len = p[i].leaf_len, .msg_id = p[i].msg_id,
                                    .sender = viewer, .payload = (const uint8_t *)p[i].text,
                                    .payload_len = p[i].text_len, .payload_hash = p[i].hash,
                                    .source = &p[i].rec};
        which[ok++] = i;
    }
    for (size_t first = 0; first < ok; first += SEQUENCER_MAX_BULK) {
        size_t count = ok - first < SEQUENCER_MAX_BULK ? ok - first : SEQUENCER_MAX_BULK;
        uint64_t size;
        if (sequencer_append_bulk(h->seq, entries + first, count, &size, err) != 0)
            goto done;
    }
    for (size_t k = 0; k < ok; k++)
        json_array_append_new(successes, status_entry(p[which[k]].id, p[which[k]].version,
                                                      entries[k].duplicate ? "already in the collection" : NULL));
    char sid[IDENT_UUID_LEN + 1];
    ident_new_uuid(sid, clock_now_ms());
    size_t nfail = json_array_size(failures);
    status = json_pack("{s:s, s:s, s:s, s:I, s:I, s:O, s:I, s:O, s:I, s:[]}", "id", sid, "status", "complete",
                       "request_timestamp", ts, "total_count", (json_int_t)n, "success_count", (json_int_t)ok,
                       "successes", successes, "failure_count", (json_int_t)nfail, "failures", failures,
                       "pending_count", (json_int_t)0, "pendings");
    if (status && save_status(h, viewer, status, err) != 0) {
        json_decref(status);
        status = NULL;
    }
done:
    for (size_t i = 0; p && i < n; i++) {
        free(p[i].text);
        free(p[i].leaf);
        json_decref(p[i].rec.evidence);
    }
    free(p);
    free(entries);
    free(which);
    json_decref(successes);
    json_decref(failures);
    json_decref(j);
    return status;
}

json_t *taxii_status(hotline *h, const char *viewer, const char *id, perr *err)
{
    buf doc;
    buf_init(&doc);
    store *reader = store_pool_acquire(h->readers);
    int rc = ident_valid_uuid(id) ? store_taxii_status_get(reader, id, &doc, err)
                                  : perr_set(err, PERR_NOT_FOUND, "no such status");
    store_pool_release(h->readers, reader);
    json_t *j = rc == 0 ? jcs_parse(doc.data, doc.len, err) : NULL;
    buf_free(&doc);
    const char *owner = json_string_value(json_object_get(j, "owner"));
    json_t *out = NULL;
    if (j && (owner == NULL || strcmp(owner, viewer) != 0))
        perr_set(err, PERR_NOT_FOUND, "no such status for %s", viewer);
    else if (j)
        out = json_incref(json_object_get(j, "status"));
    json_decref(j);
    return out;
}

/* ---- deletion ---- */

typedef struct victims {
    size_t n;
    stix_meta m[256];
    int foreign; /* a version posted by someone else */
    const char *viewer;
} victims;

static int collect(void *ctx, const store_object_row *r)
{
    victims *v = ctx;
    if (v->n == sizeof v->m / sizeof *v->m)
        return 0;
    stix_meta *m = &v->m[v->n++];
    memset(m, 0, sizeof *m);
    snprintf(m->id, sizeof m->id, "%s", r->id);
    snprintf(m->type, sizeof m->type, "%s", r->type);
    snprintf(m->version, sizeof m->version, "%s", r->version ? r->version : "");
    m->version_us = r->version_us;
    v->foreign |= strcmp(r->added_by, v->viewer) != 0;
    return 0;
}

int taxii_delete(hotline *h, const char *viewer, const taxii_collection *c, const char *object_id,
                 const char *match_version, perr *err)
{
    if (!c->member)
        return perr_set(err, PERR_FORBIDDEN, "%s is not a member of %s", viewer, c->group);
    victims *v = calloc(1, sizeof *v);
    if (v == NULL)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    v->viewer = viewer;
    int rc = 0;
    /* The versions to delete, under the same TLP rule as reads: all by default, or one match[version]. */
    store_objquery q = {.collection = c->group, .viewer = viewer, .versions = VERSIONS_ALL, .limit = 256};
    q.ids[0] = object_id;
    q.nids = 1;
    store *reader = store_pool_acquire(h->readers);
    int more;
    if (match_version && strcmp(match_version, "all") != 0) {
        if (strcmp(match_version, "last") == 0)
            q.versions = VERSIONS_LAST;
        else if (strcmp(match_version, "first") == 0)
            q.versions = VERSIONS_FIRST;
        else if (stix_time_us(match_version, &q.at_us[0]) == 0)
            q.versions = VERSIONS_AT, q.nat = 1;
        else
            rc = perr_set(err, PERR_INVALID, "match[version] must be all, first, last or one timestamp");
    }
    if (rc == 0)
        rc = store_object_query(reader, &q, collect, v, &more, err);
    group_policy *g = malloc(sizeof *g);
    int coordinator = g && directory_load_group(reader, c->group, g, err) == 0 && group_has_coordinator(g, viewer);
    free(g);
    store_pool_release(h->readers, reader);
    if (rc == 0 && v->n == 0)
        rc = perr_set(err, PERR_NOT_FOUND, "no object %.300s to delete", object_id);
    if (rc == 0 && v->foreign && !coordinator)
        rc = perr_set(err, PERR_FORBIDDEN, "only the poster of every version, or a coordinator, deletes %.300s",
                      object_id);
    store_entry *entries = rc == 0 ? calloc(v->n, sizeof *entries) : NULL;
    record *recs = rc == 0 ? calloc(v->n, sizeof *recs) : NULL;
    char **leaves = rc == 0 ? calloc(v->n, sizeof *leaves) : NULL;
    char (*ids)[STIX_ID_MAX + 64] = rc == 0 ? calloc(v->n, sizeof *ids) : NULL;
    if (rc == 0 && (entries == NULL || recs == NULL || leaves == NULL || ids == NULL))
        rc = perr_set(err, PERR_INTERNAL, "out of memory");
    int64_t now_us = clock_now_ms() * 1000;
    for (size_t i = 0; rc == 0 && i < v->n; i++) {
        recs[i].type = RECORD_EVIDENCE;
        recs[i].evidence = evidence_json("delete", c, &v->m[i], NULL, TLP_CLEAR, viewer, now_us + (int64_t)i);
        json_t *leaf = json_pack("{s:O}", "evidence", recs[i].evidence);
        size_t len;
        leaves[i] = leaf ? jcs_dumps(leaf, &len, err) : NULL;
        json_decref(leaf);
        if (leaves[i] == NULL) {
            rc = -1;
            break;
        }
        snprintf(ids[i], sizeof ids[i], "stix-delete:%lld:%s", (long long)(now_us + (int64_t)i), v->m[i].id);
        entries[i] = (store_entry){.leaf = leaves[i], .leaf_len = len, .msg_id = ids[i], .sender = viewer,
                                   .source = &recs[i]};
    }
    uint64_t size;
    if (rc == 0)
        rc = sequencer_append_bulk(h->seq, entries, v->n, &size, err);
    for (size_t i = 0; recs && i < v->n; i++) {
        json_decref(recs[i].evidence);
        free(leaves ? leaves[i] : NULL);
    }
    free(entries);
    free(recs);
    free(leaves);
    free(ids);
    free(v);
    return rc;
}
