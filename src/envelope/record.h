/* record.h — one log leaf, parsed: either a message envelope or a signed
 * statement. The one place that tells the two leaf forms apart, used when
 * admitting, applying and rebuilding. */
#ifndef PARLEY_RECORD_H
#define PARLEY_RECORD_H

#include "envelope/envelope.h"
#include "envelope/statement.h"

enum record_type { RECORD_ENVELOPE, RECORD_STATEMENT };

typedef struct record {
    enum record_type type;
    envelope env;
    statement st;
} record;

/* Parses and verifies the signature of a leaf (either form). */
int record_parse_leaf(const char *leaf, size_t len, record *out, perr *err);
void record_free(record *r);

#endif
