/* pool.c — borrowing read handles. */
#include "store/pool.h"

#include <pthread.h>
#include <stdlib.h>

struct store_pool {
    pthread_mutex_t mu;
    pthread_cond_t freed;
    int size, nfree;
    store **all;
    store **free_list;
};

store_pool *store_pool_open(const char *path, int size, perr *err)
{
    store_pool *p = calloc(1, sizeof *p);
    if (p == NULL || (p->all = calloc((size_t)size, sizeof *p->all)) == NULL ||
        (p->free_list = calloc((size_t)size, sizeof *p->free_list)) == NULL) {
        if (p)
            free(p->all);
        free(p);
        perr_set(err, PERR_INTERNAL, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->freed, NULL);
    for (int i = 0; i < size; i++) {
        p->all[i] = store_open_sqlite(path, STORE_READ_ONLY, err);
        if (p->all[i] == NULL) {
            store_pool_close(p);
            return NULL;
        }
        p->free_list[p->nfree++] = p->all[i];
        p->size++;
    }
    return p;
}

store *store_pool_acquire(store_pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->nfree == 0)
        pthread_cond_wait(&p->freed, &p->mu);
    store *s = p->free_list[--p->nfree];
    pthread_mutex_unlock(&p->mu);
    return s;
}

void store_pool_release(store_pool *p, store *s)
{
    pthread_mutex_lock(&p->mu);
    p->free_list[p->nfree++] = s;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->mu);
}

void store_pool_close(store_pool *p)
{
    if (p == NULL)
        return;
    for (int i = 0; i < p->size; i++)
        store_close(p->all[i]);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->freed);
    free(p->all);
    free(p->free_list);
    free(p);
}
