/* keyfile.c — participant key files. */
#include "crypto/keyfile.h"

#include <sodium.h>
#include <string.h>
#include <sys/stat.h>

#include "json/jcs.h"
#include "json/jget.h"
#include "util/buf.h"
#include "util/codec.h"
#include "util/fileio.h"

int keyfile_generate(const char *id, participant_secret *out, perr *err)
{
    if (!ident_valid_participant(id))
        return perr_set(err, PERR_INVALID, "participant id %.40s must match [A-Za-z0-9-]{2,32}", id);
    memset(out, 0, sizeof *out);
    strcpy(out->id, id);
    if (notekey_generate(id, &out->signer, err) != 0)
        return -1;
    crypto_box_keypair(out->box_pk, out->box_sk);
    return 0;
}

void keyfile_public_of(const participant_secret *s, participant_public *out)
{
    memset(out, 0, sizeof *out);
    strcpy(out->id, s->id);
    notekey_signer_public(&s->signer, &out->verifier);
    memcpy(out->box_pk, s->box_pk, KEYFILE_BOX_BYTES);
}

void keyfile_wipe(participant_secret *s)
{
    sodium_memzero(s, sizeof *s);
}

static int write_json(const char *path, json_t *j, mode_t mode, perr *err)
{
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    if (text == NULL)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    size_t len = strlen(text);
    text[len] = '\0';
    buf b;
    buf_init(&b);
    buf_append(&b, text, len);
    buf_putc(&b, '\n');
    sodium_memzero(text, len);
    free(text);
    int rc = file_write_atomic(path, b.data, b.len, mode, 1, err);
    sodium_memzero(b.data, b.len);
    buf_free(&b);
    return rc;
}

int keyfile_write_secret(const char *path, const participant_secret *s, perr *err)
{
    buf signer, box;
    buf_init(&signer);
    buf_init(&box);
    notekey_format_signer(&s->signer, &signer);
    buf_put_b64(&box, s->box_sk, KEYFILE_BOX_BYTES);
    json_t *j = json_pack("{s:s, s:s, s:s}", "participant", s->id, "signer", signer.data,
                          "box_secret", box.data);
    sodium_memzero(signer.data, signer.len);
    sodium_memzero(box.data, box.len);
    buf_free(&signer);
    buf_free(&box);
    if (j == NULL)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    return write_json(path, j, 0600, err);
}

json_t *keyfile_public_to_json(const participant_public *p)
{
    buf v, box;
    buf_init(&v);
    buf_init(&box);
    notekey_format_verifier(&p->verifier, &v);
    buf_put_b64(&box, p->box_pk, KEYFILE_BOX_BYTES);
    json_t *j = json_pack("{s:s, s:s, s:s}", "participant", p->id, "verifier", v.data,
                          "box_public", box.data);
    buf_free(&v);
    buf_free(&box);
    return j;
}

int keyfile_write_public(const char *path, const participant_public *p, perr *err)
{
    json_t *j = keyfile_public_to_json(p);
    if (j == NULL)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    return write_json(path, j, 0644, err);
}

static int decode_box_key(const char *text, uint8_t out[KEYFILE_BOX_BYTES], perr *err)
{
    size_t n = 0;
    if (b64_decode(out, KEYFILE_BOX_BYTES, &n, text, strlen(text)) != 0 || n != KEYFILE_BOX_BYTES)
        return perr_set(err, PERR_INVALID, "X25519 key must be 32 bytes of base64");
    return 0;
}

int keyfile_public_from_json(const json_t *j, participant_public *out, perr *err)
{
    static const char *const fields[] = {"participant", "verifier", "box_public", NULL};
    const char *id, *verifier, *box;
    memset(out, 0, sizeof *out);
    if (jget_only(j, fields, err) != 0 || jget_string(j, "participant", &id, err) != 0 ||
        jget_string(j, "verifier", &verifier, err) != 0 ||
        jget_string(j, "box_public", &box, err) != 0)
        return -1;
    if (!ident_valid_participant(id))
        return perr_set(err, PERR_INVALID, "participant id must match [A-Za-z0-9-]{2,32}");
    strcpy(out->id, id);
    if (notekey_parse_verifier(verifier, &out->verifier, err) != 0)
        return -1;
    if (out->verifier.type != NOTEKEY_TYPE_ED25519 || strcmp(out->verifier.name, id) != 0)
        return perr_set(err, PERR_INVALID, "verifier key must be an Ed25519 key named %s", id);
    return decode_box_key(box, out->box_pk, err);
}

static json_t *load_json_file(const char *path, perr *err)
{
    size_t len;
    char *text = file_read(path, KEYFILE_MAX_SIZE, &len, err);
    if (text == NULL)
        return NULL;
    json_t *j = jcs_parse(text, len, err);
    sodium_memzero(text, len);
    free(text);
    if (j == NULL)
        perr_wrap(err, "%s: ", path);
    return j;
}

int keyfile_load_public(const char *path, participant_public *out, perr *err)
{
    json_t *j = load_json_file(path, err);
    if (j == NULL)
        return -1;
    int rc = keyfile_public_from_json(j, out, err);
    json_decref(j);
    return rc == 0 ? 0 : perr_wrap(err, "%s: ", path);
}

int keyfile_load_secret(const char *path, participant_secret *out, perr *err)
{
    static const char *const fields[] = {"participant", "signer", "box_secret", NULL};
    struct stat st;
    if (stat(path, &st) == 0 && (st.st_mode & 077) != 0)
        return perr_set(err, PERR_FORBIDDEN, "%s: secret key file must not be readable by others (chmod 600)", path);
    json_t *j = load_json_file(path, err);
    if (j == NULL)
        return -1;
    const char *id, *signer, *box;
    memset(out, 0, sizeof *out);
    int rc = 0;
    if (jget_only(j, fields, err) != 0 || jget_string(j, "participant", &id, err) != 0 ||
        jget_string(j, "signer", &signer, err) != 0 ||
        jget_string(j, "box_secret", &box, err) != 0)
        rc = -1;
    else if (!ident_valid_participant(id))
        rc = perr_set(err, PERR_INVALID, "participant id must match [A-Za-z0-9-]{2,32}");
    if (rc == 0) {
        strcpy(out->id, id);
        rc = notekey_parse_signer(signer, &out->signer, err);
    }
    if (rc == 0 && strcmp(out->signer.name, id) != 0)
        rc = perr_set(err, PERR_INVALID, "signer key name must be the participant id");
    if (rc == 0)
        rc = decode_box_key(box, out->box_sk, err);
    if (rc == 0)
        crypto_scalarmult_base(out->box_pk, out->box_sk);
    json_decref(j);
    if (rc != 0) {
        keyfile_wipe(out);
        return perr_wrap(err, "%s: ", path);
    }
    return 0;
}

int keyfile_load_signer(const char *path, notekey_signer *out, perr *err)
{
    size_t len;
    char *text = file_read_line(path, 4096, &len, err);
    if (text == NULL)
        return -1;
    int rc = notekey_parse_signer(text, out, err);
    sodium_memzero(text, len);
    free(text);
    return rc == 0 ? 0 : perr_wrap(err, "%s: ", path);
}
