/* codec.c — strict hex and base64 (base64 delegated to libsodium). */
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
    if (sodium_base642bin(out, max, in, in_len, NULL, &n, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    if (end != in + in_len)
        return -1;
    *out_len = n;
    return 0;
}
