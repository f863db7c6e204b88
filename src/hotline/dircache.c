/* dircache.c — in-memory participants and group policies (rules in dircache.h).
 * Small fixed tables, replaced round-robin: a working group has a few dozen
 * participants and a handful of groups. */
#include "hotline/dircache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define DIRCACHE_SENDERS 64
#define DIRCACHE_GROUPS 16

typedef struct sender_slot {
    uint64_t gen; /* 0: empty */
    char id[IDENT_PARTICIPANT_MAX + 1];
    dir_sender v;
} sender_slot;

typedef struct group_slot {
    uint64_t gen;
    group_policy v;
} group_slot;

struct dircache {
    pthread_mutex_t mu;
    uint64_t gen; /* starts at 1 */
    sender_slot senders[DIRCACHE_SENDERS];
    group_slot groups[DIRCACHE_GROUPS];
    unsigned next_sender, next_group;
};

dircache *dircache_new(void)
{
    dircache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    pthread_mutex_init(&c->mu, NULL);
    c->gen = 1;
    return c;
}

void dircache_free(dircache *c)
{
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->mu);
    free(c);
}

void dircache_invalidate(dircache *c)
{
    pthread_mutex_lock(&c->mu);
    c->gen++;
    pthread_mutex_unlock(&c->mu);
}

int dircache_sender(dircache *c, store *reader, const char *id, dir_sender *out, perr *err)
{
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < DIRCACHE_SENDERS; i++)
        if (c->senders[i].gen == c->gen && strcmp(c->senders[i].id, id) == 0) {
            *out = c->senders[i].v;
            pthread_mutex_unlock(&c->mu);
            return 0;
        }
    uint64_t gen = c->gen;
    pthread_mutex_unlock(&c->mu);

    store_participant *p = malloc(sizeof *p);
    if (p == NULL)
        return perr_set(err, PERR_INTERNAL, "out of memory");
    int rc = store_participant_get(reader, id, p, err);
    if (rc == 0) {
        memcpy(out->verifier_pk, p->keys.verifier.pk, NOTEKEY_PUBLIC_BYTES);
        snprintf(out->status, sizeof out->status, "%s", p->status);
    }
    free(p);
    if (rc != 0 || strlen(id) > IDENT_PARTICIPANT_MAX)
        return rc;
    pthread_mutex_lock(&c->mu);
    if (c->gen == gen) {
        sender_slot *s = &c->senders[c->next_sender++ % DIRCACHE_SENDERS];
        s->gen = gen;
        strcpy(s->id, id);
        s->v = *out;
    }
    pthread_mutex_unlock(&c->mu);
    return 0;
}

int dircache_group(dircache *c, store *reader, const char *id, group_policy *out, perr *err)
{
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < DIRCACHE_GROUPS; i++)
        if (c->groups[i].gen == c->gen && strcmp(c->groups[i].v.id, id) == 0) {
            *out = c->groups[i].v;
            pthread_mutex_unlock(&c->mu);
            return 0;
        }
    uint64_t gen = c->gen;
    pthread_mutex_unlock(&c->mu);

    if (directory_load_group(reader, id, out, err) != 0)
        return -1;
    pthread_mutex_lock(&c->mu);
    if (c->gen == gen) {
        group_slot *s = &c->groups[c->next_group++ % DIRCACHE_GROUPS];
        s->gen = gen;
        s->v = *out;
    }
    pthread_mutex_unlock(&c->mu);
    return 0;
}
