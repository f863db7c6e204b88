/* fuzz_codec.c — libFuzzer target: the public-data base64 decoder against
 * libsodium's. Both must accept exactly the same strings and give the same
 * bytes; any difference aborts. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready)
        ready = sodium_init() >= 0;
    if (size == 0)
        return 0;
    /* The first byte picks the output bound, so too-long inputs are covered. */
    size_t max = data[0];
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    uint8_t *a = malloc(max + 1), *b = malloc(max + 1);
    size_t na = 0, nb = 0;
    int ra = b64_decode(a, max, &na, in, len);
    int rb = b64_decode_public(b, max, &nb, in, len);
    if (ra != rb || (ra == 0 && (na != nb || memcmp(a, b, na) != 0)))
        abort();
    free(a);
    free(b);
    return 0;
}
