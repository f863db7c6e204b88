/* merkle.c — RFC 9162 tree hashing, proofs and their verification. */
#include "tlog/merkle.h"

#include <sodium.h>
#include <string.h>

void merkle_leaf_hash(const void *data, size_t len, merkle_hash out)
{
    crypto_hash_sha256_state st;
    const uint8_t prefix = 0x00;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, data, len);
    crypto_hash_sha256_final(&st, out);
}

void merkle_node_hash(const merkle_hash left, const merkle_hash right, merkle_hash out)
{
    uint8_t in[1 + 2 * MERKLE_HASH_BYTES];
    in[0] = 0x01;
    memcpy(in + 1, left, MERKLE_HASH_BYTES);
    memcpy(in + 1 + MERKLE_HASH_BYTES, right, MERKLE_HASH_BYTES);
    crypto_hash_sha256(out, in, sizeof in);
}

void merkle_empty_root(merkle_hash out)
{
    crypto_hash_sha256(out, (const uint8_t *)"", 0);
}

/* Largest power of two strictly below n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
    uint64_t k = 1;
    while (k << 1 < n)
        k <<= 1;
    return k;
}

static int ctz64(uint64_t x)
{
    return __builtin_ctzll(x);
}

int merkle_range_root(const merkle_source *src, uint64_t begin, uint64_t end, merkle_hash out)
{
    uint64_t n = end - begin;
    if (end <= begin)
        return -1;
    /* Perfect and aligned: one stored node. */
    if ((n & (n - 1)) == 0 && (begin & (n - 1)) == 0)
        return src->node(src->ctx, (unsigned)ctz64(n), begin >> ctz64(n), out);
    uint64_t k = split_point(n);
    merkle_hash left, right;
    if (merkle_range_root(src, begin, begin + k, left) != 0 ||
        merkle_range_root(src, begin + k, end, right) != 0)
        return -1;
    merkle_node_hash(left, right, out);
    return 0;
}

int merkle_root(const merkle_source *src, uint64_t size, merkle_hash out)
{
    if (size == 0) {
        merkle_empty_root(out);
        return 0;
    }
    return merkle_range_root(src, 0, size, out);
}

static void reverse(merkle_hash *proof, size_t len)
{
    for (size_t i = 0; i < len / 2; i++) {
        merkle_hash t;
        memcpy(t, proof[i], MERKLE_HASH_BYTES);
        memcpy(proof[i], proof[len - 1 - i], MERKLE_HASH_BYTES);
        memcpy(proof[len - 1 - i], t, MERKLE_HASH_BYTES);
    }
}

int merkle_inclusion_proof(const merkle_source *src, uint64_t index, uint64_t size,
                           merkle_hash *proof, size_t *len, perr *err)
{
    if (index >= size || size > MERKLE_MAX_SIZE)
        return perr_set(err, PERR_INVALID, "leaf index %llu is not below tree size %llu",
                        (unsigned long long)index, (unsigned long long)size);
    uint64_t begin = 0, end = size;
    size_t n = 0;
    /* Walk from the root down, collecting the sibling subtree at each split. */
    while (end - begin > 1) {
        uint64_t k = split_point(end - begin);
        int rc;
        if (index < begin + k) {
            rc = merkle_range_root(src, begin + k, end, proof[n]);
            end = begin + k;
        } else {
            rc = merkle_range_root(src, begin, begin + k, proof[n]);
            begin += k;
        }
        if (rc != 0)
            return perr_set(err, PERR_IO, "tree node unavailable");
        n++;
    }
    reverse(proof, n);
    *len = n;
    return 0;
}

int merkle_consistency_proof(const merkle_source *src, uint64_t size1, uint64_t size2,
                             merkle_hash *proof, size_t *len, perr *err)
{
    if (size1 > size2 || size2 > MERKLE_MAX_SIZE)
        return perr_set(err, PERR_INVALID, "old size %llu is larger than new size %llu",
                        (unsigned long long)size1, (unsigned long long)size2);
    *len = 0;
    if (size1 == 0 || size1 == size2)
        return 0;
    uint64_t begin = 0, end = size2, m = size1;
    int whole = 1; /* RFC's b: the old tree is a whole subtree so far */
    size_t n = 0;
    for (;;) {
        uint64_t span = end - begin;
        if (m == span) {
            if (!whole) {
                if (merkle_range_root(src, begin, end, proof[n]) != 0)
                    return perr_set(err, PERR_IO, "tree node unavailable");
                n++;
            }
            break;
        }
        uint64_t k = split_point(span);
        int rc;
        if (m <= k) {
            rc = merkle_range_root(src, begin + k, end, proof[n]);
            end = begin + k;
        } else {
            rc = merkle_range_root(src, begin, begin + k, proof[n]);
            m -= k;
            begin += k;
            whole = 0;
        }
        if (rc != 0)
            return perr_set(err, PERR_IO, "tree node unavailable");
        n++;
    }
    reverse(proof, n);
    *len = n;
    return 0;
}

int merkle_verify_inclusion(const merkle_hash leaf_hash, uint64_t index, uint64_t size,
                            const merkle_hash *proof, size_t len, const merkle_hash root,
                            perr *err)
{
    if (index >= size)
        return perr_set(err, PERR_SIGNATURE, "inclusion: leaf index %llu is not below tree size %llu",
                        (unsigned long long)index, (unsigned long long)size);
    if (len > MERKLE_MAX_PROOF)
        return perr_set(err, PERR_SIGNATURE, "inclusion: proof is too long");
    uint64_t fn = index, sn = size - 1;
    merkle_hash r;
    memcpy(r, leaf_hash, MERKLE_HASH_BYTES);
    for (size_t i = 0; i < len; i++) {
        if (sn == 0)
            return perr_set(err, PERR_SIGNATURE, "inclusion: proof is too long (%zu hashes)", len);
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(proof[i], r, r);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            merkle_node_hash(r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return perr_set(err, PERR_SIGNATURE, "inclusion: proof is too short (%zu hashes)", len);
    if (memcmp(r, root, MERKLE_HASH_BYTES) != 0)
        return perr_set(err, PERR_SIGNATURE, "inclusion: computed root does not match the tree root");
    return 0;
}

int merkle_verify_consistency(uint64_t size1, uint64_t size2, const merkle_hash root1,
                              const merkle_hash root2, const merkle_hash *proof, size_t len,
                              perr *err)
{
    if (size1 > size2)
        return perr_set(err, PERR_SIGNATURE, "consistency: old size %llu is larger than new size %llu",
                        (unsigned long long)size1, (unsigned long long)size2);
    if (size1 == size2) {
        if (len != 0)
            return perr_set(err, PERR_SIGNATURE, "consistency: sizes are equal but the proof is not empty");
        if (memcmp(root1, root2, MERKLE_HASH_BYTES) != 0)
            return perr_set(err, PERR_SIGNATURE, "consistency: sizes are equal but the roots differ");
        return 0;
    }
    if (size1 == 0) {
        if (len != 0)
            return perr_set(err, PERR_SIGNATURE, "consistency: old size is 0 but the proof is not empty");
        return 0;
    }
    if (len == 0)
        return perr_set(err, PERR_SIGNATURE, "consistency: proof is empty");
    if (len > MERKLE_MAX_PROOF)
        return perr_set(err, PERR_SIGNATURE, "consistency: proof is too long");

    size_t i = 0;
    merkle_hash fr, sr;
    /* A power-of-two old tree is a node of the new one: it starts the path. */
    if ((size1 & (size1 - 1)) == 0) {
        memcpy(fr, root1, MERKLE_HASH_BYTES);
    } else {
        memcpy(fr, proof[0], MERKLE_HASH_BYTES);
        i = 1;
    }
    memcpy(sr, fr, MERKLE_HASH_BYTES);
    uint64_t fn = size1 - 1, sn = size2 - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    for (; i < len; i++) {
        if (sn == 0)
            return perr_set(err, PERR_SIGNATURE, "consistency: proof is too long (%zu hashes)", len);
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(proof[i], fr, fr);
            merkle_node_hash(proof[i], sr, sr);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            merkle_node_hash(sr, proof[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return perr_set(err, PERR_SIGNATURE, "consistency: proof is too short (%zu hashes)", len);
    if (memcmp(fr, root1, MERKLE_HASH_BYTES) != 0)
        return perr_set(err, PERR_SIGNATURE, "consistency: proof does not lead to the old root");
    if (memcmp(sr, root2, MERKLE_HASH_BYTES) != 0)
        return perr_set(err, PERR_SIGNATURE, "consistency: proof does not lead to the new root");
    return 0;
}

void merkle_frontier_init(merkle_frontier *f)
{
    memset(f, 0, sizeof *f);
}

int merkle_frontier_load(merkle_frontier *f, const merkle_source *src, uint64_t size)
{
    merkle_frontier_init(f);
    for (unsigned l = 0; l < 64; l++)
        if ((size >> l) & 1)
            if (src->node(src->ctx, l, (size >> l) - 1, f->nodes[l]) != 0)
                return -1;
    f->size = size;
    return 0;
}

void merkle_frontier_append(merkle_frontier *f, const merkle_hash leaf_hash,
                            merkle_emit_fn emit, void *ctx)
{
    uint64_t n = f->size;
    merkle_hash cur;
    memcpy(cur, leaf_hash, MERKLE_HASH_BYTES);
    unsigned l = 0;
    if (emit)
        emit(ctx, 0, n, cur);
    /* Each set low bit of the old size is a left sibling that now has a partner. */
    while ((n >> l) & 1) {
        merkle_node_hash(f->nodes[l], cur, cur);
        l++;
        if (emit)
            emit(ctx, l, ((n + 1) >> l) - 1, cur);
    }
    memcpy(f->nodes[l], cur, MERKLE_HASH_BYTES);
    f->size = n + 1;
}

void merkle_frontier_root(const merkle_frontier *f, merkle_hash out)
{
    if (f->size == 0) {
        merkle_empty_root(out);
        return;
    }
    unsigned l = (unsigned)ctz64(f->size);
    merkle_hash acc;
    memcpy(acc, f->nodes[l], MERKLE_HASH_BYTES);
    for (l++; l < 64; l++)
        if ((f->size >> l) & 1)
            merkle_node_hash(f->nodes[l], acc, acc);
    memcpy(out, acc, MERKLE_HASH_BYTES);
}
