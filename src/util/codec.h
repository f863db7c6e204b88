/* codec.h — hex and base64 text encodings of byte strings.
 * Decoders are strict so that a changed character never decodes to the same
 * bytes: hex is lowercase only, base64 is the standard alphabet with padding
 * and canonical trailing bits (libsodium enforces the latter). */
#ifndef PARLEY_CODEC_H
#define PARLEY_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* out must hold 2*len+1 bytes. */
void hex_encode(char *out, const uint8_t *in, size_t len);

/* Decodes exactly `len` bytes from a string of exactly 2*len lowercase hex digits. */
int hex_decode(uint8_t *out, size_t len, const char *in);

/* Bytes needed for base64 text of n bytes, including the terminating NUL. */
size_t b64_encoded_size(size_t n);
void b64_encode(char *out, size_t out_size, const uint8_t *in, size_t len);

/* Decodes all in_len characters; -1 if malformed or longer than max.
 * Constant-time (libsodium): for secrets. */
int b64_decode(uint8_t *out, size_t max, size_t *out_len, const char *in, size_t in_len);
/* The same strings and results as b64_decode, several times faster, with
 * time depending on the data: for public bytes only. */
int b64_decode_public(uint8_t *out, size_t max, size_t *out_len, const char *in, size_t in_len);

#endif
