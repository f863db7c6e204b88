/* codec.c — strict hex and base64. Secrets are base64-decoded by libsodium
 * in constant time; public data (signatures, ciphertext, payloads) by a
 * table-driven decoder accepting exactly the same strings. */
#include "util/codec.h"

#include <sodium.h>

static const char hex_digits[] = "0123456789abcdef";

void hex_encode(char *out, const uint8_t *in, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex_digits[in[i] >> 4];
        out[2 * i + 1] = hex_digits[in[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int hex_decode(uint8_t *out, size_t len, const char *in)
{
    for (size_t i = 0; i < len; i++) {
        if (in[2 * i] == '\0' || in[2 * i + 1] == '\0')
            return -1;
        int hi = hex_value(in[2 * i]);
        int lo = hex_value(in[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return in[2 * len] == '\0' ? 0 : -1;
}

size_t b64_encoded_size(size_t n)
{
    return sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
}

void b64_encode(char *out, size_t out_size, const uint8_t *in, size_t len)
{
    sodium_bin2base64(out, out_size, in, len, sodium_base64_VARIANT_ORIGINAL);
}

int b64_decode(uint8_t *out, size_t max, size_t *out_len, const char *in, size_t in_len)
{
    const char *end = NULL;
    size_t n = 0;
    /* libsodium 1.0.18 reads any byte >= 0x80 as a base64 digit, so "\xc3\xa9"
     * could stand for two real digits; refuse them without branching per byte. */
    unsigned char high = 0;
    for (size_t i = 0; i < in_len; i++)
        high |= (unsigned char)in[i];
    if (high & 0x80)
        return -1;
    if (sodium_base642bin(out, max, in, in_len, NULL, &n, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    if (end != in + in_len)
        return -1;
    *out_len = n;
    return 0;
}

/* Value of each base64 character plus one; 0 for a character outside the alphabet. */
static const uint8_t b64_value[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
    ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
    ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

int b64_decode_public(uint8_t *out, size_t max, size_t *out_len, const char *in, size_t in_len)
{
    if (in_len % 4 != 0)
        return -1;
    size_t pad = in_len > 0 && in[in_len - 1] == '=' ? (in[in_len - 2] == '=' ? 2 : 1) : 0;
    size_t n = in_len / 4 * 3 - pad;
    if (n > max)
        return -1;
    const unsigned char *p = (const unsigned char *)in;
    size_t o = 0;
    for (size_t i = 0; i < in_len; i += 4) {
        int last = i + 4 == in_len;
        unsigned a = b64_value[p[i]], b = b64_value[p[i + 1]];
        unsigned c = last && pad == 2 ? 1 : b64_value[p[i + 2]];
        unsigned d = last && pad >= 1 ? 1 : b64_value[p[i + 3]];
        if (a == 0 || b == 0 || c == 0 || d == 0)
            return -1;
        uint32_t v = (a - 1) << 18 | (b - 1) << 12 | (c - 1) << 6 | (d - 1);
        out[o++] = (uint8_t)(v >> 16);
        if (last && pad == 2) {
            if (v & 0xffff) /* bits past the last byte must be zero (canonical form) */
                return -1;
            break;
        }
        out[o++] = (uint8_t)(v >> 8);
        if (last && pad == 1) {
            if (v & 0xff)
                return -1;
            break;
        }
        out[o++] = (uint8_t)v;
    }
    *out_len = n;
    return 0;
}
