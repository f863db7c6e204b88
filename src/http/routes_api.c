/* routes_api.c — the JSON API under /api/v1/ (see docs/openapi.yaml):
 *   GET  /api/v1/entries/<index>               a logged leaf
 *   GET  /api/v1/proof/inclusion?index=I&size=N
 *   GET  /api/v1/proof/consistency?from=M&to=N
 *   GET  /api/v1/checkpoints/<size>            a checkpoint the node signed earlier */
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "json/jcs.h"
#include "log/receipt.h"
#include "tlog/checkpoint.h"

static int query_u64(const http_req *req, const char *key, uint64_t *out, http_resp *resp)
{
    const char *v = http_query(req, key);
    if (v == NULL || parse_decimal_u64(v, strlen(v), out) != 0 || *out > MERKLE_MAX_SIZE) {
        http_error(resp, 400, "invalid", "query parameter \"%s\" must be a decimal integer", key);
        return -1;
    }
    return 0;
}

int http_is_json(const char *ct)
{
    if (ct == NULL)
        return 0;
    size_t n = strlen("application/json");
    return strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static uint64_t tree_size(store *db, perr *err)
{
    uint64_t size = 0;
    store_log_size(db, &size, err);
    return size;
}

static void get_entry(store *db, const char *arg, http_resp *resp)
{
    uint64_t index;
    perr err = {0};
    if (parse_decimal_u64(arg, strlen(arg), &index) != 0) {
        http_error(resp, 400, "invalid", "entry index must be a decimal integer");
        return;
    }
    buf leaf;
    buf_init(&leaf);
    if (store_entry_leaf(db, index, &leaf, &err) != 0) {
        http_perr(resp, &err);
    } else {
        json_t *entry = jcs_parse(leaf.data, leaf.len, &err);
        http_json(resp, 200, json_pack("{s:I, s:o}", "leaf_index", (json_int_t)index, "entry", entry));
    }
    buf_free(&leaf);
}

static void get_inclusion(const http_req *req, store *db, http_resp *resp)
{
    uint64_t index, size;
    perr err = {0};
    if (query_u64(req, "index", &index, resp) != 0 || query_u64(req, "size", &size, resp) != 0)
        return;
    if (size > tree_size(db, &err)) {
        http_error(resp, 400, "invalid", "size is beyond the current tree");
        return;
    }
    merkle_hash proof[MERKLE_MAX_PROOF];
    size_t len;
    merkle_source src = store_merkle_source(db);
    if (merkle_inclusion_proof(&src, index, size, proof, &len, &err) != 0) {
        http_perr(resp, &err);
        return;
    }
    http_json(resp, 200, json_pack("{s:I, s:I, s:o}", "leaf_index", (json_int_t)index, "tree_size",
                                   (json_int_t)size, "inclusion_proof", proof_to_json(proof, len)));
}

static void get_consistency(const http_req *req, store *db, http_resp *resp)
{
    uint64_t from, to;
    perr err = {0};
    if (query_u64(req, "from", &from, resp) != 0 || query_u64(req, "to", &to, resp) != 0)
        return;
    if (to > tree_size(db, &err)) {
        http_error(resp, 400, "invalid", "\"to\" is beyond the current tree");
        return;
    }
    merkle_hash proof[MERKLE_MAX_PROOF];
    size_t len;
    merkle_source src = store_merkle_source(db);
    if (merkle_consistency_proof(&src, from, to, proof, &len, &err) != 0) {
        http_perr(resp, &err);
        return;
    }
    http_json(resp, 200, json_pack("{s:I, s:I, s:o}", "size1", (json_int_t)from, "size2",
                                   (json_int_t)to, "consistency_proof", proof_to_json(proof, len)));
}

static void get_checkpoint(store *db, const char *arg, http_resp *resp)
{
    uint64_t size;
    perr err = {0};
    if (parse_decimal_u64(arg, strlen(arg), &size) != 0) {
        http_error(resp, 400, "invalid", "checkpoint size must be a decimal integer");
        return;
    }
    buf_reset(&resp->body);
    if (store_checkpoint(db, size, &resp->body, &err) != 0) {
        http_perr(resp, &err);
        return;
    }
    resp->status = 200;
    resp->content_type = "text/plain; charset=utf-8";
    resp->cache_control = "public, max-age=31536000, immutable";
}

void route_api(const http_req *req, http_resp *resp)
{
    const char *rest = req->path + strlen("/api/v1/");
    int is_get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    if (route_hotline(req, resp))
        return;
    if (!is_get) {
        http_error(resp, 405, "method_not_allowed", "%s is not allowed here", req->method);
        return;
    }
    store *db = store_pool_acquire(req->node->readers);
    if (strncmp(rest, "entries/", 8) == 0)
        get_entry(db, rest + 8, resp);
    else if (strcmp(rest, "proof/inclusion") == 0)
        get_inclusion(req, db, resp);
    else if (strcmp(rest, "proof/consistency") == 0)
        get_consistency(req, db, resp);
    else if (strncmp(rest, "checkpoints/", 12) == 0)
        get_checkpoint(db, rest + 12, resp);
    else
        http_error(resp, 404, "not_found", "no such API resource");
    store_pool_release(req->node->readers, db);
}

void route_health(const http_req *req, http_resp *resp)
{
    seq_stats st;
    sequencer_stats_get(req->node->seq, &st);
    http_json(resp, 200, json_pack("{s:s, s:s, s:I}", "status", "ok", "origin",
                                   req->node->cfg.origin, "tree_size", (json_int_t)st.tree_size));
}
