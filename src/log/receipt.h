/* receipt.h — what a sender gets back for an appended envelope, and its
 * offline verification. A receipt is JSON:
 *   {"entry": <the leaf: {"header","signature"}>, "leaf_index": I,
 *    "tree_size": N, "inclusion_proof": [hex, …], "checkpoint": "<signed note>"}
 * It verifies when (1) the checkpoint note is signed by the log key and its
 * origin is the key's name, (2) tree_size is the checkpoint's size, (3) the
 * entry is a well-formed envelope or statement whose signature verifies with
 * the key it names (and equals the expected key, if one is given), and (4) the
 * inclusion proof leads from SHA-256(0x00 || JCS(entry)) to the checkpoint root. */
#ifndef PARLEY_RECEIPT_H
#define PARLEY_RECEIPT_H

#include <jansson.h>

#include "envelope/record.h"
#include "log/sequencer.h"
#include "tlog/checkpoint.h"

#define RECEIPT_MAX_BYTES (256 * 1024)

typedef struct receipt_info {
    record entry;
    int parsed;
    uint64_t leaf_index;
    checkpoint cp;
    merkle_hash leaf_hash;
} receipt_info;

/* Appends the receipt for a freshly appended leaf to out as JSON text. */
int receipt_write(const char *leaf, size_t leaf_len, const seq_result *r, buf *out, perr *err);
/* The same, parsed. */
json_t *receipt_build(const char *leaf, size_t leaf_len, const seq_result *r, perr *err);
int receipt_verify(const char *text, size_t len, const notekey_verifier *log_key,
                   const notekey_verifier *sender_key, receipt_info *out, perr *err);
void receipt_info_free(receipt_info *r);
/* One line saying what the entry is, who signed it and when. */
void receipt_describe(const receipt_info *r, buf *out);
/* A receipt for the logged leaf at index against the newest checkpoint. */
json_t *receipt_at(store *s, const notekey_verifier *log_key, uint64_t index, perr *err);

/* Proof hashes as a JSON array of lowercase hex strings, and back (strict). */
json_t *proof_to_json(const merkle_hash *proof, size_t len);
int proof_from_json(const json_t *arr, merkle_hash *proof, size_t *len, perr *err);

#endif
