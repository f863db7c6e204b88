/* checkpoint.c — tlog-checkpoint text. */
#include "tlog/checkpoint.h"

#include <inttypes.h>
#include <string.h>

#include "util/codec.h"

void checkpoint_format(const checkpoint *c, buf *out)
{
    buf_printf(out, "%s\n%" PRIu64 "\n", c->origin, c->size);
    buf_put_b64(out, c->root, MERKLE_HASH_BYTES);
    buf_putc(out, '\n');
}

int parse_decimal_u64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int checkpoint_parse(const char *text, size_t len, checkpoint *out, perr *err)
{
    memset(out, 0, sizeof *out);
    if (len == 0 || text[len - 1] != '\n')
        return perr_set(err, PERR_INVALID, "checkpoint: text must end with a newline");
    const char *line[3];
    size_t line_len[3];
    const char *p = text, *end = text + len;
    for (int i = 0; i < 3; i++) {
        const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        if (nl == NULL)
            return perr_set(err, PERR_INVALID, "checkpoint: needs origin, size and root lines");
        line[i] = p;
        line_len[i] = (size_t)(nl - p);
        p = nl + 1;
    }
    /* Extension lines are allowed but must not be empty. */
    for (const char *q = p; q < end;) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        if (nl == q)
            return perr_set(err, PERR_INVALID, "checkpoint: empty extension line");
        q = nl + 1;
    }
    if (line_len[0] == 0 || line_len[0] > CHECKPOINT_ORIGIN_MAX)
        return perr_set(err, PERR_INVALID, "checkpoint: bad origin line");
    memcpy(out->origin, line[0], line_len[0]);
    out->origin[line_len[0]] = '\0';
    if (parse_decimal_u64(line[1], line_len[1], &out->size) != 0 || out->size > MERKLE_MAX_SIZE)
        return perr_set(err, PERR_INVALID, "checkpoint: bad tree size line");
    size_t n = 0;
    if (b64_decode_public(out->root, MERKLE_HASH_BYTES, &n, line[2], line_len[2]) != 0 ||
        n != MERKLE_HASH_BYTES)
        return perr_set(err, PERR_INVALID, "checkpoint: root hash must be 32 bytes of base64");
    return 0;
}

int checkpoint_open(const char *note, size_t len, const notekey_verifier *log_key,
                    checkpoint *out, perr *err)
{
    note_opened opened;
    if (note_open(note, len, log_key, 1, &opened, err) != 0)
        return perr_wrap(err, "checkpoint ");
    if (checkpoint_parse(note, opened.text_len, out, err) != 0)
        return -1;
    if (strcmp(out->origin, log_key->name) != 0)
        return perr_set(err, PERR_SIGNATURE, "checkpoint: origin %s is not the log key's name %s",
                        out->origin, log_key->name);
    return 0;
}
