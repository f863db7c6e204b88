/* fuzz_receipt.c — libFuzzer target: receipt parsing and verification, and
 * inclusion/consistency verification on arbitrary proofs. */
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "log/receipt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static notekey_verifier log_key;
    static int ready;
    if (!ready) {
        ready = sodium_init() >= 0;
        notekey_parse_verifier("parley.example/shared-log+03c710d8+Adu6osFKKVFD3riE4hfuKwZlWgeGlJlW7VaZN40a1ek+", &log_key, NULL);
    }
    perr err;
    receipt_info info;
    if (receipt_verify((const char *)data, size, &log_key, NULL, &info, &err) == 0)
        receipt_info_free(&info);
    /* Raw bytes as sizes, hashes and a proof. */
    if (size >= 16 + 64) {
        uint64_t a, b;
        memcpy(&a, data, 8);
        memcpy(&b, data + 8, 8);
        const uint8_t *h1 = data + 16, *h2 = data + 48;
        size_t n = (size - 80) / 32;
        if (n > MERKLE_MAX_PROOF + 2)
            n = MERKLE_MAX_PROOF + 2;
        merkle_hash proof[MERKLE_MAX_PROOF + 2];
        memcpy(proof, data + 80, n * 32);
        merkle_verify_inclusion(h1, a % 4096, b % 8192, proof, n, h2, &err);
        merkle_verify_consistency(a, b, h1, h2, proof, n, &err);
    }
    return 0;
}
