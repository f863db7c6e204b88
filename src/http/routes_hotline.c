/* routes_hotline.c — the hotline's JSON API under /api/v1/ (docs/openapi.yaml).
 * Every resource but admin/statements needs a participant's token; the
 * admin's statements carry their own signature instead.
 *   POST /api/v1/messages                    a signed envelope → 201 receipt
 *   GET  /api/v1/messages/<id>               message, state, envelope, receipt
 *   GET  /api/v1/inbox?box=in|sent|all&group=&kind=&after=&limit=
 *   GET  /api/v1/groups/<group>/report?last=N
 *   GET  /api/v1/directory                   participants, groups, keys
 *   GET  /api/v1/whoami
 *   GET  /api/v1/evidence/<stix-id>?group=G[&version=T]  an object and its receipt
 *   POST /api/v1/admin/statements            a signed admin statement → 201 */
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "taxii/taxii.h"
#include "tlog/checkpoint.h"

static int authenticated(const http_req *req, http_resp *resp)
{
    if (req->participant)
        return 1;
    http_perr(resp, req->auth_error);
    if (resp->status == 401)
        resp->www_authenticate = "Bearer realm=\"parley\"";
    return 0;
}

static void answer(http_resp *resp, int status, json_t *j, const perr *err)
{
    if (j == NULL)
        http_perr(resp, err);
    else
        http_json(resp, status, j);
}

static int require_json(const http_req *req, http_resp *resp)
{
    if (http_is_json(req->content_type))
        return 0;
    http_error(resp, 415, "unsupported_media_type", "POST the body as application/json");
    return -1;
}

static int query_index(const http_req *req, const char *key, uint64_t *out, int *present, http_resp *resp)
{
    const char *v = http_query(req, key);
    *present = v != NULL;
    if (v && parse_decimal_u64(v, strlen(v), out) != 0) {
        http_error(resp, 400, "invalid", "query parameter \"%s\" must be a decimal integer", key);
        return -1;
    }
    return 0;
}

static void get_inbox(const http_req *req, const char *who, http_resp *resp)
{
    inbox_query q = {.kind = -1, .role = ROLE_RECIPIENT};
    const char *box = http_query(req, "box"), *kind = http_query(req, "kind");
    uint64_t limit = 0;
    int has_limit;
    q.group = http_query(req, "group");
    if (box && strcmp(box, "in") != 0) {
        if (strcmp(box, "sent") == 0)
            q.role = ROLE_SENDER;
        else if (strcmp(box, "all") == 0)
            q.role = ROLE_EITHER;
        else
            {
        http_error(resp, 400, "invalid", "\"box\" must be in, sent or all");
        return;
    }
    }
    if (kind) {
        enum envelope_kind k;
        if (envelope_kind_parse(kind, &k) != 0)
            {
        http_error(resp, 400, "invalid", "\"kind\" is not a message kind");
        return;
    }
        q.kind = (int)k;
    }
    if (q.group && !ident_valid_group(q.group))
        {
        http_error(resp, 400, "invalid", "\"group\" is not a group id");
        return;
    }
    if (query_index(req, "after", &q.after, &q.has_after, resp) != 0 ||
        query_index(req, "limit", &limit, &has_limit, resp) != 0)
        return;
    if (has_limit && (limit == 0 || limit > 500))
        {
        http_error(resp, 400, "invalid", "\"limit\" must be 1 to 500");
        return;
    }
    q.limit = (size_t)limit;
    perr err = {0};
    answer(resp, 200, hotline_inbox(&req->node->hl, who, &q, &err), &err);
}

static void get_report(const http_req *req, const char *who, const char *rest, http_resp *resp)
{
    char group[IDENT_GROUP_MAX + 1];
    const char *slash = strchr(rest, '/');
    size_t n = slash ? (size_t)(slash - rest) : 0;
    if (slash == NULL || strcmp(slash, "/report") != 0 || n > IDENT_GROUP_MAX)
        {
        http_error(resp, 404, "not_found", "no such group resource");
        return;
    }
    memcpy(group, rest, n);
    group[n] = '\0';
    uint64_t last = 0;
    int has_last;
    if (query_index(req, "last", &last, &has_last, resp) != 0)
        return;
    perr err = {0};
    answer(resp, 200, hotline_report(&req->node->hl, who, group, (size_t)(last > 100000 ? 100000 : last), &err),
           &err);
}

void route_hotline_logged(hotline_submission *sub, http_resp *resp)
{
    perr err;
    if (hotline_submit_finish(sub, &resp->body, &err) == 0)
        http_json_written(resp, 201);
    else
        http_perr(resp, &err);
}

int route_hotline(const http_req *req, http_resp *resp)
{
    const char *rest = req->path + strlen("/api/v1/");
    int get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    int post = strcmp(req->method, "POST") == 0;
    hotline *h = &req->node->hl;
    perr err = {0};
    if (strcmp(rest, "admin/statements") == 0) {
        if (!post)
            http_error(resp, 405, "method_not_allowed", "use POST");
        else if (require_json(req, resp) == 0)
            answer(resp, 201, hotline_admin(h, req->body, req->body_len, &err), &err);
        return 1;
    }
    int is_messages = strcmp(rest, "messages") == 0;
    int is_message = strncmp(rest, "messages/", 9) == 0;
    int is_inbox = strcmp(rest, "inbox") == 0;
    int is_group = strncmp(rest, "groups/", 7) == 0;
    int is_dir = strcmp(rest, "directory") == 0;
    int is_whoami = strcmp(rest, "whoami") == 0;
    int is_evidence = strncmp(rest, "evidence/", 9) == 0;
    if (!(is_messages || is_message || is_inbox || is_group || is_dir || is_whoami || is_evidence))
        return 0;
    if (is_messages ? !post : !get) {
        http_error(resp, 405, "method_not_allowed", "%s is not allowed here", req->method);
        return 1;
    }
    if (!authenticated(req, resp))
        return 1;
    const char *who = req->participant;
    if (is_messages) {
        if (require_json(req, resp) == 0 &&
            (resp->pending = hotline_submit_start(h, who, req->body, req->body_len, req->logged,
                                                  req->logged_ctx, &err)) == NULL)
            http_perr(resp, &err);
    } else if (is_message) {
        answer(resp, 200, hotline_message(h, who, rest + 9, &err), &err);
    } else if (is_inbox) {
        get_inbox(req, who, resp);
    } else if (is_group) {
        get_report(req, who, rest + 7, resp);
    } else if (is_evidence) {
        const char *group = http_query(req, "group");
        if (group == NULL || !ident_valid_group(group))
            http_error(resp, 400, "invalid", "query parameter \"group\" names the collection's group");
        else
            answer(resp, 200, taxii_evidence_receipt(h, who, group, rest + 9, http_query(req, "version"), &err),
                   &err);
    } else if (is_dir) {
        answer(resp, 200, hotline_directory(h, &err), &err);
    } else {
        http_json(resp, 200, json_pack("{s:s}", "participant", who));
    }
    return 1;
}
