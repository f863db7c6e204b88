/* statement.h — a signed statement that is not a message: a change to the
 * directory made by the node's administrator, or a fact the node attests
 * (a recipient fetched a message). Statements are log leaves like envelopes,
 * so the directory's history and delivery times are as auditable as messages.
 *
 * Leaf form (bytes):  JCS({"statement": {...}, "signature": base64})
 * Signed bytes:       "parley-statement/v1\n" || JCS(statement)
 * statement members, all required:
 *   v, id (UUID), type, signer_key (signed-note verifier text), created
 *   (RFC 3339 UTC), body (an object whose shape the type defines).
 * This layer checks form and signature only; who may sign which type, and
 * what a body must hold, are the hotline's rules. */
#ifndef PARLEY_STATEMENT_H
#define PARLEY_STATEMENT_H

#include <jansson.h>
#include <stdint.h>

#include "crypto/notekey.h"
#include "util/err.h"
#include "util/ident.h"

#define STATEMENT_VERSION 1
#define STATEMENT_MAX_BYTES (32 * 1024)
#define STATEMENT_SIGNING_CONTEXT "parley-statement/v1\n"

enum statement_type {
    STMT_PARTICIPANT, /* admin: register or update a participant */
    STMT_GROUP,       /* admin: create or update a group */
    STMT_CREDENTIAL,  /* admin: issue API credentials to a participant */
    STMT_DELIVERY,    /* node: a recipient fetched a message */
    STMT_COUNT
};

const char *statement_type_name(enum statement_type t);

typedef struct statement {
    char id[IDENT_UUID_LEN + 1];
    enum statement_type type;
    notekey_verifier signer_key;
    int64_t created_ms;
    uint8_t signature[NOTEKEY_SIG_BYTES];
    json_t *body;   /* borrowed from header */
    json_t *header; /* owned; the signed object */
} statement;

/* Builds and signs a statement; takes a reference to body. */
int statement_build(enum statement_type type, json_t *body, int64_t created_ms,
                    const notekey_signer *signer, statement *out, perr *err);
/* Parses untrusted JSON of the leaf form and verifies the signature. */
int statement_parse(const char *json, size_t len, statement *out, perr *err);
int statement_from_json(const json_t *j, statement *out, perr *err);
/* The log leaf (malloc'd) and the JSON object. */
char *statement_leaf(const statement *s, size_t *len, perr *err);
json_t *statement_to_json(const statement *s);
void statement_free(statement *s);

#endif
