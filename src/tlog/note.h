/* note.h — C2SP signed-note: text, a blank line, and signature lines
 *   "— <key name> <base64(4-byte key ID || signature)>\n".
 * Verification follows the reference rules: the message must be UTF-8 with
 * no control characters but newline; signatures by unknown keys are ignored;
 * a known key whose signature fails rejects the note; a note with no verified
 * known signature is rejected. Ed25519 (type 0x01) keys sign the text;
 * tlog-cosignature/v1 (type 0x04) keys sign "cosignature/v1\ntime <t>\n" + text. */
#ifndef PARLEY_NOTE_H
#define PARLEY_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/notekey.h"
#include "util/buf.h"
#include "util/err.h"

#define NOTE_MAX_BYTES 65536
#define NOTE_MAX_SIGNATURES 100

typedef struct note_opened {
    size_t text_len;                      /* the signed text is msg[0:text_len] */
    size_t verified;                      /* how many known keys verified */
    size_t key_index[NOTE_MAX_SIGNATURES]; /* index into the keys array, per verified signature */
    uint64_t cosigned_at[NOTE_MAX_SIGNATURES]; /* timestamp of type-0x04 cosignatures, else 0 */
} note_opened;

/* text must be valid note text (ends in "\n", no blank line); appends
 * text + "\n" + one signature line per signer to out. */
int note_sign(const char *text, size_t len, const notekey_signer *signers, size_t nsigners,
              buf *out, perr *err);
/* A tlog-cosignature/v1 signature line made with an Ed25519 key. */
int note_cosign(const char *text, size_t len, const notekey_signer *witness, uint64_t timestamp,
                buf *line_out, perr *err);
/* The verifier key text of a witness's cosignature (type 0x04) key. */
void note_cosigner_verifier(const notekey_signer *witness, notekey_verifier *out);

int note_open(const char *msg, size_t len, const notekey_verifier *keys, size_t nkeys,
              note_opened *out, perr *err);

#endif
