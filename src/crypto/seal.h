/* seal.h — end-to-end encryption of a message payload for its readers.
 *
 * A random 256-bit content key encrypts the plaintext once with
 * XChaCha20-Poly1305 (IETF); the content key is sealed (crypto_box_seal) to
 * each reader's X25519 public key. The additional data binds the ciphertext
 * to the message id, so it cannot be replayed inside another message.
 *
 * The payload bytes (what the envelope hashes and the node stores) are binary,
 * so the ciphertext is not base64-encoded twice on its way through the
 * envelope (base64 is applied once, by the envelope's JSON):
 *   "parley-seal/v2\n"                     format id (also opens the AD)
 *   0x01                                    sealed
 *   nonce[24]
 *   count[2]                                readers, big-endian, 1..256
 *   count x ( len[1] id[len] key[80] )      ids strictly ascending (bytewise)
 *   ciphertext[>= 16]                       the rest
 * A TLP:CLEAR payload may instead be carried in the clear:
 *   "parley-seal/v2\n" 0x00 content
 * One reader set has one encoding; the node can check the form and see who
 * holds a key, never the content. */
#ifndef PARLEY_SEAL_H
#define PARLEY_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/keyfile.h"
#include "util/buf.h"
#include "util/err.h"

#define SEAL_MAX_READERS 256
#define SEAL_KEY_BYTES 32

typedef struct seal_reader {
    const char *id;
    const uint8_t *box_pk; /* KEYFILE_BOX_BYTES */
} seal_reader;

typedef struct seal_info {
    int encrypted;
    size_t nreaders;
    char readers[SEAL_MAX_READERS][IDENT_PARTICIPANT_MAX + 1];
} seal_info;

/* Encrypts plaintext for the readers; appends the payload bytes to out. */
int seal_payload(const uint8_t *plain, size_t len, const char *message_id, const seal_reader *readers,
                 size_t nreaders, buf *out, perr *err);
/* The clear form, for TLP:CLEAR only. */
int seal_clear(const uint8_t *plain, size_t len, buf *out, perr *err);
/* Checks the form of untrusted payload bytes and lists the key holders. */
int seal_inspect(const uint8_t *payload, size_t len, seal_info *info, perr *err);
/* Decrypts with the reader's key pair; appends the plaintext to out. */
int seal_open(const uint8_t *payload, size_t len, const char *message_id, const char *reader_id,
              const uint8_t box_pk[KEYFILE_BOX_BYTES], const uint8_t box_sk[KEYFILE_BOX_BYTES],
              buf *out, perr *err);

#endif
