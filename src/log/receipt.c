/* receipt.c — building and checking receipts. */
#include "log/receipt.h"

#include <string.h>

#include "json/jcs.h"
#include "json/jget.h"
#include "util/codec.h"

json_t *proof_to_json(const merkle_hash *proof, size_t len)
{
    json_t *a = json_array();
    for (size_t i = 0; i < len; i++) {
        char hex[2 * MERKLE_HASH_BYTES + 1];
        hex_encode(hex, proof[i], MERKLE_HASH_BYTES);
        json_array_append_new(a, json_string(hex));
    }
    return a;
}

int proof_from_json(const json_t *arr, merkle_hash *proof, size_t *len, perr *err)
{
    if (!json_is_array(arr))
        return perr_set(err, PERR_INVALID, "proof must be an array");
    size_t n = json_array_size(arr);
    if (n > MERKLE_MAX_PROOF)
        return perr_set(err, PERR_INVALID, "proof has more than %d hashes", MERKLE_MAX_PROOF);
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (s == NULL || hex_decode(proof[i], MERKLE_HASH_BYTES, s) != 0)
            return perr_set(err, PERR_INVALID, "proof hash %zu is not 64 lowercase hex digits", i);
    }
    *len = n;
    return 0;
}

json_t *receipt_build(const char *leaf, size_t leaf_len, const seq_result *r, perr *err)
{
    json_t *entry = jcs_parse(leaf, leaf_len, err);
    if (entry == NULL)
        return NULL;
    json_t *j = json_pack("{s:o, s:I, s:I, s:o, s:s}", "entry", entry, "leaf_index",
                          (json_int_t)r->index, "tree_size", (json_int_t)r->tree_size,
                          "inclusion_proof", proof_to_json(r->proof, r->proof_len),
                          "checkpoint", r->checkpoint);
    if (j == NULL)
        perr_set(err, PERR_INTERNAL, "out of memory");
    return j;
}

void receipt_info_free(receipt_info *r)
{
    envelope_free(&r->entry);
}

int receipt_verify(const char *text, size_t len, const notekey_verifier *log_key,
                   const notekey_verifier *sender_key, receipt_info *out, perr *err)
{
    static const char *const fields[] = {"entry", "leaf_index", "tree_size", "inclusion_proof",
                                         "checkpoint", NULL};
    memset(out, 0, sizeof *out);
    if (len > RECEIPT_MAX_BYTES)
        return perr_set(err, PERR_TOO_LARGE, "receipt is larger than %d bytes", RECEIPT_MAX_BYTES);
    json_t *j = jcs_parse(text, len, err);
    if (j == NULL)
        return perr_wrap(err, "receipt: ");
    int rc = -1;
    const char *note;
    uint64_t size;
    json_t *entry, *proof_json;
    merkle_hash proof[MERKLE_MAX_PROOF];
    size_t proof_len;
    if (jget_only(j, fields, err) != 0 || jget_string(j, "checkpoint", &note, err) != 0 ||
        jget_uint(j, "leaf_index", MERKLE_MAX_SIZE, &out->leaf_index, err) != 0 ||
        jget_uint(j, "tree_size", MERKLE_MAX_SIZE, &size, err) != 0 ||
        jget_object(j, "entry", &entry, err) != 0 ||
        jget_array(j, "inclusion_proof", &proof_json, err) != 0 ||
        proof_from_json(proof_json, proof, &proof_len, err) != 0) {
        perr_wrap(err, "receipt: ");
        goto done;
    }
    if (checkpoint_open(note, strlen(note), log_key, &out->cp, err) != 0)
        goto done;
    if (size != out->cp.size) {
        perr_set(err, PERR_SIGNATURE, "receipt: tree_size %llu differs from the checkpoint's %llu",
                 (unsigned long long)size, (unsigned long long)out->cp.size);
        goto done;
    }
    if (envelope_from_json(entry, ENVELOPE_LEAF_ONLY, &out->entry, err) != 0) {
        perr_wrap(err, "receipt entry: ");
        goto done;
    }
    if (sender_key && (strcmp(sender_key->name, out->entry.sender_key.name) != 0 ||
                       memcmp(sender_key->pk, out->entry.sender_key.pk, NOTEKEY_PUBLIC_BYTES) != 0)) {
        perr_set(err, PERR_SIGNATURE, "receipt entry: signed by %s+%08x, not by the expected sender key",
                 out->entry.sender_key.name, (unsigned)out->entry.sender_key.id);
        goto done;
    }
    size_t leaf_len;
    char *leaf = jcs_dumps(entry, &leaf_len, err);
    if (leaf == NULL)
        goto done;
    merkle_leaf_hash(leaf, leaf_len, out->leaf_hash);
    free(leaf);
    rc = merkle_verify_inclusion(out->leaf_hash, out->leaf_index, out->cp.size, proof, proof_len,
                                 out->cp.root, err);
done:
    json_decref(j);
    if (rc != 0)
        receipt_info_free(out);
    return rc;
}
