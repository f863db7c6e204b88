/* directory.c — strict parsing of participant and group statement bodies. */
#include "hotline/directory.h"

#include <stdlib.h>
#include <string.h>

#include "json/jcs.h"
#include "json/jget.h"
#include "util/codec.h"

#define TEXT_MAX 128

static int text_member(const json_t *j, const char *key, int required, size_t max, char *out, size_t size,
                       perr *err)
{
    const char *s;
    if ((required ? jget_string(j, key, &s, err) : jget_string_opt(j, key, &s, err)) != 0)
        return -1;
    if (s == NULL) {
        out[0] = '\0';
        return 0;
    }
    size_t n = strlen(s);
    if ((required && n == 0) || n > max || n >= size)
        return perr_set(err, PERR_INVALID, "\"%s\" must be 1 to %zu characters", key, max);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return perr_set(err, PERR_INVALID, "\"%s\" contains a control character", key);
    memcpy(out, s, n + 1);
    return 0;
}

static int parse_contact(const json_t *c, size_t i, perr *err)
{
    static const char *const fields[] = {"name", "role", "hours", "time_zone", "email", "phone", NULL};
    static const char *const required[] = {"name", "role", "hours", "time_zone"};
    char tmp[TEXT_MAX + 1];
    if (!json_is_object(c) || jget_only(c, fields, err) != 0)
        return perr_wrap(err, "contacts[%zu]: ", i);
    for (size_t k = 0; k < 4; k++)
        if (text_member(c, required[k], 1, 64, tmp, sizeof tmp, err) != 0)
            return perr_wrap(err, "contacts[%zu]: ", i);
    if (text_member(c, "email", 0, TEXT_MAX, tmp, sizeof tmp, err) != 0 ||
        text_member(c, "phone", 0, 64, tmp, sizeof tmp, err) != 0)
        return perr_wrap(err, "contacts[%zu]: ", i);
    return 0;
}

int directory_parse_participant(const json_t *body, store_participant *out, perr *err)
{
    static const char *const fields[] = {"id", "name", "verifier", "box_public", "contacts", "status", NULL};
    memset(out, 0, sizeof *out);
    if (jget_only(body, fields, err) != 0)
        return -1;
    json_t *keys = json_pack("{s:O?, s:O?, s:O?}", "participant", json_object_get(body, "id"), "verifier",
                             json_object_get(body, "verifier"), "box_public", json_object_get(body, "box_public"));
    int rc = keys ? keyfile_public_from_json(keys, &out->keys, err) : perr_set(err, PERR_INTERNAL, "out of memory");
    json_decref(keys);
    if (rc != 0 || text_member(body, "name", 1, TEXT_MAX, out->name, sizeof out->name, err) != 0 ||
        text_member(body, "status", 0, 15, out->status, sizeof out->status, err) != 0)
        return -1;
    if (out->status[0] == '\0')
        strcpy(out->status, "active");
    if (strcmp(out->status, "active") != 0 && strcmp(out->status, "suspended") != 0)
        return perr_set(err, PERR_INVALID, "\"status\" must be \"active\" or \"suspended\"");
    json_t *contacts = json_object_get(body, "contacts");
    if (contacts == NULL) {
        strcpy(out->contacts, "[]");
        return 0;
    }
    if (!json_is_array(contacts) || json_array_size(contacts) > PARTICIPANT_MAX_CONTACTS)
        return perr_set(err, PERR_INVALID, "\"contacts\" must be an array of at most %d contact points",
                        PARTICIPANT_MAX_CONTACTS);
    for (size_t i = 0; i < json_array_size(contacts); i++)
        if (parse_contact(json_array_get(contacts, i), i, err) != 0)
            return -1;
    size_t len;
    char *text = jcs_dumps(contacts, &len, err);
    if (text == NULL)
        return -1;
    rc = len < sizeof out->contacts ? 0 : perr_set(err, PERR_TOO_LARGE, "\"contacts\" is too long");
    if (rc == 0)
        memcpy(out->contacts, text, len + 1);
    free(text);
    return rc;
}

/* An array of distinct participant ids. */
static int id_list(const json_t *body, const char *key, int required, size_t max,
                   char (*out)[IDENT_PARTICIPANT_MAX + 1], size_t *n, perr *err)
{
    json_t *a = json_object_get(body, key);
    *n = 0;
    if (a == NULL && !required)
        return 0;
    if (!json_is_array(a) || json_array_size(a) > max || (required && json_array_size(a) == 0))
        return perr_set(err, PERR_INVALID, "\"%s\" must be an array of 1 to %zu participant ids", key, max);
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *id = json_string_value(json_array_get(a, i));
        if (id == NULL || !ident_valid_participant(id))
            return perr_set(err, PERR_INVALID, "\"%s\"[%zu] is not a participant id", key, i);
        for (size_t k = 0; k < *n; k++)
            if (strcmp(out[k], id) == 0)
                return perr_set(err, PERR_INVALID, "\"%s\" lists %s twice", key, id);
        strcpy(out[(*n)++], id);
    }
    return 0;
}

int directory_parse_group(const json_t *body, group_policy *out, perr *err)
{
    static const char *const fields[] = {"id", "name", "members", "coordinators", "kinds", "deadlines",
                                         "default_tlp", NULL};
    memset(out, 0, sizeof *out);
    const char *id, *tlp;
    if (jget_only(body, fields, err) != 0 || jget_string(body, "id", &id, err) != 0)
        return -1;
    if (!ident_valid_group(id))
        return perr_set(err, PERR_INVALID, "group \"id\" must match [A-Za-z0-9-]{2,64}");
    strcpy(out->id, id);
    if (text_member(body, "name", 1, TEXT_MAX, out->name, sizeof out->name, err) != 0 ||
        id_list(body, "members", 1, GROUP_MAX_MEMBERS, out->members, &out->nmembers, err) != 0 ||
        id_list(body, "coordinators", 0, GROUP_MAX_COORDINATORS, out->coordinators, &out->ncoordinators, err) != 0)
        return -1;
    for (size_t i = 0; i < out->ncoordinators; i++)
        if (!group_has_member(out, out->coordinators[i]))
            return perr_set(err, PERR_INVALID, "coordinator %s is not a member", out->coordinators[i]);
    json_t *kinds = json_object_get(body, "kinds");
    if (kinds == NULL) {
        out->kinds_allowed = (1u << KIND_COUNT) - 1;
    } else {
        if (!json_is_array(kinds))
            return perr_set(err, PERR_INVALID, "\"kinds\" must be an array of message kinds");
        for (size_t i = 0; i < json_array_size(kinds); i++) {
            enum envelope_kind k;
            const char *name = json_string_value(json_array_get(kinds, i));
            if (name == NULL || envelope_kind_parse(name, &k) != 0)
                return perr_set(err, PERR_INVALID, "\"kinds\"[%zu] is not a message kind", i);
            out->kinds_allowed |= 1u << k;
        }
    }
    json_t *deadlines = json_object_get(body, "deadlines");
    if (deadlines != NULL) {
        const char *kname;
        json_t *v;
        if (!json_is_object(deadlines))
            return perr_set(err, PERR_INVALID, "\"deadlines\" must map message kinds to seconds");
        json_object_foreach(deadlines, kname, v) {
            enum envelope_kind k;
            uint64_t secs;
            if (envelope_kind_parse(kname, &k) != 0)
                return perr_set(err, PERR_INVALID, "\"deadlines\": \"%.40s\" is not a message kind", kname);
            if (jget_uint(deadlines, kname, 366ull * 86400, &secs, err) != 0 || secs == 0)
                return perr_set(err, PERR_INVALID, "\"deadlines\".%s must be 1 s to 366 days", kname);
            out->deadline_s[k] = (int64_t)secs;
        }
    }
    if (jget_string_opt(body, "default_tlp", &tlp, err) != 0)
        return -1;
    out->default_tlp = TLP_AMBER;
    if (tlp && tlp_parse(tlp, &out->default_tlp) != 0)
        return perr_set(err, PERR_INVALID, "\"default_tlp\" is not a TLP 2.0 label");
    return 0;
}

int directory_load_group(store *s, const char *id, group_policy *out, perr *err)
{
    buf doc;
    buf_init(&doc);
    if (store_group_get(s, id, &doc, err) != 0) {
        buf_free(&doc);
        return err->code == PERR_NOT_FOUND ? perr_set(err, PERR_NOT_FOUND, "group %.64s does not exist", id) : -1;
    }
    json_t *j = jcs_parse(doc.data, doc.len, err);
    buf_free(&doc);
    int rc = j ? directory_parse_group(j, out, err) : -1;
    json_decref(j);
    return rc == 0 ? 0 : perr_wrap(err, "stored group %.64s: ", id);
}

int group_has_member(const group_policy *g, const char *participant)
{
    for (size_t i = 0; i < g->nmembers; i++)
        if (strcmp(g->members[i], participant) == 0)
            return 1;
    return 0;
}

int group_has_coordinator(const group_policy *g, const char *participant)
{
    if (g->ncoordinators == 0)
        return group_has_member(g, participant);
    for (size_t i = 0; i < g->ncoordinators; i++)
        if (strcmp(g->coordinators[i], participant) == 0)
            return 1;
    return 0;
}
