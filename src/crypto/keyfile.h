/* keyfile.h — a participant's key pair files.
 *   secret file (mode 0600): {"participant": ID, "signer": "PRIVATE+KEY+…",
 *                              "box_secret": base64 X25519 secret key}
 *   public file:             {"participant": ID, "verifier": "ID+keyid+…",
 *                              "box_public": base64 X25519 public key}
 * The Ed25519 key (signatures) and the X25519 key (payload sealing) are
 * independent, so either can be rotated alone. The signing key's name is the
 * participant id. */
#ifndef PARLEY_KEYFILE_H
#define PARLEY_KEYFILE_H

#include <jansson.h>
#include <stdint.h>

#include "crypto/notekey.h"
#include "util/ident.h"

#define KEYFILE_BOX_BYTES 32
#define KEYFILE_MAX_SIZE 4096

typedef struct participant_public {
    char id[IDENT_PARTICIPANT_MAX + 1];
    notekey_verifier verifier;
    uint8_t box_pk[KEYFILE_BOX_BYTES];
} participant_public;

typedef struct participant_secret {
    char id[IDENT_PARTICIPANT_MAX + 1];
    notekey_signer signer;
    uint8_t box_pk[KEYFILE_BOX_BYTES];
    uint8_t box_sk[KEYFILE_BOX_BYTES];
} participant_secret;

int keyfile_generate(const char *id, participant_secret *out, perr *err);
void keyfile_public_of(const participant_secret *s, participant_public *out);
void keyfile_wipe(participant_secret *s);

/* Writes the secret file with mode 0600; refuses to overwrite. */
int keyfile_write_secret(const char *path, const participant_secret *s, perr *err);
int keyfile_write_public(const char *path, const participant_public *p, perr *err);
int keyfile_load_secret(const char *path, participant_secret *out, perr *err);
int keyfile_load_public(const char *path, participant_public *out, perr *err);

/* A signed-note signer key file (one line, PRIVATE+KEY+…): the node's and the admin's keys. */
int keyfile_load_signer(const char *path, notekey_signer *out, perr *err);

json_t *keyfile_public_to_json(const participant_public *p);
int keyfile_public_from_json(const json_t *j, participant_public *out, perr *err);

#endif
