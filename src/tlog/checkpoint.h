/* checkpoint.h — C2SP tlog-checkpoint note text:
 *   <origin>\n<tree size in decimal>\n<base64 root hash>\n[<extension line>\n…]
 * and opening a signed checkpoint against the log's verifier key, whose name
 * must equal the origin. */
#ifndef PARLEY_CHECKPOINT_H
#define PARLEY_CHECKPOINT_H

#include <stdint.h>

#include "tlog/merkle.h"
#include "tlog/note.h"

#define CHECKPOINT_ORIGIN_MAX NOTEKEY_NAME_MAX

typedef struct checkpoint {
    char origin[CHECKPOINT_ORIGIN_MAX + 1];
    uint64_t size;
    merkle_hash root;
} checkpoint;

void checkpoint_format(const checkpoint *c, buf *out);
int checkpoint_parse(const char *text, size_t len, checkpoint *out, perr *err);
/* Verifies the note with the log key (and any extra keys, e.g. witnesses) and
 * parses its text. The origin must be the log key's name. */
int checkpoint_open(const char *note, size_t len, const notekey_verifier *log_key,
                    checkpoint *out, perr *err);
/* Parses a decimal uint64 without sign, leading zeros or overflow. */
int parse_decimal_u64(const char *s, size_t len, uint64_t *out);

#endif
