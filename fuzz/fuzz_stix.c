/* fuzz_stix.c — libFuzzer target: STIX 2.1 validation of untrusted objects
 * (every JSON value in the input, and each member of an "objects" array),
 * and the timestamp parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/jcs.h"
#include "stix/stix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    perr err;
    stix_meta m;
    json_t *j = jcs_parse((const char *)data, size, &err);
    if (j) {
        stix_validate(j, &m, &err);
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(j, "objects"), i, o)
            stix_validate(o, &m, &err);
    }
    json_decref(j);
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t us;
    stix_time_us(s, &us);
    stix_tlp_of_marking(s);
    free(s);
    return 0;
}
