/* taxii_query.c — GET objects, an object, its versions and the manifest:
 * filters (match[id], match[type], match[version], match[spec_version],
 * added_after), pagination (limit, next, more) and the added-date range of
 * the page. Stored objects are copied into the answer as their canonical
 * text, never re-parsed. */
#include <stdlib.h>
#include <string.h>

#include "json/jcs.h"
#include "log/receipt.h"
#include "taxii/taxii.h"
#include "tlog/checkpoint.h"

/* Splits a comma-separated filter into out (in place, in `copy`). */
static int split(const char *v, char *copy, size_t size, const char **out, size_t *n, perr *err)
{
    *n = 0;
    if (v == NULL)
        return 0;
    if (strlen(v) >= size)
        return perr_set(err, PERR_INVALID, "filter value too long");
    strcpy(copy, v);
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (*n == STORE_MATCH_MAX)
            return perr_set(err, PERR_INVALID, "at most %d values per filter", STORE_MATCH_MAX);
        out[(*n)++] = t;
    }
    return 0;
}

typedef struct parsed {
    store_objquery q;
    char ids[8192], types[4096];
    int empty; /* a filter that nothing can match (another spec_version) */
} parsed;

static int parse_filter(const taxii_filter *f, enum taxii_view view, const char *object_id, parsed *p, perr *err)
{
    store_objquery *q = &p->q;
    q->versions = view == VIEW_VERSIONS ? VERSIONS_ALL : VERSIONS_LAST;
    if (object_id) {
        q->ids[0] = object_id;
        q->nids = 1;
    } else if (split(f->match_id, p->ids, sizeof p->ids, q->ids, &q->nids, err) != 0) {
        return -1;
    }
    if (split(f->match_type, p->types, sizeof p->types, q->types, &q->ntypes, err) != 0)
        return -1;
    if (f->match_version) {
        char copy[2048];
        const char *vals[STORE_MATCH_MAX];
        size_t n;
        if (split(f->match_version, copy, sizeof copy, vals, &n, err) != 0)
            return -1;
        q->nat = 0;
        int all = 0, first = 0, last = 0;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(vals[i], "all") == 0)
                all = 1;
            else if (strcmp(vals[i], "first") == 0)
                first = 1;
            else if (strcmp(vals[i], "last") == 0)
                last = 1;
            else if (stix_time_us(vals[i], &q->at_us[q->nat++]) != 0)
                return perr_set(err, PERR_INVALID, "match[version]: \"%.40s\" is not first, last, all or a timestamp",
                                vals[i]);
        }
        if (all || (first && last) || ((first || last) && q->nat))
            q->versions = VERSIONS_ALL; /* a union the store cannot express narrower: all, then nothing lost */
        else if (first)
            q->versions = VERSIONS_FIRST;
        else if (last)
            q->versions = VERSIONS_LAST;
        else
            q->versions = VERSIONS_AT;
    }
    if (f->match_spec_version) {
        char copy[256];
        const char *vals[STORE_MATCH_MAX];
        size_t n;
        if (split(f->match_spec_version, copy, sizeof copy, vals, &n, err) != 0)
            return -1;
        p->empty = 1;
        for (size_t i = 0; i < n; i++)
            if (strcmp(vals[i], "2.1") == 0)
                p->empty = 0;
    }
    if (f->added_after && stix_time_us(f->added_after, &q->added_after_us) != 0)
        return perr_set(err, PERR_INVALID, "added_after must be an RFC 3339 timestamp");
    uint64_t v = TAXII_PAGE_DEFAULT;
    if (f->limit && (parse_decimal_u64(f->limit, strlen(f->limit), &v) != 0 || v == 0))
        return perr_set(err, PERR_INVALID, "limit must be a positive integer");
    q->limit = v > TAXII_PAGE_MAX ? TAXII_PAGE_MAX : (size_t)v;
    if (f->next && parse_decimal_u64(f->next, strlen(f->next), &q->after_seq) != 0)
        return perr_set(err, PERR_INVALID, "next is not a cursor this server issued");
    return 0;
}

typedef struct page_ctx {
    taxii_page *page;
    enum taxii_view view;
    uint64_t last_seq;
} page_ctx;

static int emit(void *ctx, const store_object_row *r)
{
    page_ctx *c = ctx;
    taxii_page *p = c->page;
    char added[STIX_TIME_MAX];
    stix_format_us(added, r->added_us);
    if (p->count == 0)
        strcpy(p->first_added, added);
    strcpy(p->last_added, added);
    if (p->count++)
        buf_putc(&p->body, ',');
    if (c->view == VIEW_OBJECTS) {
        buf_append(&p->body, r->json, r->json_len);
    } else if (c->view == VIEW_VERSIONS) {
        buf_printf(&p->body, "\"%s\"", r->version ? r->version : added);
    } else {
        /* ids, timestamps and media types need no JSON escaping (validated forms) */
        buf_printf(&p->body, "{\"id\":\"%s\",\"date_added\":\"%s\",\"version\":\"%s\",\"media_type\":\"%s\"}", r->id,
                   added, r->version ? r->version : added, TAXII_STIX_MEDIA_TYPE);
    }
    c->last_seq = r->seq;
    return p->body.failed ? -1 : 0;
}

int taxii_query(hotline *h, const char *viewer, const taxii_collection *c, const char *object_id,
                enum taxii_view view, const taxii_filter *f, taxii_page *out, perr *err)
{
    parsed *p = calloc(1, sizeof *p);
    if (p == NULL)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    memset(out, 0, sizeof *out);
    buf_init(&out->body);
    int rc = parse_filter(f, view, object_id, p, err);
    p->q.collection = c->group;
    p->q.viewer = viewer;
    p->q.clear_only = !c->member;
    p->q.want_json = view == VIEW_OBJECTS;
    int more = 0;
    page_ctx ctx = {out, view, 0};
    buf_puts(&out->body, view == VIEW_VERSIONS ? "{\"versions\":[" : "{\"objects\":[");
    if (rc == 0 && !p->empty) {
        store *reader = store_pool_acquire(h->readers);
        rc = store_object_query(reader, &p->q, emit, &ctx, &more, err);
        store_pool_release(h->readers, reader);
    }
    if (rc == 0 && object_id && out->count == 0 && view != VIEW_MANIFEST)
        rc = perr_set(err, PERR_NOT_FOUND, "no object %.300s in this collection for %s", object_id, viewer);
    buf_printf(&out->body, "],\"more\":%s", more ? "true" : "false");
    if (more)
        buf_printf(&out->body, ",\"next\":\"%llu\"", (unsigned long long)ctx.last_seq);
    buf_putc(&out->body, '}');
    if (rc == 0 && out->body.failed)
        rc = perr_set(err, PERR_INTERNAL, "out of memory");
    free(p);
    if (rc != 0)
        buf_free(&out->body);
    return rc;
}

typedef struct found {
    uint64_t index;
    json_t *object;
    perr *err;
} found;

static int take_first(void *ctx, const store_object_row *r)
{
    found *f = ctx;
    f->index = r->index;
    f->object = jcs_parse(r->json, r->json_len, f->err);
    return f->object ? 0 : -1;
}

json_t *taxii_evidence_receipt(hotline *h, const char *viewer, const char *group, const char *object_id,
                               const char *version, perr *err)
{
    store_objquery q = {.collection = group, .viewer = viewer, .versions = VERSIONS_LAST, .limit = 1, .want_json = 1};
    q.ids[0] = object_id;
    q.nids = 1;
    if (version) {
        q.versions = VERSIONS_AT;
        q.nat = 1;
        if (stix_time_us(version, &q.at_us[0]) != 0) {
            perr_set(err, PERR_INVALID, "version must be an RFC 3339 timestamp");
            return NULL;
        }
    }
    found f = {0, NULL, err};
    int more, member = 0;
    json_t *out = NULL;
    store *reader = store_pool_acquire(h->readers);
    if (store_member_of(reader, group, viewer, &member, err) == 0) {
        q.clear_only = !member;
        if (store_object_query(reader, &q, take_first, &f, &more, err) == 0 && f.object == NULL)
            perr_set(err, PERR_NOT_FOUND, "no object %.300s in %.64s for %s", object_id, group, viewer);
    }
    json_t *receipt = f.object ? receipt_at(reader, &h->authority.node, f.index, err) : NULL;
    store_pool_release(h->readers, reader);
    if (receipt)
        out = json_pack("{s:O, s:o}", "object", f.object, "receipt", receipt);
    json_decref(f.object);
    return out;
}
