/* routes_log.c — the C2SP tlog-tiles read API under /log/:
 *   /log/checkpoint, /log/tile/<L>/<N>[.p/<W>], /log/tile/entries/<N>[.p/<W>].
 * Tiles are immutable once they exist, so they are cacheable forever; a tile
 * (or a width of a partial tile) the tree does not have yet is 404. */
#include <string.h>

#include "http/http.h"
#include "tlog/tile.h"

static const char immutable[] = "public, max-age=31536000, immutable";

static void serve_tile(store *db, const tile_ref *t, http_resp *resp)
{
    perr err = {0};
    uint64_t size;
    if (store_log_size(db, &size, &err) != 0) {
        http_perr(resp, &err);
        return;
    }
    unsigned have = tile_width_at(t->level, t->index, size);
    /* A full tile is only served once full; a partial width once reached. */
    if (have < t->width) {
        http_error(resp, 404, "not_found", "tile not available at tree size %llu", (unsigned long long)size);
        return;
    }
    buf_reset(&resp->body);
    uint64_t first = t->index * TILE_WIDTH;
    if (t->level == TILE_LEVEL_ENTRIES) {
        if (store_entry_bundle(db, first, t->width, &resp->body, &err) != 0) {
            http_perr(resp, &err);
            return;
        }
    } else {
        merkle_hash hashes[TILE_WIDTH];
        if (store_nodes(db, (unsigned)t->level * TILE_HEIGHT, first, t->width, hashes, &err) != 0) {
            http_perr(resp, &err);
            return;
        }
        buf_append(&resp->body, hashes, (size_t)t->width * MERKLE_HASH_BYTES);
    }
    resp->status = 200;
    resp->content_type = "application/octet-stream";
    resp->cache_control = immutable;
}

void route_log(const http_req *req, http_resp *resp)
{
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        http_error(resp, 405, "method_not_allowed", "the log is read-only over HTTP");
        return;
    }
    const char *rest = req->path + strlen("/log/");
    store *db = store_pool_acquire(req->node->readers);
    perr err = {0};
    if (strcmp(rest, "checkpoint") == 0) {
        buf_reset(&resp->body);
        if (store_checkpoint(db, UINT64_MAX, &resp->body, &err) != 0) {
            http_perr(resp, &err);
        } else {
            resp->status = 200;
            resp->content_type = "text/plain; charset=utf-8";
            resp->cache_control = "no-cache";
        }
    } else if (strncmp(rest, "tile/", 5) == 0) {
        tile_ref t;
        if (tile_parse_path(rest + 5, &t) != 0)
            http_error(resp, 404, "not_found", "not a tile path");
        else
            serve_tile(db, &t, resp);
    } else {
        http_error(resp, 404, "not_found", "no such log resource");
    }
    store_pool_release(req->node->readers, db);
}
