/* jcs.c — RFC 8785 canonical serialisation. */
#include "json/jcs.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Walks a UTF-8 string as UTF-16 code units. jansson guarantees valid UTF-8. */
typedef struct {
    const unsigned char *p;
    unsigned pending_low;
} utf16_iter;

static unsigned utf16_next(utf16_iter *it)
{
    if (it->pending_low) {
        unsigned u = it->pending_low;
        it->pending_low = 0;
        return u;
    }
    const unsigned char *p = it->p;
    unsigned cp;
    if (p[0] == 0)
        return 0;
    if (p[0] < 0x80) {
        cp = p[0];
        it->p += 1;
    } else if ((p[0] & 0xe0) == 0xc0) {
        cp = (unsigned)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
        it->p += 2;
    } else if ((p[0] & 0xf0) == 0xe0) {
        cp = (unsigned)(p[0] & 0x0f) << 12 | (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
        it->p += 3;
    } else {
        cp = (unsigned)(p[0] & 0x07) << 18 | (unsigned)(p[1] & 0x3f) << 12 |
             (unsigned)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
        it->p += 4;
    }
    if (cp >= 0x10000) {
        cp -= 0x10000;
        it->pending_low = 0xdc00 + (cp & 0x3ff);
        return 0xd800 + (cp >> 10);
    }
    /* A code unit of value 0 cannot occur here: keys with NUL are rejected. */
    return cp;
}

int jcs_compare_keys(const char *a, const char *b)
{
    utf16_iter ia = {(const unsigned char *)a, 0}, ib = {(const unsigned char *)b, 0};
    for (;;) {
        unsigned ua = utf16_next(&ia), ub = utf16_next(&ib);
        if (ua != ub)
            return ua < ub ? -1 : 1;
        if (ua == 0)
            return 0;
    }
}

int jcs_format_number(double v, char out[32])
{
    if (!isfinite(v))
        return -1;
    if (v == 0) {
        strcpy(out, "0");
        return 0;
    }
    char *o = out;
    if (v < 0) {
        *o++ = '-';
        v = -v;
    }
    /* Below 2^53 an integral double is its own shortest form: plain digits. */
    if (v < 9007199254740992.0 && v == (double)(uint64_t)v) {
        char rev[20];
        int k = 0;
        for (uint64_t i = (uint64_t)v; i; i /= 10)
            rev[k++] = (char)('0' + i % 10);
        while (k)
            *o++ = rev[--k];
        *o = '\0';
        return 0;
    }
    /* Shortest decimal that reads back as the same double. */
    char sci[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(sci, sizeof sci, "%.*e", prec - 1, v);
        if (strtod(sci, NULL) == v)
            break;
    }
    char digits[20];
    int k = 0;
    const char *s = sci;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            digits[k++] = *s;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = '\0';
    int n = atoi(s + 1) + 1; /* position of the decimal point, as in ECMA-262 */

    if (k <= n && n <= 21) {
        memcpy(o, digits, (size_t)k);
        o += k;
        for (int i = 0; i < n - k; i++)
            *o++ = '0';
    } else if (0 < n && n <= 21) {
        memcpy(o, digits, (size_t)n);
        o += n;
        *o++ = '.';
        memcpy(o, digits + n, (size_t)(k - n));
        o += k - n;
    } else if (-6 < n && n <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -n; i++)
            *o++ = '0';
        memcpy(o, digits, (size_t)k);
        o += k;
    } else {
        *o++ = digits[0];
        if (k > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)(k - 1));
            o += k - 1;
        }
        o += sprintf(o, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
    *o = '\0';
    return 0;
}

void jcs_put_string(buf *out, const char *s, size_t len)
{
    buf_putc(out, '"');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char tmp[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\t': esc = "\\t"; break;
        case '\n': esc = "\\n"; break;
        case '\f': esc = "\\f"; break;
        case '\r': esc = "\\r"; break;
        default:
            if (c < 0x20) {
                snprintf(tmp, sizeof tmp, "\\u%04x", c);
                esc = tmp;
            }
        }
        if (esc) {
            buf_append(out, s + i - run, run);
            run = 0;
            buf_puts(out, esc);
        } else {
            run++;
        }
    }
    buf_append(out, s + len - run, run);
    buf_putc(out, '"');
}

static int key_cmp(const void *a, const void *b)
{
    return jcs_compare_keys(*(const char *const *)a, *(const char *const *)b);
}

int jcs_serialize(const json_t *v, buf *out, perr *err)
{
    char num[32];
    switch (json_typeof(v)) {
    case JSON_NULL: buf_puts(out, "null"); break;
    case JSON_TRUE: buf_puts(out, "true"); break;
    case JSON_FALSE: buf_puts(out, "false"); break;
    case JSON_INTEGER:
        jcs_format_number((double)json_integer_value(v), num);
        buf_puts(out, num);
        break;
    case JSON_REAL:
        if (jcs_format_number(json_real_value(v), num) != 0)
            return perr_set(err, PERR_INVALID, "number is not finite");
        buf_puts(out, num);
        break;
    case JSON_STRING: jcs_put_string(out, json_string_value(v), json_string_length(v)); break;
    case JSON_ARRAY: {
        buf_putc(out, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                buf_putc(out, ',');
            if (jcs_serialize(json_array_get(v, i), out, err) != 0)
                return -1;
        }
        buf_putc(out, ']');
        break;
    }
    case JSON_OBJECT: {
        size_t n = json_object_size(v);
        const char **keys = malloc((n ? n : 1) * sizeof *keys);
        if (keys == NULL)
            return perr_set(err, PERR_INTERNAL, "out of memory");
        size_t i = 0;
        const char *key;
        json_t *member;
        json_object_foreach((json_t *)v, key, member) keys[i++] = key;
        qsort(keys, n, sizeof *keys, key_cmp);
        buf_putc(out, '{');
        for (i = 0; i < n; i++) {
            if (i)
                buf_putc(out, ',');
            jcs_put_string(out, keys[i], strlen(keys[i]));
            buf_putc(out, ':');
            if (jcs_serialize(json_object_get(v, keys[i]), out, err) != 0) {
                free(keys);
                return -1;
            }
        }
        buf_putc(out, '}');
        free(keys);
        break;
    }
    }
    if (out->failed)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    return 0;
}

char *jcs_dumps(const json_t *v, size_t *len, perr *err)
{
    buf b;
    buf_init(&b);
    if (jcs_serialize(v, &b, err) != 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b, len);
}

json_t *jcs_parse(const char *text, size_t len, perr *err)
{
    json_error_t jerr;
    json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    /* JCS numbers are doubles: an integer beyond int64 (which JCS itself
     * prints for doubles up to 1e21) is read as a double, like every number. */
    if (v == NULL && json_error_code(&jerr) == json_error_numeric_overflow &&
        strstr(jerr.text, "integer"))
        v = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &jerr);
    if (v == NULL)
        perr_set(err, PERR_INVALID, "bad JSON at line %d column %d: %s", jerr.line,
                 jerr.column, jerr.text);
    return v;
}
