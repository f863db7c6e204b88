/* record.c — telling the two leaf forms apart by their first member. */
#include "envelope/record.h"

#include <string.h>

#include "json/jcs.h"

int record_parse_leaf(const char *leaf, size_t len, record *out, perr *err)
{
    memset(out, 0, sizeof *out);
    if (len > STATEMENT_MAX_BYTES + ENVELOPE_MAX_HEADER)
        return perr_set(err, PERR_TOO_LARGE, "leaf is larger than any Parley record");
    json_t *j = jcs_parse(leaf, len, err);
    if (j == NULL)
        return -1;
    int rc;
    if (json_object_get(j, "statement") != NULL) {
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
    else
        statement_free(&r->st);
}
