/* testutil.h — helpers shared by the cmocka unit tests: locating the
 * known-answer vectors in ../shared/vectors (override with PARLEY_VECTORS)
 * and decoding their hex fields. */
#ifndef PARLEY_TESTUTIL_H
#define PARLEY_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "util/codec.h"
#include "util/fileio.h"

static inline const char *vectors_dir(void)
{
    const char *d = getenv("PARLEY_VECTORS");
    return d ? d : "../shared/vectors";
}

static inline char *vector_path(const char *rel)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", vectors_dir(), rel);
    return path;
}

static inline json_t *load_vector_json(const char *rel)
{
    json_error_t e;
    json_t *j = json_load_file(vector_path(rel), 0, &e);
    if (j == NULL)
        fail_msg("cannot load %s: %s", vector_path(rel), e.text);
    return j;
}

static inline void hex32(const char *hex, uint8_t out[32])
{
    assert_int_equal(hex_decode(out, 32, hex), 0);
}

static inline int init_sodium(void **state)
{
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

#endif
