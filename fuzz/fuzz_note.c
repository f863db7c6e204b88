/* fuzz_note.c — libFuzzer target: signed-note and checkpoint parsing, tile paths. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlog/checkpoint.h"
#include "tlog/tile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static notekey_verifier keys[2];
    static int ready;
    if (!ready) {
        ready = sodium_init() >= 0;
        notekey_parse_verifier("parley.example/shared-log+03c710d8+Adu6osFKKVFD3riE4hfuKwZlWgeGlJlW7VaZN40a1ek+", &keys[0], NULL);
        notekey_parse_verifier("witness.example/shared-w1+e16a864a+BDmeHrvJe/IU11++hER64nUpjaTYvdEiKGJoJUPVcTRe", &keys[1], NULL);
    }
    perr err;
    note_opened o;
    checkpoint c;
    note_open((const char *)data, size, keys, 2, &o, &err);
    checkpoint_parse((const char *)data, size, &c, &err);
    checkpoint_open((const char *)data, size, &keys[0], &c, &err);
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    tile_ref t;
    if (tile_parse_path(s, &t) == 0) {
        /* Parsing and formatting are inverse. */
        buf b;
        buf_init(&b);
        tile_format_path(&t, &b);
        if (strcmp(b.data + 5, s) != 0)
            abort();
        buf_free(&b);
    }
    notekey_verifier v;
    notekey_signer k;
    notekey_parse_verifier(s, &v, &err);
    if (notekey_parse_signer(s, &k, &err) == 0)
        notekey_signer_wipe(&k);
    free(s);
    return 0;
}
