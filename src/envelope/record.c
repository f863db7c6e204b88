/* record.c — telling the two leaf forms apart by their first member. */
#include "envelope/record.h"

#include <string.h>

#include "json/jcs.h"
#include "json/jget.h"

int record_parse_leaf(const char *leaf, size_t len, record *out, perr *err)
{
    memset(out, 0, sizeof *out);
    if (len > STATEMENT_MAX_BYTES + ENVELOPE_MAX_HEADER)
        return perr_set(err, PERR_TOO_LARGE, "leaf is larger than any Parley record");
    json_t *j = jcs_parse(leaf, len, err);
    if (j == NULL)
        return -1;
    int rc;
    json_t *ev = json_object_get(j, "evidence");
    if (ev != NULL) {
        out->type = RECORD_EVIDENCE;
        static const char *const leaf_fields[] = {"evidence", NULL};
        static const char *const fields[] = {"v", "op", "collection", "object", "type", "version", "version_us",
                                             "spec_version", "tlp", "readers", "sha256", "added_by",
                                             "date_added", NULL};
        const char *op;
        uint64_t v;
        rc = jget_only(j, leaf_fields, err) || !json_is_object(ev) || jget_only(ev, fields, err) ||
                     jget_uint(ev, "v", 1000, &v, err) || jget_string(ev, "op", &op, err)
                 ? -1 : 0;
        if (rc == 0 && (v != EVIDENCE_VERSION || (strcmp(op, "add") != 0 && strcmp(op, "delete") != 0)))
            rc = perr_set(err, PERR_INVALID, "evidence: unsupported version or op");
        if (rc == 0)
            out->evidence = json_incref(ev);
        else if (err->code == PERR_OK)
            perr_set(err, PERR_INVALID, "evidence: malformed record");
    } else if (json_object_get(j, "statement") != NULL) {
        out->type = RECORD_STATEMENT;
        rc = statement_from_json(j, &out->st, err);
    } else {
        out->type = RECORD_ENVELOPE;
        rc = envelope_from_json(j, ENVELOPE_LEAF_ONLY, &out->env, err);
    }
    json_decref(j);
    return rc;
}

void record_free(record *r)
{
    if (r->type == RECORD_ENVELOPE)
        envelope_free(&r->env);
    else if (r->type == RECORD_STATEMENT)
        statement_free(&r->st);
    else
        json_decref(r->evidence);
    r->evidence = NULL;
}
