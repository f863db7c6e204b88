/* routes_taxii.c — TAXII 2.1 over HTTP (taxii.h has the service):
 *   GET  /taxii2/                                        discovery
 *   GET  /taxii2/api/                                    API root
 *   GET  /taxii2/api/collections/                        collections of the participant
 *   GET  /taxii2/api/collections/{id}/                   one collection
 *   GET  /taxii2/api/collections/{id}/objects/           objects (filters, pages)
 *   POST /taxii2/api/collections/{id}/objects/           add objects → 202 status
 *   GET  /taxii2/api/collections/{id}/objects/{oid}/     one object
 *   DELETE /taxii2/api/collections/{id}/objects/{oid}/   delete it
 *   GET  /taxii2/api/collections/{id}/objects/{oid}/versions/
 *   GET  /taxii2/api/collections/{id}/manifest/
 *   GET  /taxii2/api/status/{id}/
 * Content negotiation: answers are application/taxii+json;version=2.1; an
 * Accept that excludes it gets 406, a POST of another type 415. Errors use
 * the TAXII error message {title, description, http_status}. HTTP Basic or
 * Bearer with a participant's token. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"
#include "taxii/taxii.h"

static void taxii_error(http_resp *resp, int status, const char *title, const char *description)
{
    char code[8];
    snprintf(code, sizeof code, "%d", status);
    http_json(resp, status, json_pack("{s:s, s:s, s:s}", "title", title, "description", description,
                                      "http_status", code));
    resp->content_type = TAXII_MEDIA_TYPE;
}

static void taxii_perr(http_resp *resp, const perr *err)
{
    int status = http_status_for(err->code);
    taxii_error(resp, status, perr_code_name(err->code), err->msg);
    if (status == 401)
        resp->www_authenticate = "Basic realm=\"parley\", Bearer realm=\"parley\"";
}

static void taxii_json(http_resp *resp, int status, json_t *j, const perr *err)
{
    if (j == NULL) {
        taxii_perr(resp, err);
        return;
    }
    http_json(resp, status, j);
    resp->content_type = TAXII_MEDIA_TYPE;
}

/* Does a media-type list (Accept) admit TAXII 2.1? */
static int media_type_ok(const char *list, int for_accept)
{
    if (list == NULL)
        return for_accept;
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char item[256];
        if (n < sizeof item) {
            size_t k = 0;
            for (size_t i = 0; i < n; i++)
                if (!isspace((unsigned char)p[i]))
                    item[k++] = (char)tolower((unsigned char)p[i]);
            item[k] = '\0';
            char *semi = strchr(item, ';');
            const char *params = semi ? semi : "";
            if (semi)
                *semi = '\0';
            int type_ok = strcmp(item, "application/taxii+json") == 0 ||
                          (for_accept && (strcmp(item, "*/*") == 0 || strcmp(item, "application/*") == 0));
            int version_ok = strstr(params, "version=") == NULL || strstr(params, "version=2.1") != NULL;
            if (type_ok && version_ok)
                return 1;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

static void send_page(http_resp *resp, taxii_page *page)
{
    buf_free(&resp->body);
    resp->body = page->body;
    resp->status = 200;
    resp->content_type = TAXII_MEDIA_TYPE;
    if (page->count) {
        resp->extra_name[0] = "X-TAXII-Date-Added-First";
        resp->extra_name[1] = "X-TAXII-Date-Added-Last";
        snprintf(resp->extra_value[0], sizeof resp->extra_value[0], "%s", page->first_added);
        snprintf(resp->extra_value[1], sizeof resp->extra_value[1], "%s", page->last_added);
    }
}

/* Splits "a/b/c/" into segments (no empty ones); returns the count. */
static int segments(const char *path, char seg[8][320])
{
    int n = 0;
    const char *p = path;
    while (*p && n < 8) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len >= 320)
            return -1;
        memcpy(seg[n], p, len);
        seg[n++][len] = '\0';
        p += len;
    }
    return *p ? -1 : n;
}

static void collection_route(const http_req *req, http_resp *resp, const char *who, char seg[8][320], int n)
{
    hotline *h = &req->node->hl;
    perr err = {0};
    taxii_collection c;
    int get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    if (taxii_find_collection(h, who, seg[3], &c, &err) != 0) {
        taxii_perr(resp, &err);
        return;
    }
    taxii_filter f = {
        .match_id = http_query(req, "match[id]"), .match_type = http_query(req, "match[type]"),
        .match_version = http_query(req, "match[version]"),
        .match_spec_version = http_query(req, "match[spec_version]"), .added_after = http_query(req, "added_after"),
        .limit = http_query(req, "limit"), .next = http_query(req, "next"),
    };
    taxii_page page;
    if (n == 4 && get) {
        taxii_json(resp, 200, taxii_collection_json(&c), &err);
    } else if (n == 5 && strcmp(seg[4], "objects") == 0 && get) {
        if (taxii_query(h, who, &c, NULL, VIEW_OBJECTS, &f, &page, &err) != 0)
            taxii_perr(resp, &err);
        else
            send_page(resp, &page);
    } else if (n == 5 && strcmp(seg[4], "objects") == 0 && strcmp(req->method, "POST") == 0) {
        if (!media_type_ok(req->content_type, 0))
            taxii_error(resp, 415, "Unsupported Media Type", "POST objects as " TAXII_MEDIA_TYPE);
        else
            taxii_json(resp, 202, taxii_add_objects(h, who, &c, req->body, req->body_len, &err), &err);
    } else if (n == 5 && strcmp(seg[4], "manifest") == 0 && get) {
        if (taxii_query(h, who, &c, NULL, VIEW_MANIFEST, &f, &page, &err) != 0)
            taxii_perr(resp, &err);
        else
            send_page(resp, &page);
    } else if ((n == 6 || (n == 7 && strcmp(seg[6], "versions") == 0)) && strcmp(seg[4], "objects") == 0 && get) {
        if (taxii_query(h, who, &c, seg[5], n == 7 ? VIEW_VERSIONS : VIEW_OBJECTS, &f, &page, &err) != 0)
            taxii_perr(resp, &err);
        else
            send_page(resp, &page);
    } else if (n == 6 && strcmp(seg[4], "objects") == 0 && strcmp(req->method, "DELETE") == 0) {
        if (taxii_delete(h, who, &c, seg[5], f.match_version, &err) != 0) {
            taxii_perr(resp, &err);
        } else {
            resp->status = 200;
            resp->content_type = TAXII_MEDIA_TYPE;
            buf_reset(&resp->body);
        }
    } else if (n >= 5 && (strcmp(seg[4], "objects") == 0 || strcmp(seg[4], "manifest") == 0)) {
        taxii_error(resp, 405, "Method Not Allowed", "this resource does not support that method");
    } else {
        taxii_error(resp, 404, "Not Found", "no such TAXII resource");
    }
}

void route_taxii(const http_req *req, http_resp *resp)
{
    char seg[8][320];
    int n = segments(req->path, seg);
    perr err = {0};
    if (!media_type_ok(req->accept, 1)) {
        taxii_error(resp, 406, "Not Acceptable", "this server answers " TAXII_MEDIA_TYPE);
        return;
    }
    const char *who = req->participant;
    if (who == NULL) {
        taxii_perr(resp, req->auth_error);
        return;
    }
    int get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    hotline *h = &req->node->hl;
    if (n < 0 || n == 0 || strcmp(seg[0], "taxii2") != 0) {
        taxii_error(resp, 404, "Not Found", "no such TAXII resource");
    } else if (n == 1 && get) {
        taxii_json(resp, 200, taxii_discovery(), &err);
    } else if (n >= 2 && strcmp(seg[1], "api") != 0) {
        taxii_error(resp, 404, "Not Found", "the only API root is /taxii2/api/");
    } else if (n == 2 && get) {
        taxii_json(resp, 200, taxii_api_root(), &err);
    } else if (n == 3 && strcmp(seg[2], "collections") == 0 && get) {
        taxii_json(resp, 200, taxii_collections(h, who, &err), &err);
    } else if (n == 4 && strcmp(seg[2], "status") == 0 && get) {
        taxii_json(resp, 200, taxii_status(h, who, seg[3], &err), &err);
    } else if (n >= 4 && strcmp(seg[2], "collections") == 0) {
        collection_route(req, resp, who, seg, n);
    } else if (n <= 3) {
        taxii_error(resp, 405, "Method Not Allowed", "this resource supports GET only");
    } else {
        taxii_error(resp, 404, "Not Found", "no such TAXII resource");
    }
}
