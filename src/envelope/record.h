/* record.h — one log leaf, parsed: a message envelope, a signed statement,
 * or an evidence record. The one place that tells the leaf forms apart, used
 * when admitting, applying, verifying and rebuilding.
 *
 * Evidence leaf: JCS({"evidence": {"v":1, "op":"add"|"delete", "collection",
 *   "object" (STIX id), "type", "version" (or null), "version_us", "spec_version",
 *   "tlp", "readers": [ids], "sha256" (of JCS(object); null for delete),
 *   "added_by", "date_added"}}). It carries no signature of its own: the
 * participant is authenticated by its token, and the node vouches for the
 * record by signing the checkpoints that include it. The object itself is
 * stored beside the log, addressed by its hash, like a message payload. */
#ifndef PARLEY_RECORD_H
#define PARLEY_RECORD_H

#include "envelope/envelope.h"
#include "envelope/statement.h"

enum record_type { RECORD_ENVELOPE, RECORD_STATEMENT, RECORD_EVIDENCE };

#define EVIDENCE_VERSION 1

typedef struct record {
    enum record_type type;
    envelope env;
    statement st;
    json_t *evidence; /* owned: the inner object of an evidence leaf */
} record;

/* Parses and verifies the signature of a leaf (either form). */
int record_parse_leaf(const char *leaf, size_t len, record *out, perr *err);
void record_free(record *r);

#endif
