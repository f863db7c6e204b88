/* envelope.h — the signed unit of Parley (DESIGN.md §3).
 *
 * Wire form (JSON):   {"header": {...}, "signature": base64, "payload": base64}
 * Log leaf (bytes):   JCS({"header": {...}, "signature": base64})
 * Signed bytes:       "parley-envelope/v1\n" || JCS(header)
 *
 * The header names every fact a later dispute turns on: id, group, sender and
 * the sender's verifier key, recipients, kind, in_reply_to, created, deadline,
 * TLP, and the SHA-256 and size of the payload. Because the key is inside the
 * signed header, a leaf can be checked on its own; the node checks that the key
 * is the one registered for the sender. Every header member is required
 * (null where a value is absent) and no other member is allowed, so one
 * message has exactly one canonical header. */
#ifndef PARLEY_ENVELOPE_H
#define PARLEY_ENVELOPE_H

#include <jansson.h>
#include <stdint.h>

#include "crypto/notekey.h"
#include "util/err.h"
#include "util/ident.h"

#define ENVELOPE_VERSION 1
#define ENVELOPE_MAX_RECIPIENTS 64
#define ENVELOPE_MAX_PAYLOAD (1024 * 1024)
#define ENVELOPE_MAX_HEADER 8192  /* canonical header bytes; a leaf stays far below 65,535 */
#define ENVELOPE_MAX_JSON (ENVELOPE_MAX_PAYLOAD / 3 * 4 + 64 * 1024)
#define ENVELOPE_SIGNING_CONTEXT "parley-envelope/v1\n"

enum envelope_kind {
    KIND_NOTIFICATION,
    KIND_CONSULTATION_REQUEST,
    KIND_REPLY,
    KIND_ACKNOWLEDGEMENT,
    KIND_COMM_CHECK,
    KIND_COMM_CHECK_REPLY,
    KIND_NATIONAL_VIEW,
    KIND_CLOSURE,
    KIND_COUNT
};

enum tlp_level { TLP_CLEAR, TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT, TLP_RED, TLP_COUNT };

const char *envelope_kind_name(enum envelope_kind k);
int envelope_kind_parse(const char *s, enum envelope_kind *out);
const char *tlp_name(enum tlp_level t);
int tlp_parse(const char *s, enum tlp_level *out);

typedef struct envelope {
    char id[IDENT_UUID_LEN + 1];
    char group[IDENT_GROUP_MAX + 1];
    char sender[IDENT_PARTICIPANT_MAX + 1];
    notekey_verifier sender_key;
    char recipients[ENVELOPE_MAX_RECIPIENTS][IDENT_PARTICIPANT_MAX + 1];
    size_t nrecipients;
    enum envelope_kind kind;
    char in_reply_to[IDENT_UUID_LEN + 1]; /* "" when absent */
    int64_t created_ms;
    int64_t deadline_ms;                  /* 0 when absent */
    enum tlp_level tlp;
    uint8_t payload_sha256[32];
    uint64_t payload_size;
    uint8_t signature[NOTEKEY_SIG_BYTES];
    json_t *header;                       /* owned; the signed object */
    char *signed_text;                    /* owned; the signing input: context || JCS(header) */
    size_t signed_len;
    uint8_t *payload;                     /* owned; NULL for a leaf */
} envelope;

/* What a sender chooses; the rest (id if empty, created if 0, hash) is filled in. */
typedef struct envelope_params {
    const char *id;
    const char *group;
    const char *const *recipients;
    size_t nrecipients;
    enum envelope_kind kind;
    const char *in_reply_to;
    int64_t created_ms;
    int64_t deadline_ms;
    enum tlp_level tlp;
    const uint8_t *payload;
    size_t payload_len;
} envelope_params;

/* Builds and signs an envelope. The signer's key name is the sender id. */
int envelope_build(const envelope_params *p, const notekey_signer *signer, envelope *out,
                   perr *err);

enum { ENVELOPE_WITH_PAYLOAD = 1, ENVELOPE_LEAF_ONLY = 2 };
/* Parses untrusted JSON (wire form with ENVELOPE_WITH_PAYLOAD, leaf form with
 * ENVELOPE_LEAF_ONLY), validates every field, checks the payload hash and the
 * signature against the header's sender key. On failure *out is left empty. */
int envelope_parse(const char *json, size_t len, int form, envelope *out, perr *err);
/* Same, from an already parsed object. */
int envelope_from_json(const json_t *j, int form, envelope *out, perr *err);

/* The log leaf: JCS({"header","signature"}). malloc'd. */
char *envelope_leaf(const envelope *e, size_t *len, perr *err);
/* The wire form as a JSON object (payload included when present). */
json_t *envelope_to_json(const envelope *e);
void envelope_free(envelope *e);

#endif
