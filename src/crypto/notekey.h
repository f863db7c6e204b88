/* notekey.h — Ed25519 keys in the C2SP signed-note text forms.
 *   verifier: <name>+<8 hex key ID>+<base64(type || 32-byte public key)>
 *   signer:   PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x01 || 32-byte seed)>
 * Key ID = first 4 bytes (big-endian) of SHA-256(name || "\n" || type || key).
 * Type 0x01 signs notes; type 0x04 (tlog-cosignature/v1) cosigns checkpoints.
 * Parsing checks that the stated key ID matches the one computed, so a key
 * text can't be mislabelled. */
#ifndef PARLEY_NOTEKEY_H
#define PARLEY_NOTEKEY_H

#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

#define NOTEKEY_NAME_MAX 128
#define NOTEKEY_PUBLIC_BYTES 32
#define NOTEKEY_SECRET_BYTES 64
#define NOTEKEY_SEED_BYTES 32
#define NOTEKEY_SIG_BYTES 64
#define NOTEKEY_TYPE_ED25519 0x01
#define NOTEKEY_TYPE_COSIGNATURE 0x04

typedef struct notekey_verifier {
    char name[NOTEKEY_NAME_MAX + 1];
    uint8_t type;
    uint32_t id;
    uint8_t pk[NOTEKEY_PUBLIC_BYTES];
} notekey_verifier;

typedef struct notekey_signer {
    char name[NOTEKEY_NAME_MAX + 1];
    uint32_t id;
    uint8_t pk[NOTEKEY_PUBLIC_BYTES];
    uint8_t sk[NOTEKEY_SECRET_BYTES];
} notekey_signer;

/* Names are non-empty UTF-8 with no spaces, '+' or control characters. */
int notekey_valid_name(const char *name);
uint32_t notekey_id(const char *name, uint8_t type, const uint8_t pk[NOTEKEY_PUBLIC_BYTES]);

int notekey_generate(const char *name, notekey_signer *out, perr *err);
int notekey_from_seed(const char *name, const uint8_t seed[NOTEKEY_SEED_BYTES],
                      notekey_signer *out, perr *err);
void notekey_signer_public(const notekey_signer *s, notekey_verifier *out);
/* Wipes the secret key. */
void notekey_signer_wipe(notekey_signer *s);

int notekey_parse_verifier(const char *text, notekey_verifier *out, perr *err);
int notekey_parse_signer(const char *text, notekey_signer *out, perr *err);
void notekey_format_verifier(const notekey_verifier *v, buf *out);
void notekey_format_signer(const notekey_signer *s, buf *out);

void notekey_sign(const notekey_signer *s, const void *msg, size_t len,
                  uint8_t sig[NOTEKEY_SIG_BYTES]);
/* 0 if the signature verifies with the verifier's public key. */
int notekey_verify(const notekey_verifier *v, const void *msg, size_t len,
                   const uint8_t sig[NOTEKEY_SIG_BYTES]);

#endif
