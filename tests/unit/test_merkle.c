/* test_merkle.c — RFC 9162 tree math against ../shared/vectors/rfc9162-merkle
 * and against a brute-force reference for many tree sizes. */
#include "testutil.h"

#include "tlog/merkle.h"

/* An in-memory source built from leaf hashes, computing nodes recursively. */
typedef struct {
    merkle_hash *leaves;
    uint64_t n;
} mem_tree;

static int mem_node(void *ctx, unsigned level, uint64_t index, merkle_hash out)
{
    mem_tree *t = ctx;
    uint64_t begin = index << level, width = (uint64_t)1 << level;
    if (begin + width > t->n)
        return -1;
    if (level == 0) {
        memcpy(out, t->leaves[index], 32);
        return 0;
    }
    merkle_hash l, r;
    mem_node(ctx, level - 1, index * 2, l);
    mem_node(ctx, level - 1, index * 2 + 1, r);
    merkle_node_hash(l, r, out);
    return 0;
}

/* Plain RFC 9162 MTH by recursion, independent of merkle.c's decomposition. */
static void reference_mth(merkle_hash *leaves, uint64_t n, merkle_hash out)
{
    if (n == 0) {
        merkle_empty_root(out);
        return;
    }
    if (n == 1) {
        memcpy(out, leaves[0], 32);
        return;
    }
    uint64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    merkle_hash l, r;
    reference_mth(leaves, k, l);
    reference_mth(leaves + k, n - k, r);
    merkle_node_hash(l, r, out);
}

static mem_tree vector_tree(json_t *v)
{
    json_t *leaves = json_object_get(v, "leaves");
    mem_tree t = {calloc(json_array_size(leaves) + 1, 32), json_array_size(leaves)};
    for (size_t i = 0; i < t.n; i++) {
        const char *hex = json_string_value(json_array_get(leaves, i));
        uint8_t data[64];
        size_t len = strlen(hex) / 2;
        assert_int_equal(hex_decode(data, len, hex), 0);
        merkle_leaf_hash(data, len, t.leaves[i]);
    }
    return t;
}

static size_t proof_from_json(json_t *arr, merkle_hash *proof)
{
    size_t n = json_array_size(arr);
    for (size_t i = 0; i < n; i++)
        hex32(json_string_value(json_array_get(arr, i)), proof[i]);
    return n;
}

static void test_roots(void **state)
{
    (void)state;
    json_t *v = load_vector_json("rfc9162-merkle/vectors.json");
    mem_tree t = vector_tree(v);
    merkle_source src = {mem_node, &t};
    merkle_hash want, got;
    hex32(json_string_value(json_object_get(v, "empty_root")), want);
    assert_int_equal(merkle_root(&src, 0, got), 0);
    assert_memory_equal(got, want, 32);
    json_t *roots = json_object_get(v, "roots");
    merkle_frontier f;
    merkle_frontier_init(&f);
    for (size_t n = 1; n <= json_array_size(roots); n++) {
        hex32(json_string_value(json_array_get(roots, n - 1)), want);
        assert_int_equal(merkle_root(&src, n, got), 0);
        assert_memory_equal(got, want, 32);
        merkle_frontier_append(&f, t.leaves[n - 1], NULL, NULL);
        merkle_frontier_root(&f, got);
        assert_memory_equal(got, want, 32);
    }
    free(t.leaves);
    json_decref(v);
}

static void test_inclusion_vectors(void **state)
{
    (void)state;
    json_t *v = load_vector_json("rfc9162-merkle/vectors.json");
    mem_tree t = vector_tree(v);
    merkle_source src = {mem_node, &t};
    json_t *c;
    size_t i;
    json_array_foreach(json_object_get(v, "inclusion"), i, c) {
        merkle_hash leaf, root, proof[MERKLE_MAX_PROOF], made[MERKLE_MAX_PROOF];
        uint64_t index = (uint64_t)json_integer_value(json_object_get(c, "index"));
        uint64_t size = (uint64_t)json_integer_value(json_object_get(c, "size"));
        hex32(json_string_value(json_object_get(c, "leaf_hash")), leaf);
        hex32(json_string_value(json_object_get(c, "root")), root);
        size_t n = proof_from_json(json_object_get(c, "proof"), proof);
        perr err;
        assert_int_equal(merkle_verify_inclusion(leaf, index, size, proof, n, root, &err), 0);
        /* Our generator produces exactly the vector's proof. */
        size_t m;
        t.n = size;
        assert_int_equal(merkle_inclusion_proof(&src, index, size, made, &m, &err), 0);
        t.n = 8;
        assert_int_equal(m, n);
        assert_memory_equal(made, proof, n * 32);
    }
    size_t rejected = 0;
    json_array_foreach(json_object_get(v, "invalid_inclusion"), i, c) {
        merkle_hash leaf, root, proof[MERKLE_MAX_PROOF + 8];
        hex32(json_string_value(json_object_get(c, "leaf_hash")), leaf);
        hex32(json_string_value(json_object_get(c, "root")), root);
        size_t n = proof_from_json(json_object_get(c, "proof"), proof);
        perr err = {0};
        int rc = merkle_verify_inclusion(leaf, (uint64_t)json_integer_value(json_object_get(c, "index")),
                                         (uint64_t)json_integer_value(json_object_get(c, "size")),
                                         proof, n, root, &err);
        if (rc == 0)
            fail_msg("invalid inclusion case %zu (%s) accepted", i,
                     json_string_value(json_object_get(c, "why")));
        assert_true(strlen(err.msg) > 0);
        rejected++;
    }
    assert_true(rejected > 100);
    free(t.leaves);
    json_decref(v);
}

static void test_consistency_vectors(void **state)
{
    (void)state;
    json_t *v = load_vector_json("rfc9162-merkle/vectors.json");
    mem_tree t = vector_tree(v);
    merkle_source src = {mem_node, &t};
    json_t *c;
    size_t i;
    json_array_foreach(json_object_get(v, "consistency"), i, c) {
        merkle_hash r1, r2, proof[MERKLE_MAX_PROOF], made[MERKLE_MAX_PROOF];
        uint64_t s1 = (uint64_t)json_integer_value(json_object_get(c, "size1"));
        uint64_t s2 = (uint64_t)json_integer_value(json_object_get(c, "size2"));
        hex32(json_string_value(json_object_get(c, "root1")), r1);
        hex32(json_string_value(json_object_get(c, "root2")), r2);
        size_t n = proof_from_json(json_object_get(c, "proof"), proof);
        perr err;
        if (merkle_verify_consistency(s1, s2, r1, r2, proof, n, &err) != 0)
            fail_msg("consistency %llu->%llu: %s", (unsigned long long)s1, (unsigned long long)s2, err.msg);
        size_t m;
        t.n = s2;
        assert_int_equal(merkle_consistency_proof(&src, s1, s2, made, &m, &err), 0);
        t.n = 8;
        assert_int_equal(m, n);
        assert_memory_equal(made, proof, n * 32);
    }
    json_array_foreach(json_object_get(v, "invalid_consistency"), i, c) {
        merkle_hash r1, r2, proof[MERKLE_MAX_PROOF + 8];
        hex32(json_string_value(json_object_get(c, "root1")), r1);
        hex32(json_string_value(json_object_get(c, "root2")), r2);
        size_t n = proof_from_json(json_object_get(c, "proof"), proof);
        perr err = {0};
        int rc = merkle_verify_consistency((uint64_t)json_integer_value(json_object_get(c, "size1")),
                                           (uint64_t)json_integer_value(json_object_get(c, "size2")),
                                           r1, r2, proof, n, &err);
        if (rc == 0)
            fail_msg("invalid consistency case %zu (%s) accepted", i,
                     json_string_value(json_object_get(c, "why")));
    }
    free(t.leaves);
    json_decref(v);
}

/* Every proof for every pair of sizes up to 70 verifies, and flipping any bit
 * of any proof hash, or changing the size, makes it fail. */
static void test_exhaustive_small_trees(void **state)
{
    (void)state;
    enum { N = 70 };
    mem_tree t = {calloc(N, 32), N};
    for (uint64_t i = 0; i < N; i++) {
        uint8_t d[8];
        memcpy(d, &i, 8);
        merkle_leaf_hash(d, 8, t.leaves[i]);
    }
    merkle_source src = {mem_node, &t};
    merkle_hash roots[N + 1];
    for (uint64_t n = 0; n <= N; n++) {
        reference_mth(t.leaves, n, roots[n]);
        merkle_hash got;
        assert_int_equal(merkle_root(&src, n, got), 0);
        assert_memory_equal(got, roots[n], 32);
    }
    perr err;
    for (uint64_t size = 1; size <= N; size++) {
        for (uint64_t idx = 0; idx < size; idx++) {
            merkle_hash proof[MERKLE_MAX_PROOF];
            size_t len;
            assert_int_equal(merkle_inclusion_proof(&src, idx, size, proof, &len, &err), 0);
            assert_int_equal(merkle_verify_inclusion(t.leaves[idx], idx, size, proof, len, roots[size], &err), 0);
            if (size < N)
                assert_int_not_equal(merkle_verify_inclusion(t.leaves[idx], idx, size + 1, proof, len, roots[size + 1], &err), 0);
            for (size_t p = 0; p < len; p++) {
                proof[p][p % 32] ^= 1;
                assert_int_not_equal(merkle_verify_inclusion(t.leaves[idx], idx, size, proof, len, roots[size], &err), 0);
                proof[p][p % 32] ^= 1;
            }
        }
        for (uint64_t old = 0; old <= size; old++) {
            merkle_hash proof[MERKLE_MAX_PROOF];
            size_t len;
            assert_int_equal(merkle_consistency_proof(&src, old, size, proof, &len, &err), 0);
            if (merkle_verify_consistency(old, size, roots[old], roots[size], proof, len, &err) != 0)
                fail_msg("%llu->%llu: %s", (unsigned long long)old, (unsigned long long)size, err.msg);
            for (size_t p = 0; p < len; p++) {
                proof[p][7] ^= 0x80;
                assert_int_not_equal(merkle_verify_consistency(old, size, roots[old], roots[size], proof, len, &err), 0);
                proof[p][7] ^= 0x80;
            }
            if (old > 0 && old < size)
                assert_int_not_equal(merkle_verify_consistency(old, size, roots[old - 1], roots[size], proof, len, &err), 0);
        }
    }
    free(t.leaves);
}

struct emitted {
    unsigned level;
    uint64_t index;
    merkle_hash h;
};

struct emit_log {
    struct emitted *e;
    size_t n;
};

static void record_emit(void *c, unsigned level, uint64_t index, const merkle_hash h)
{
    struct emit_log *log = c;
    struct emitted *slot = &log->e[log->n++];
    slot->level = level;
    slot->index = index;
    memcpy(slot->h, h, 32);
}

/* Appends report every completed node once, each equal to the reference root
 * of the subtree it names. */
static void test_frontier_emits_every_node(void **state)
{
    (void)state;
    enum { N = 300 };
    static merkle_hash leaves[N];
    struct emit_log log = {calloc(2 * N, sizeof(struct emitted)), 0};
    merkle_frontier f;
    merkle_frontier_init(&f);
    for (uint64_t i = 0; i < N; i++) {
        merkle_leaf_hash(&i, sizeof i, leaves[i]);
        merkle_frontier_append(&f, leaves[i], record_emit, &log);
    }
    assert_int_equal(log.n, 2 * N - __builtin_popcountll(N));
    for (size_t k = 0; k < log.n; k++) {
        merkle_hash want;
        reference_mth(leaves + (log.e[k].index << log.e[k].level), (uint64_t)1 << log.e[k].level, want);
        assert_memory_equal(log.e[k].h, want, 32);
    }
    free(log.e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roots),
        cmocka_unit_test(test_inclusion_vectors),
        cmocka_unit_test(test_consistency_vectors),
        cmocka_unit_test(test_exhaustive_small_trees),
        cmocka_unit_test(test_frontier_emits_every_node),
    };
    return cmocka_run_group_tests(tests, init_sodium, NULL);
}
