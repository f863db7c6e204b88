/* fuzz_hotline.c — libFuzzer target for the hotline's parsers of untrusted
 * input: log leaves of either form (envelope or statement), the bodies of
 * admin statements, and sealed payloads (inspection and opening). */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/seal.h"
#include "envelope/record.h"
#include "hotline/directory.h"
#include "json/jcs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t pk[32], sk[32];
    static int ready;
    if (!ready) {
        ready = sodium_init() >= 0;
        memset(sk, 7, sizeof sk);
        crypto_scalarmult_base(pk, sk);
    }
    perr err;
    record r;
    if (record_parse_leaf((const char *)data, size, &r, &err) == 0)
        record_free(&r);
    json_t *j = jcs_parse((const char *)data, size, &err);
    if (j && json_is_object(j)) {
        store_participant *p = malloc(sizeof *p);
        group_policy *g = malloc(sizeof *g);
        directory_parse_participant(j, p, &err);
        directory_parse_group(j, g, &err);
        free(p);
        free(g);
    }
    json_decref(j);
    seal_info *info = malloc(sizeof *info);
    seal_inspect(data, size, info, &err);
    free(info);
    buf out;
    buf_init(&out);
    seal_open(data, size, "01a20739-c0d5-7129-8eb6-f6368ac4ece9", "US", pk, sk, &out, &err);
    buf_free(&out);
    return 0;
}
