/* merkle.h — RFC 9162 §2.1 Merkle tree math over SHA-256, as pure functions.
 *
 * Storage stays outside: proofs are built from a `merkle_source` that returns
 * the hash of any perfect subtree, node (level, index) = MTH of leaves
 * [index·2^level, (index+1)·2^level). Verification needs no source at all.
 *
 * Proofs are arrays of MERKLE_HASH_BYTES-byte hashes in RFC order (nearest the
 * leaf first). Tree sizes are below 2^63, so no proof is longer than
 * MERKLE_MAX_PROOF hashes. */
#ifndef PARLEY_MERKLE_H
#define PARLEY_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define MERKLE_HASH_BYTES 32
#define MERKLE_MAX_PROOF 64
#define MERKLE_MAX_SIZE ((uint64_t)1 << 62)

typedef uint8_t merkle_hash[MERKLE_HASH_BYTES];

void merkle_leaf_hash(const void *data, size_t len, merkle_hash out);
void merkle_node_hash(const merkle_hash left, const merkle_hash right, merkle_hash out);
void merkle_empty_root(merkle_hash out);

typedef int (*merkle_node_fn)(void *ctx, unsigned level, uint64_t index, merkle_hash out);
typedef struct merkle_source {
    merkle_node_fn node;
    void *ctx;
} merkle_source;

/* MTH(D[begin:end]) for 0 <= begin < end. */
int merkle_range_root(const merkle_source *src, uint64_t begin, uint64_t end, merkle_hash out);
/* MTH of the first `size` leaves (the empty hash when size is 0). */
int merkle_root(const merkle_source *src, uint64_t size, merkle_hash out);
/* PATH(index, D[size]) (RFC 9162 §2.1.3.1). */
int merkle_inclusion_proof(const merkle_source *src, uint64_t index, uint64_t size,
                           merkle_hash *proof, size_t *len, perr *err);
/* PROOF(size1, D[size2]) (RFC 9162 §2.1.4.1); empty when size1 is 0 or size2. */
int merkle_consistency_proof(const merkle_source *src, uint64_t size1, uint64_t size2,
                             merkle_hash *proof, size_t *len, perr *err);

/* RFC 9162 §2.1.3.2. 0 if valid; otherwise -1 with err saying what failed. */
int merkle_verify_inclusion(const merkle_hash leaf_hash, uint64_t index, uint64_t size,
                            const merkle_hash *proof, size_t len, const merkle_hash root,
                            perr *err);
/* RFC 9162 §2.1.4.2, with size1 = 0 consistent with anything (empty proof). */
int merkle_verify_consistency(uint64_t size1, uint64_t size2, const merkle_hash root1,
                              const merkle_hash root2, const merkle_hash *proof, size_t len,
                              perr *err);

/* The right edge of a growing tree (a "compact range" [0, size)): for every
 * set bit l of size, the root of the perfect subtree at level l. Appending a
 * leaf reports each node it completes, so a store can keep every node. */
typedef struct merkle_frontier {
    uint64_t size;
    merkle_hash nodes[64];
} merkle_frontier;

typedef void (*merkle_emit_fn)(void *ctx, unsigned level, uint64_t index, const merkle_hash h);

void merkle_frontier_init(merkle_frontier *f);
/* Rebuilds the frontier of a tree of `size` leaves from a source. */
int merkle_frontier_load(merkle_frontier *f, const merkle_source *src, uint64_t size);
void merkle_frontier_append(merkle_frontier *f, const merkle_hash leaf_hash,
                            merkle_emit_fn emit, void *ctx);
void merkle_frontier_root(const merkle_frontier *f, merkle_hash out);

#endif
