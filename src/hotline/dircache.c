/* dircache.c — in-memory participants, group policies and credential hashes
 * (rules in dircache.h). Small fixed tables of the same shape, replaced
 * round-robin: a working group has a few dozen participants and a handful of
 * groups. A reader handle is borrowed only to load a missing entry. */
#include "hotline/dircache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define DIRCACHE_SLOTS 32
#define DIRCACHE_KEY_MAX IDENT_GROUP_MAX /* the longer of the two id kinds */

typedef int (*load_fn)(store *reader, const char *id, void *out, perr *err);

typedef struct table {
    size_t value_size;
    unsigned next;
    uint64_t gen[DIRCACHE_SLOTS]; /* 0: empty */
    char id[DIRCACHE_SLOTS][DIRCACHE_KEY_MAX + 1];
    unsigned char *values;        /* DIRCACHE_SLOTS values of value_size bytes */
} table;

struct dircache {
    pthread_mutex_t mu;
    uint64_t gen; /* starts at 1 */
    table senders, groups, credentials;
};

static int table_init(table *t, size_t value_size)
{
    t->value_size = value_size;
    t->values = calloc(DIRCACHE_SLOTS, value_size);
    return t->values ? 0 : -1;
}

dircache *dircache_new(void)
{
    dircache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    pthread_mutex_init(&c->mu, NULL);
    c->gen = 1;
    if (table_init(&c->senders, sizeof(dir_sender)) != 0 || table_init(&c->groups, sizeof(group_policy)) != 0 ||
        table_init(&c->credentials, CREDENTIAL_HASH_BYTES) != 0) {
        dircache_free(c);
        return NULL;
    }
    return c;
}

void dircache_free(dircache *c)
{
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->mu);
    free(c->senders.values);
    free(c->groups.values);
    free(c->credentials.values);
    free(c);
}

void dircache_invalidate(dircache *c)
{
    pthread_mutex_lock(&c->mu);
    c->gen++;
    pthread_mutex_unlock(&c->mu);
}

/* From the table if current, else loaded and kept unless the generation moved meanwhile. */
static int cached(dircache *c, table *t, store_pool *readers, const char *id, void *out, load_fn load, perr *err)
{
    pthread_mutex_lock(&c->mu);
    uint64_t gen = c->gen;
    for (size_t i = 0; i < DIRCACHE_SLOTS; i++)
        if (t->gen[i] == gen && strcmp(t->id[i], id) == 0) {
            memcpy(out, t->values + i * t->value_size, t->value_size);
            pthread_mutex_unlock(&c->mu);
            return 0;
        }
    pthread_mutex_unlock(&c->mu);

    store *reader = store_pool_acquire(readers);
    int loaded = load(reader, id, out, err);
    store_pool_release(readers, reader);
    if (loaded != 0)
        return -1;
    if (strlen(id) > DIRCACHE_KEY_MAX)
        return 0;
    pthread_mutex_lock(&c->mu);
    if (c->gen == gen) {
        unsigned i = t->next++ % DIRCACHE_SLOTS;
        t->gen[i] = gen;
        strcpy(t->id[i], id);
        memcpy(t->values + i * t->value_size, out, t->value_size);
    }
    pthread_mutex_unlock(&c->mu);
    return 0;
}

static int load_sender(store *reader, const char *id, void *out, perr *err)
{
    dir_sender *s = out;
    store_participant *p = malloc(sizeof *p);
    if (p == NULL)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    int rc = store_participant_get(reader, id, p, err);
    if (rc == 0) {
        memcpy(s->verifier_pk, p->keys.verifier.pk, NOTEKEY_PUBLIC_BYTES);
        snprintf(s->status, sizeof s->status, "%s", p->status);
    }
    free(p);
    return rc;
}

static int load_group(store *reader, const char *id, void *out, perr *err)
{
    return directory_load_group(reader, id, out, err);
}

static int load_credential(store *reader, const char *id, void *out, perr *err)
{
    return store_credential_get(reader, id, out, err);
}

int dircache_sender(dircache *c, store_pool *readers, const char *id, dir_sender *out, perr *err)
{
    return cached(c, &c->senders, readers, id, out, load_sender, err);
}

int dircache_group(dircache *c, store_pool *readers, const char *id, group_policy *out, perr *err)
{
    return cached(c, &c->groups, readers, id, out, load_group, err);
}

int dircache_credential(dircache *c, store_pool *readers, const char *participant,
                        uint8_t hash[CREDENTIAL_HASH_BYTES], perr *err)
{
    return cached(c, &c->credentials, readers, participant, hash, load_credential, err);
}
