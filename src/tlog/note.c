/* note.c — signing and opening C2SP signed notes. */
#include "tlog/note.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/codec.h"

static const char sig_prefix[] = "\xe2\x80\x94 "; /* U+2014 em dash, space */
#define SIG_PREFIX_LEN 4
#define COSIG_BYTES (8 + NOTEKEY_SIG_BYTES)

/* UTF-8, and no control characters other than newline. */
static int valid_note_chars(const unsigned char *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        int n;
        uint32_t cp;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n') || c == 0x7f)
                return 0;
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0) { n = 2; cp = c & 0x1f; }
        else if ((c & 0xf0) == 0xe0) { n = 3; cp = c & 0x0f; }
        else if ((c & 0xf8) == 0xf0) { n = 4; cp = c & 0x07; }
        else return 0;
        if (i + (size_t)n > len)
            return 0;
        for (int k = 1; k < n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += (size_t)n;
    }
    return 1;
}

static int valid_text(const char *text, size_t len)
{
    if (len == 0 || text[len - 1] != '\n' || len > NOTE_MAX_BYTES)
        return 0;
    if (memmem(text, len, "\n\n", 2) != NULL || text[0] == '\n')
        return 0;
    return valid_note_chars((const unsigned char *)text, len);
}

static void put_sig_line(buf *out, const char *name, uint32_t id, const uint8_t *sig, size_t n)
{
    uint8_t raw[4 + COSIG_BYTES];
    raw[0] = (uint8_t)(id >> 24);
    raw[1] = (uint8_t)(id >> 16);
    raw[2] = (uint8_t)(id >> 8);
    raw[3] = (uint8_t)id;
    memcpy(raw + 4, sig, n);
    buf_puts(out, sig_prefix);
    buf_puts(out, name);
    buf_putc(out, ' ');
    buf_put_b64(out, raw, 4 + n);
    buf_putc(out, '\n');
}

int note_sign(const char *text, size_t len, const notekey_signer *signers, size_t nsigners,
              buf *out, perr *err)
{
    if (!valid_text(text, len))
        return perr_set(err, PERR_INVALID, "note text must be UTF-8 lines ending in a newline");
    buf_append(out, text, len);
    buf_putc(out, '\n');
    for (size_t i = 0; i < nsigners; i++) {
        uint8_t sig[NOTEKEY_SIG_BYTES];
        notekey_sign(&signers[i], text, len, sig);
        put_sig_line(out, signers[i].name, signers[i].id, sig, sizeof sig);
    }
    return out->failed ? perr_set(err, PERR_INTERNAL, "out of memory") : 0;
}

static void cosigned_message(buf *m, const char *text, size_t len, uint64_t t)
{
    buf_printf(m, "cosignature/v1\ntime %" PRIu64 "\n", t);
    buf_append(m, text, len);
}

void note_cosigner_verifier(const notekey_signer *witness, notekey_verifier *out)
{
    notekey_signer_public(witness, out);
    out->type = NOTEKEY_TYPE_COSIGNATURE;
    out->id = notekey_id(out->name, NOTEKEY_TYPE_COSIGNATURE, out->pk);
}

int note_cosign(const char *text, size_t len, const notekey_signer *witness, uint64_t timestamp,
                buf *line_out, perr *err)
{
    if (!valid_text(text, len))
        return perr_set(err, PERR_INVALID, "note text must be UTF-8 lines ending in a newline");
    buf m;
    buf_init(&m);
    cosigned_message(&m, text, len, timestamp);
    uint8_t sig[COSIG_BYTES];
    for (int i = 0; i < 8; i++)
        sig[i] = (uint8_t)(timestamp >> (56 - 8 * i));
    notekey_sign(witness, m.data, m.len, sig + 8);
    buf_free(&m);
    notekey_verifier v;
    note_cosigner_verifier(witness, &v);
    put_sig_line(line_out, v.name, v.id, sig, sizeof sig);
    return 0;
}

static int verify_one(const notekey_verifier *key, const char *text, size_t text_len,
                      const uint8_t *sig, size_t sig_len, uint64_t *cosigned_at)
{
    *cosigned_at = 0;
    if (key->type == NOTEKEY_TYPE_ED25519) {
        if (sig_len != NOTEKEY_SIG_BYTES)
            return -1;
        return notekey_verify(key, text, text_len, sig);
    }
    if (sig_len != COSIG_BYTES)
        return -1;
    uint64_t t = 0;
    for (int i = 0; i < 8; i++)
        t = t << 8 | sig[i];
    buf m;
    buf_init(&m);
    cosigned_message(&m, text, text_len, t);
    int rc = m.failed ? -1 : notekey_verify(key, m.data, m.len, sig + 8);
    buf_free(&m);
    *cosigned_at = t;
    return rc;
}

int note_open(const char *msg, size_t len, const notekey_verifier *keys, size_t nkeys,
              note_opened *out, perr *err)
{
    memset(out, 0, sizeof *out);
    if (len > NOTE_MAX_BYTES)
        return perr_set(err, PERR_TOO_LARGE, "note: larger than %d bytes", NOTE_MAX_BYTES);
    if (!valid_note_chars((const unsigned char *)msg, len))
        return perr_set(err, PERR_INVALID, "note: not UTF-8 text without control characters");
    /* The signature block follows the last blank line. */
    const char *split = NULL;
    for (const char *p = msg; (p = memmem(p, len - (size_t)(p - msg), "\n\n", 2)) != NULL; p++)
        split = p;
    if (split == NULL)
        return perr_set(err, PERR_INVALID, "note: no blank line before the signatures");
    size_t text_len = (size_t)(split - msg) + 1;
    const char *sigs = split + 2, *end = msg + len;
    if (sigs == end || end[-1] != '\n')
        return perr_set(err, PERR_INVALID, "note: signature block must end with a newline");

    unsigned char seen[NOTE_MAX_SIGNATURES] = {0};
    size_t nsigs = 0;
    while (sigs < end) {
        const char *nl = memchr(sigs, '\n', (size_t)(end - sigs));
        size_t line_len = (size_t)(nl - sigs);
        if (line_len < SIG_PREFIX_LEN || memcmp(sigs, sig_prefix, SIG_PREFIX_LEN) != 0)
            return perr_set(err, PERR_INVALID, "note: signature line must start with an em dash and a space");
        const char *name = sigs + SIG_PREFIX_LEN;
        const char *space = memchr(name, ' ', (size_t)(nl - name));
        if (space == NULL || (size_t)(space - name) > NOTEKEY_NAME_MAX)
            return perr_set(err, PERR_INVALID, "note: malformed signature line");
        char kname[NOTEKEY_NAME_MAX + 1];
        memcpy(kname, name, (size_t)(space - name));
        kname[space - name] = '\0';
        uint8_t raw[4 + COSIG_BYTES + 64];
        size_t raw_len = 0;
        if (!notekey_valid_name(kname) ||
            b64_decode_public(raw, sizeof raw, &raw_len, space + 1, (size_t)(nl - space - 1)) != 0 ||
            raw_len < 5)
            return perr_set(err, PERR_INVALID, "note: malformed signature line for %s", kname);
        if (++nsigs > NOTE_MAX_SIGNATURES)
            return perr_set(err, PERR_INVALID, "note: more than %d signatures", NOTE_MAX_SIGNATURES);
        uint32_t id = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
        sigs = nl + 1;
        for (size_t k = 0; k < nkeys && k < NOTE_MAX_SIGNATURES; k++) {
            if (keys[k].id != id || strcmp(keys[k].name, kname) != 0)
                continue;
            if (seen[k])
                break;
            seen[k] = 1;
            uint64_t t;
            if (verify_one(&keys[k], msg, text_len, raw + 4, raw_len - 4, &t) != 0)
                return perr_set(err, PERR_SIGNATURE, "note: signature by %s+%08x does not verify",
                                kname, (unsigned)id);
            out->key_index[out->verified] = k;
            out->cosigned_at[out->verified] = t;
            out->verified++;
            break;
        }
    }
    if (out->verified == 0)
        return perr_set(err, PERR_UNKNOWN_KEY, "note: no signature by a known key");
    out->text_len = text_len;
    return 0;
}
