/* taxii.h — the evidence channel: a TAXII 2.1 service over STIX 2.1 objects.
 *
 * One API root; one collection per group, whose id is a UUID derived from
 * the group id (stable across nodes and rebuilds). Members read and write;
 * others do not see the collection. Every accepted object version becomes an
 * evidence leaf of the log (record.h) and a row of the derived state, so
 * evidence has receipts like messages. TLP (STIX marking definitions, TLP 2.0
 * and 1.0 ids) decides who reads an object: TLP:RED only its poster and the
 * participants in its "x_parley_recipients"; GREEN, AMBER and AMBER+STRICT
 * the members; CLEAR every participant (non-members see the collection
 * read-only, with its TLP:CLEAR objects only); unmarked objects take the
 * collection's (group's) default TLP. Members write; others do not.
 * Results are JSON text built here; the HTTP layer adds headers. */
#ifndef PARLEY_TAXII_H
#define PARLEY_TAXII_H

#include "hotline/hotline.h"
#include "stix/stix.h"

#define TAXII_MEDIA_TYPE "application/taxii+json;version=2.1"
#define TAXII_STIX_MEDIA_TYPE "application/stix+json;version=2.1"
#define TAXII_MAX_CONTENT (64 * 1024 * 1024)
#define TAXII_PAGE_DEFAULT 1000
#define TAXII_PAGE_MAX 10000

typedef struct taxii_collection {
    char id[IDENT_UUID_LEN + 1];
    char group[IDENT_GROUP_MAX + 1];
    char title[STORE_NAME_MAX];
    enum tlp_level default_tlp;
    int member;   /* can write, and reads beyond TLP:CLEAR */
} taxii_collection;

void taxii_collection_id(const char *group, char out[IDENT_UUID_LEN + 1]);
json_t *taxii_discovery(void);
json_t *taxii_api_root(void);
/* Every collection, with viewer's rights in each. */
json_t *taxii_collections(hotline *h, const char *viewer, perr *err);
/* Resolves a collection id: NOT_FOUND if unknown. */
int taxii_find_collection(hotline *h, const char *viewer, const char *id, taxii_collection *out, perr *err);
json_t *taxii_collection_json(const taxii_collection *c);

/* POST: validates every object, logs the valid ones; returns the status resource. */
json_t *taxii_add_objects(hotline *h, const char *viewer, const taxii_collection *c, const char *body, size_t len,
                          perr *err);
json_t *taxii_status(hotline *h, const char *viewer, const char *id, perr *err);

/* Filters of GET objects / manifest / versions (TAXII 2.1 §3.4). */
typedef struct taxii_filter {
    const char *match_id, *match_type, *match_version, *match_spec_version, *added_after, *limit, *next;
} taxii_filter;
enum taxii_view { VIEW_OBJECTS, VIEW_MANIFEST, VIEW_VERSIONS };
typedef struct taxii_page {
    buf body;                        /* the JSON answer */
    char first_added[STIX_TIME_MAX]; /* X-TAXII-Date-Added-First/Last; "" when empty */
    char last_added[STIX_TIME_MAX];
    size_t count;
} taxii_page;
/* object_id: NULL for the whole collection, else one object's versions. */
int taxii_query(hotline *h, const char *viewer, const taxii_collection *c, const char *object_id,
                enum taxii_view view, const taxii_filter *f, taxii_page *out, perr *err);
/* DELETE one object (all versions, or those in match[version]); only its poster or a coordinator. */
int taxii_delete(hotline *h, const char *viewer, const taxii_collection *c, const char *object_id,
                 const char *match_version, perr *err);

/* The newest version of an object (or the one at `version`) in group's
 * collection, with a receipt for its evidence leaf: {"object", "receipt"}. */
json_t *taxii_evidence_receipt(hotline *h, const char *viewer, const char *group, const char *object_id,
                               const char *version, perr *err);

#endif
