/* fuzz_envelope.c — libFuzzer target: envelope parsing and verification (the
 * body of POST /api/v1/entries), in both wire and leaf form. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envelope/envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready)
        ready = sodium_init() >= 0;
    perr err;
    envelope e;
    for (int form = ENVELOPE_WITH_PAYLOAD; form <= ENVELOPE_LEAF_ONLY; form++) {
        if (envelope_parse((const char *)data, size, form, &e, &err) == 0) {
            size_t len;
            char *leaf = envelope_leaf(&e, &len, &err);
            envelope back;
            /* A leaf that parsed must re-parse as a leaf. */
            if (leaf == NULL || envelope_parse(leaf, len, ENVELOPE_LEAF_ONLY, &back, &err) != 0)
                abort();
            envelope_free(&back);
            free(leaf);
            envelope_free(&e);
        }
    }
    return 0;
}
