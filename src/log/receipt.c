/* receipt.c — building and checking receipts. */
#include "log/receipt.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json/jcs.h"
#include "json/jget.h"
#include "util/codec.h"
#include "util/timefmt.h"

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

int receipt_write(const char *leaf, size_t leaf_len, const seq_result *r, buf *out, perr *err)
{
    /* The leaf is already canonical JSON text: it is copied in, not re-parsed.
     * The checkpoint is the node's own UTF-8 note text. */
    buf_puts(out, "{\"checkpoint\":");
    jcs_put_string(out, r->checkpoint, strlen(r->checkpoint));
    buf_puts(out, ",\"entry\":");
    buf_append(out, leaf, leaf_len);
    buf_puts(out, ",\"inclusion_proof\":[");
    for (size_t i = 0; i < r->proof_len; i++) {
        buf_puts(out, i ? ",\"" : "\"");
        buf_put_hex(out, r->proof[i], MERKLE_HASH_BYTES);
        buf_putc(out, '"');
    }
    buf_printf(out, "],\"leaf_index\":%" PRIu64 ",\"tree_size\":%" PRIu64 "}", r->index, r->tree_size);
    return out->failed ? perr_set(err, PERR_INTERNAL, "out of memory") : 0;
}

json_t *receipt_build(const char *leaf, size_t leaf_len, const seq_result *r, perr *err)
{
    buf text;
    buf_init(&text);
    json_t *j = receipt_write(leaf, leaf_len, r, &text, err) == 0 ? jcs_parse(text.data, text.len, err) : NULL;
    buf_free(&text);
    return j;
}

void receipt_info_free(receipt_info *r)
{
    if (r->parsed)
        record_free(&r->entry);
    r->parsed = 0;
}

static const char *member(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "-";
}

void receipt_describe(const receipt_info *r, buf *out)
{
    char created[TIMEFMT_MAX];
    if (r->entry.type == RECORD_ENVELOPE) {
        timefmt_format_ms(created, r->entry.env.created_ms);
        buf_printf(out, "%s %s from %s, created %s", envelope_kind_name(r->entry.env.kind), r->entry.env.id,
                   r->entry.env.sender, created);
    } else if (r->entry.type == RECORD_EVIDENCE) {
        const json_t *e = r->entry.evidence;
        buf_printf(out, "evidence %s %s version %s in %s, added by %s at %s", member(e, "op"), member(e, "object"),
                   member(e, "version"), member(e, "collection"), member(e, "added_by"), member(e, "date_added"));
    } else {
        timefmt_format_ms(created, r->entry.st.created_ms);
        buf_printf(out, "%s statement %s signed by %s, created %s", statement_type_name(r->entry.st.type),
                   r->entry.st.id, r->entry.st.signer_key.name, created);
    }
}

static const notekey_verifier *signer_key(const record *r)
{
    return r->type == RECORD_ENVELOPE ? &r->env.sender_key : r->type == RECORD_STATEMENT ? &r->st.signer_key : NULL;
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
    size_t leaf_len;
    char *leaf = jcs_dumps(entry, &leaf_len, err);
    if (leaf == NULL)
        goto done;
    if (record_parse_leaf(leaf, leaf_len, &out->entry, err) != 0) {
        free(leaf);
        perr_wrap(err, "receipt entry: ");
        goto done;
    }
    out->parsed = 1;
    const notekey_verifier *signer = signer_key(&out->entry);
    if (sender_key && signer == NULL) {
        free(leaf);
        perr_set(err, PERR_SIGNATURE, "receipt entry: an evidence record carries no sender signature");
        goto done;
    }
    if (sender_key && (strcmp(sender_key->name, signer->name) != 0 ||
                       memcmp(sender_key->pk, signer->pk, NOTEKEY_PUBLIC_BYTES) != 0)) {
        free(leaf);
        perr_set(err, PERR_SIGNATURE, "receipt entry: signed by %s+%08x, not by the expected key",
                 signer->name, (unsigned)signer->id);
        goto done;
    }
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

json_t *receipt_at(store *s, const notekey_verifier *log_key, uint64_t index, perr *err)
{
    buf note, leaf;
    buf_init(&note);
    buf_init(&leaf);
    checkpoint cp;
    json_t *out = NULL;
    seq_result r = {0};
    merkle_source src = store_merkle_source(s);
    if (store_checkpoint(s, UINT64_MAX, &note, err) != 0 || store_entry_leaf(s, index, &leaf, err) != 0 ||
        checkpoint_open(note.data, note.len, log_key, &cp, err) != 0)
        goto done;
    r.index = index;
    r.tree_size = cp.size;
    r.checkpoint = note.data;
    if (merkle_inclusion_proof(&src, index, cp.size, r.proof, &r.proof_len, err) == 0)
        out = receipt_build(leaf.data, leaf.len, &r, err);
done:
    buf_free(&note);
    buf_free(&leaf);
    return out;
}
