/* stix.c — STIX 2.1 validation (rules in stix.h). */
#include "stix/stix.h"

#include <string.h>
#include <time.h>

#include "util/timefmt.h"

static const struct {
    const char *id;
    enum tlp_level tlp;
} tlp_markings[] = {
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", TLP_CLEAR},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", TLP_GREEN},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", TLP_AMBER},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", TLP_AMBER_STRICT},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", TLP_RED},
    /* TLP 1.0, built into STIX 2.1 §7.2.1.4 */
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", TLP_CLEAR},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", TLP_GREEN},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", TLP_AMBER},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TLP_RED},
};

/* The object types whose "name" is required (checked as STIX 2.1 §4 lists them). */
static const char *const named_types[] = {
    "attack-pattern", "campaign", "course-of-action", "identity", "incident", "intrusion-set",
    "threat-actor", "tool", "vulnerability", "extension-definition", NULL};
static const char *const sco_types[] = {
    "artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message", "file",
    "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process", "software", "url",
    "user-account", "windows-registry-key", "x509-certificate", NULL};

static int in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

int stix_tlp_of_marking(const char *id)
{
    for (size_t i = 0; i < sizeof tlp_markings / sizeof *tlp_markings; i++)
        if (strcmp(tlp_markings[i].id, id) == 0)
            return (int)tlp_markings[i].tlp;
    return -1;
}

static int valid_type_name(const char *t)
{
    size_t n = strlen(t);
    if (n < 3 || n > STIX_TYPE_MAX || t[0] == '-' || t[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return 0;
        if (c == '-' && t[i + 1] == '-')
            return 0;
    }
    return 1;
}

static int valid_property_name(const char *p)
{
    size_t n = strlen(p);
    if (strcmp(p, "id") == 0)
        return 1;
    if (n < 3 || n > 250)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* "<type>--<UUID>" with any RFC 4122 UUID (STIX allows versions 1–5 and 4 for SDOs; v5 for SCOs). */
static int valid_identifier(const char *s, char *type_out, size_t type_size)
{
    const char *sep = strstr(s, "--");
    if (sep == NULL || (size_t)(sep - s) > STIX_TYPE_MAX)
        return 0;
    char type[STIX_TYPE_MAX + 1];
    memcpy(type, s, (size_t)(sep - s));
    type[sep - s] = '\0';
    if (!valid_type_name(type))
        return 0;
    const char *u = sep + 2;
    if (strlen(u) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        char c = u[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return 0;
        }
    }
    if (type_out)
        snprintf(type_out, type_size, "%s", type);
    return 1;
}

int stix_time_us(const char *s, int64_t *us)
{
    int64_t ms;
    if (s == NULL || timefmt_parse_ms(s, &ms) != 0)
        return -1;
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    const char *dot = strchr(s, '.');
    int64_t frac = 0;
    if (dot) {
        int digits = 0;
        for (const char *p = dot + 1; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 6)
                frac = frac * 10 + (*p - '0');
        for (; digits < 6; digits++)
            frac *= 10;
    }
    *us = secs * 1000000 + frac;
    return 0;
}

void stix_format_us(char out[STIX_TIME_MAX], int64_t us)
{
    time_t secs = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char tmp[128]; /* wide enough for any int the compiler imagines in the fields */
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)(us % 1000000));
    size_t n = strnlen(tmp, STIX_TIME_MAX - 1);
    memcpy(out, tmp, n);
    out[n] = '\0';
}

static int check_ref(const char *prop, const json_t *v, const char *want_type, perr *err)
{
    char type[STIX_TYPE_MAX + 1];
    const char *s = json_string_value(v);
    if (s == NULL || !valid_identifier(s, type, sizeof type))
        return perr_set(err, PERR_INVALID, "\"%s\" must be a STIX identifier (type--UUID)", prop);
    if (want_type && strcmp(type, want_type) != 0)
        return perr_set(err, PERR_INVALID, "\"%s\" must reference a %s", prop, want_type);
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Every *_ref / *_refs in this object and its nested objects (extensions, kill chains…). */
static int check_refs(const json_t *obj, int depth, perr *err)
{
    const char *k;
    json_t *v;
    if (depth > 16)
        return perr_set(err, PERR_INVALID, "object nesting deeper than 16 levels");
    json_object_foreach((json_t *)obj, k, v) {
        if (ends_with(k, "_ref")) {
            /* Real data (ATT&CK) leaves some custom x_…_ref properties empty: tolerated, never malformed. */
            if (strncmp(k, "x_", 2) == 0 && json_is_string(v) && json_string_length(v) == 0)
                continue;
            if (check_ref(k, v, strcmp(k, "created_by_ref") == 0 ? "identity" : NULL, err) != 0)
                return -1;
        } else if (ends_with(k, "_refs")) {
            if (!json_is_array(v) || json_array_size(v) == 0)
                return perr_set(err, PERR_INVALID, "\"%s\" must be a non-empty list of identifiers", k);
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e)
                if (check_ref(k, e, strcmp(k, "object_marking_refs") == 0 ? "marking-definition" : NULL, err) != 0)
                    return -1;
        } else if (json_is_object(v)) {
            if (check_refs(v, depth + 1, err) != 0)
                return -1;
        } else if (json_is_array(v)) {
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e)
                if (json_is_object(e) && check_refs(e, depth + 1, err) != 0)
                    return -1;
        }
    }
    return 0;
}

static int timestamp(const json_t *obj, const char *prop, int required, int64_t *us, perr *err)
{
    json_t *v = json_object_get(obj, prop);
    *us = 0;
    if (v == NULL)
        return required ? perr_set(err, PERR_INVALID, "missing required property \"%s\"", prop) : 0;
    if (!json_is_string(v) || stix_time_us(json_string_value(v), us) != 0)
        return perr_set(err, PERR_INVALID, "\"%s\" must be an RFC 3339 UTC timestamp ending in Z", prop);
    return 0;
}

static int marking_tlp(const json_t *obj, stix_meta *m)
{
    size_t i;
    json_t *e;
    m->tlp = -1;
    json_array_foreach(json_object_get(obj, "object_marking_refs"), i, e) {
        int t = stix_tlp_of_marking(json_string_value(e) ? json_string_value(e) : "");
        if (t > m->tlp)
            m->tlp = t; /* the most restrictive label wins */
    }
    return 0;
}

static int readers(const json_t *obj, stix_meta *m, perr *err)
{
    json_t *r = json_object_get(obj, "x_parley_recipients");
    m->nreaders = 0;
    if (r == NULL)
        return 0;
    if (!json_is_array(r) || json_array_size(r) > STIX_MAX_READERS)
        return perr_set(err, PERR_INVALID, "\"x_parley_recipients\" must list at most %d participant ids",
                        STIX_MAX_READERS);
    size_t i;
    json_t *e;
    json_array_foreach(r, i, e) {
        const char *id = json_string_value(e);
        if (id == NULL || !ident_valid_participant(id))
            return perr_set(err, PERR_INVALID, "\"x_parley_recipients\"[%zu] is not a participant id", i);
        strcpy(m->readers[m->nreaders++], id);
    }
    return 0;
}

int stix_validate(const json_t *obj, stix_meta *m, perr *err)
{
    memset(m, 0, sizeof *m);
    m->tlp = -1;
    if (!json_is_object(obj))
        return perr_set(err, PERR_INVALID, "a STIX object must be a JSON object");
    const char *type = json_string_value(json_object_get(obj, "type"));
    const char *id = json_string_value(json_object_get(obj, "id"));
    if (type == NULL)
        return perr_set(err, PERR_INVALID, "missing required property \"type\"");
    if (!valid_type_name(type))
        return perr_set(err, PERR_INVALID, "\"type\" must be 3-250 characters of a-z, 0-9 and single hyphens");
    if (id == NULL)
        return perr_set(err, PERR_INVALID, "missing required property \"id\"");
    char id_type[STIX_TYPE_MAX + 1];
    if (strlen(id) > STIX_ID_MAX || !valid_identifier(id, id_type, sizeof id_type))
        return perr_set(err, PERR_INVALID, "\"id\" must be <type>--<lowercase UUID>");
    if (strcmp(id_type, type) != 0)
        return perr_set(err, PERR_INVALID, "\"id\" has type %s but the object is a %s", id_type, type);
    strcpy(m->id, id);
    strcpy(m->type, type);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
        if (!valid_property_name(k))
            return perr_set(err, PERR_INVALID, "property name \"%.60s\" must be 3-250 characters of a-z, 0-9, _", k);
    int sco = in_list(sco_types, type);
    int marking = strcmp(type, "marking-definition") == 0;
    int versioned = !sco && !marking; /* SDOs, SROs, language content, and custom objects */
    json_t *sv = json_object_get(obj, "spec_version");
    if (sv == NULL && !sco)
        return perr_set(err, PERR_INVALID, "missing required property \"spec_version\"");
    if (sv && (!json_is_string(sv) || strcmp(json_string_value(sv), "2.1") != 0))
        return perr_set(err, PERR_INVALID, "\"spec_version\" must be \"2.1\"");
    strcpy(m->spec_version, "2.1");
    int64_t created, modified;
    if (timestamp(obj, "created", versioned || marking, &created, err) != 0 ||
        timestamp(obj, "modified", versioned, &modified, err) != 0)
        return -1;
    if (modified && modified < created)
        return perr_set(err, PERR_INVALID, "\"modified\" is earlier than \"created\"");
    const char *vs = json_string_value(json_object_get(obj, modified ? "modified" : "created"));
    if (vs) {
        snprintf(m->version, sizeof m->version, "%s", vs);
        m->version_us = modified ? modified : created;
    }
    json_t *revoked = json_object_get(obj, "revoked");
    if (revoked && !json_is_boolean(revoked))
        return perr_set(err, PERR_INVALID, "\"revoked\" must be a boolean");
    json_t *labels = json_object_get(obj, "labels");
    if (labels && !json_is_array(labels))
        return perr_set(err, PERR_INVALID, "\"labels\" must be a list of strings");
    json_t *ext = json_object_get(obj, "external_references");
    if (ext) {
        size_t i;
        json_t *e;
        if (!json_is_array(ext))
            return perr_set(err, PERR_INVALID, "\"external_references\" must be a list");
        json_array_foreach(ext, i, e)
            if (!json_is_object(e) || !json_is_string(json_object_get(e, "source_name")))
                return perr_set(err, PERR_INVALID, "external_references[%zu] needs a \"source_name\"", i);
    }
    if (strcmp(type, "relationship") == 0) {
        if (!json_is_string(json_object_get(obj, "relationship_type")))
            return perr_set(err, PERR_INVALID, "a relationship needs \"relationship_type\"");
        if (!json_object_get(obj, "source_ref") || !json_object_get(obj, "target_ref"))
            return perr_set(err, PERR_INVALID, "a relationship needs \"source_ref\" and \"target_ref\"");
    }
    if (strcmp(type, "sighting") == 0 && !json_object_get(obj, "sighting_of_ref"))
        return perr_set(err, PERR_INVALID, "a sighting needs \"sighting_of_ref\"");
    if (strcmp(type, "indicator") == 0 &&
        (!json_is_string(json_object_get(obj, "pattern")) || !json_is_string(json_object_get(obj, "pattern_type")) ||
         !json_object_get(obj, "valid_from")))
        return perr_set(err, PERR_INVALID, "an indicator needs \"pattern\", \"pattern_type\" and \"valid_from\"");
    if (in_list(named_types, type) && !json_is_string(json_object_get(obj, "name")))
        return perr_set(err, PERR_INVALID, "a %s needs a \"name\"", type);
    if (check_refs(obj, 0, err) != 0)
        return -1;
    marking_tlp(obj, m);
    return readers(obj, m, err);
}
