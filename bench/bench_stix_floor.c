/* bench_stix_floor.c — the least work any durable, logged ingestion of a STIX
 * bundle must do per object with this project's libraries, measured alone:
 *   1. parse the bundle text with jansson (the JSON parser we must use);
 *   2. write each object's canonical text (RFC 8785, what its log leaf covers)
 *      and hash it with SHA-256.
 * No HTTP, no validation, no storage, no fsync, no Merkle tree. The rate it
 * prints is an upper bound for TAXII ingestion on this machine: the real
 * path does all of this and more.
 * Usage: bench_stix_floor [BUNDLE.json ...]   (default: the two ATT&CK for ICS releases) */
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "json/jcs.h"
#include "util/fileio.h"

#define ROUNDS 5

typedef struct {
    const char *text;
    size_t len;
    size_t objects;
    double seconds;
} worker;

/* ROUNDS × (parse + canonicalise + hash every object), timed. */
static void *ingest_floor(void *p)
{
    worker *w = p;
    double t0 = now_s();
    for (int r = 0; r < ROUNDS; r++) {
        json_t *bundle = json_loadb(w->text, w->len, JSON_REJECT_DUPLICATES, NULL);
        json_t *objects = json_object_get(bundle, "objects");
        w->objects = json_array_size(objects);
        for (size_t i = 0; i < w->objects; i++) {
            perr err;
            size_t n;
            char *canonical = jcs_dumps(json_array_get(objects, i), &n, &err);
            uint8_t h[crypto_hash_sha256_BYTES];
            if (canonical)
                crypto_hash_sha256(h, (const uint8_t *)canonical, n);
            free(canonical);
        }
        json_decref(bundle);
    }
    w->seconds = now_s() - t0;
    return NULL;
}

static double parse_only(const char *text, size_t len)
{
    double t0 = now_s();
    for (int r = 0; r < ROUNDS; r++)
        json_decref(json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL));
    return (now_s() - t0) / ROUNDS;
}

int main(int argc, char **argv)
{
    static const char *const defaults[] = {"../shared/data/mitre-attack/ics-attack-17.0.json",
                                           "../shared/data/mitre-attack/ics-attack-18.1.json"};
    const char *const *files = argc > 1 ? (const char *const *)argv + 1 : defaults;
    int nfiles = argc > 1 ? argc - 1 : 2;
    if (sodium_init() < 0)
        return 2;
    print_machine();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    for (int f = 0; f < nfiles; f++) {
        size_t len;
        perr err;
        char *text = file_read(files[f], (size_t)1 << 30, &len, &err);
        if (text == NULL) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        json_t *probe = json_loadb(text, len, 0, NULL);
        size_t objects = json_array_size(json_object_get(probe, "objects"));
        json_decref(probe);
        if (objects == 0) {
            fprintf(stderr, "%s: not a STIX bundle with objects\n", files[f]);
            free(text);
            return 1;
        }
        double parse = parse_only(text, len);
        printf("%s: %zu objects, %.1f MB (%.0f bytes/object)\n", files[f], objects, len / 1e6,
               (double)len / (double)objects);
        printf("  jansson parse alone:          %8.1f us/object  %7.1f MB/s  %9.0f objects/s (1 core)\n",
               parse * 1e6 / (double)objects, len / parse / 1e6, (double)objects / parse);
        worker w[64];
        pthread_t th[64];
        long counts[2] = {1, cores < 64 ? cores : 64};
        for (int c = 0; c < (counts[1] > 1 ? 2 : 1); c++) {
            long t = counts[c];
            for (long k = 0; k < t; k++) {
                w[k] = (worker){text, len, 0, 0};
                pthread_create(&th[k], NULL, ingest_floor, &w[k]);
            }
            double rate = 0;
            for (long k = 0; k < t; k++) {
                pthread_join(th[k], NULL);
                rate += (double)(w[k].objects * ROUNDS) / w[k].seconds;
            }
            printf("  parse + JCS + SHA-256:        %8.1f us/object            %9.0f objects/s (%ld thread%s)\n",
                   1e6 * (double)t / rate, rate, t, t > 1 ? "s" : "");
        }
        free(text);
    }
    return 0;
}
