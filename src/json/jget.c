/* jget.c — strict member access for our JSON formats. */
#include "json/jget.h"

#include <string.h>

#include "util/timefmt.h"

int jget_only(const json_t *j, const char *const *allowed, perr *err)
{
    if (!json_is_object(j))
        return perr_set(err, PERR_INVALID, "expected a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)j, key, v) {
        int known = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0)
                known = 1;
        if (!known)
            return perr_set(err, PERR_INVALID, "unexpected member \"%.64s\"", key);
    }
    return 0;
}

int jget_string(const json_t *j, const char *key, const char **out, perr *err)
{
    json_t *v = json_object_get(j, key);
    if (v == NULL)
        return perr_set(err, PERR_INVALID, "missing member \"%s\"", key);
    if (!json_is_string(v))
        return perr_set(err, PERR_INVALID, "member \"%s\" must be a string", key);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return perr_set(err, PERR_INVALID, "member \"%s\" contains NUL", key);
    *out = json_string_value(v);
    return 0;
}

int jget_string_opt(const json_t *j, const char *key, const char **out, perr *err)
{
    json_t *v = json_object_get(j, key);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    return jget_string(j, key, out, err);
}

int jget_uint(const json_t *j, const char *key, uint64_t max, uint64_t *out, perr *err)
{
    json_t *v = json_object_get(j, key);
    if (v == NULL)
        return perr_set(err, PERR_INVALID, "missing member \"%s\"", key);
    const uint64_t safe = (uint64_t)1 << 53;
    uint64_t u;
    /* A number read as a double (see jcs_parse) counts when it is integral. */
    if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) <= (double)safe &&
        json_real_value(v) == (double)(uint64_t)json_real_value(v))
        u = (uint64_t)json_real_value(v);
    else if (json_is_integer(v) && json_integer_value(v) >= 0)
        u = (uint64_t)json_integer_value(v);
    else
        return perr_set(err, PERR_INVALID, "member \"%s\" must be a non-negative integer", key);
    if (u > max || u > safe)
        return perr_set(err, PERR_INVALID, "member \"%s\" is out of range", key);
    *out = u;
    return 0;
}

int jget_array(const json_t *j, const char *key, json_t **out, perr *err)
{
    json_t *v = json_object_get(j, key);
    if (v == NULL)
        return perr_set(err, PERR_INVALID, "missing member \"%s\"", key);
    if (!json_is_array(v))
        return perr_set(err, PERR_INVALID, "member \"%s\" must be an array", key);
    *out = v;
    return 0;
}

int jget_object(const json_t *j, const char *key, json_t **out, perr *err)
{
    json_t *v = json_object_get(j, key);
    if (v == NULL)
        return perr_set(err, PERR_INVALID, "missing member \"%s\"", key);
    if (!json_is_object(v))
        return perr_set(err, PERR_INVALID, "member \"%s\" must be an object", key);
    *out = v;
    return 0;
}

json_t *jtime_ms(int64_t ms)
{
    if (ms == 0)
        return json_null();
    char t[TIMEFMT_MAX];
    timefmt_format_ms(t, ms);
    return json_string(t);
}
