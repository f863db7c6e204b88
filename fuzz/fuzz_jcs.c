/* fuzz_jcs.c — libFuzzer target: canonical JSON. Canonicalisation must be
 * idempotent: JCS(parse(JCS(x))) == JCS(x). Also the key-file and public-key
 * JSON readers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keyfile.h"
#include "json/jcs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    perr err;
    json_t *v = jcs_parse((const char *)data, size, &err);
    if (v == NULL)
        return 0;
    size_t n1, n2;
    char *c1 = jcs_dumps(v, &n1, &err);
    if (c1) {
        json_t *v2 = jcs_parse(c1, n1, &err);
        if (v2 == NULL)
            abort();
        char *c2 = jcs_dumps(v2, &n2, &err);
        if (c2 == NULL || n1 != n2 || memcmp(c1, c2, n1) != 0)
            abort();
        free(c2);
        json_decref(v2);
        free(c1);
    }
    participant_public p;
    keyfile_public_from_json(v, &p, &err);
    json_decref(v);
    return 0;
}
