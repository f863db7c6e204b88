/* tile.c — tlog-tiles path syntax. */
#include "tlog/tile.h"

#include <string.h>

static int parse_index(const char *s, size_t len, uint64_t *out)
{
    /* Groups of "xDDD/" then a final "DDD". */
    uint64_t v = 0;
    size_t i = 0;
    int groups = 0;
    for (;;) {
        int more = i < len && s[i] == 'x';
        if (more)
            i++;
        if (i + 3 > len)
            return -1;
        for (int k = 0; k < 3; k++) {
            char c = s[i + (size_t)k];
            if (c < '0' || c > '9')
                return -1;
            if (v > (UINT64_MAX / 10))
                return -1;
            v = v * 10 + (uint64_t)(c - '0');
        }
        i += 3;
        if (++groups > 7)
            return -1;
        if (!more)
            break;
        if (i >= len || s[i] != '/')
            return -1;
        i++;
    }
    if (i != len)
        return -1;
    /* A leading "x000/" group is not the canonical spelling. */
    if (groups > 1 && s[1] == '0' && s[2] == '0' && s[3] == '0')
        return -1;
    *out = v;
    return 0;
}

int tile_parse_path(const char *path, tile_ref *out)
{
    memset(out, 0, sizeof *out);
    const char *p = path;
    if (strncmp(p, "entries/", 8) == 0) {
        out->level = TILE_LEVEL_ENTRIES;
        p += 8;
    } else if (p[0] >= '0' && p[0] <= '0' + TILE_MAX_LEVEL && p[1] == '/') {
        out->level = p[0] - '0';
        p += 2;
    } else {
        return -1;
    }
    const char *dot = strstr(p, ".p/");
    size_t index_len = dot ? (size_t)(dot - p) : strlen(p);
    if (parse_index(p, index_len, &out->index) != 0)
        return -1;
    out->width = TILE_WIDTH;
    if (dot) {
        const char *w = dot + 3;
        size_t wl = strlen(w);
        if (wl < 1 || wl > 3 || w[0] == '0')
            return -1;
        unsigned width = 0;
        for (size_t i = 0; i < wl; i++) {
            if (w[i] < '0' || w[i] > '9')
                return -1;
            width = width * 10 + (unsigned)(w[i] - '0');
        }
        if (width >= TILE_WIDTH)
            return -1;
        out->width = width;
    }
    return 0;
}

void tile_format_path(const tile_ref *t, buf *out)
{
    buf_puts(out, "tile/");
    if (t->level == TILE_LEVEL_ENTRIES)
        buf_puts(out, "entries/");
    else
        buf_printf(out, "%d/", t->level);
    char groups[8][4];
    int n = 0;
    uint64_t v = t->index;
    do {
        unsigned g = (unsigned)(v % 1000);
        groups[n][0] = (char)('0' + g / 100);
        groups[n][1] = (char)('0' + g / 10 % 10);
        groups[n][2] = (char)('0' + g % 10);
        groups[n][3] = '\0';
        n++;
        v /= 1000;
    } while (v > 0);
    for (int i = n - 1; i >= 0; i--)
        buf_printf(out, "%s%s%s", i > 0 ? "x" : "", groups[i], i > 0 ? "/" : "");
    if (t->width < TILE_WIDTH)
        buf_printf(out, ".p/%u", t->width);
}

unsigned tile_width_at(int level, uint64_t index, uint64_t size)
{
    unsigned shift = (unsigned)(level == TILE_LEVEL_ENTRIES ? 0 : level) * TILE_HEIGHT;
    if (shift >= 64)
        return 0;
    uint64_t hashes = size >> shift; /* complete nodes at this Merkle level */
    uint64_t first = index * TILE_WIDTH;
    if (index > UINT64_MAX / TILE_WIDTH || hashes <= first)
        return 0;
    uint64_t w = hashes - first;
    return w >= TILE_WIDTH ? TILE_WIDTH : (unsigned)w;
}
