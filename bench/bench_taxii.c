/* bench_taxii.c — the TAXII evidence channel over loopback HTTP, durable and
 * logged (every object version a leaf of the transparency log, fsync'd):
 *   1. ingest ATT&CK for ICS 17.0 then 18.1 (so objects get versions);
 *   2. read that collection back through 100-object pages (limit/next);
 *   3. ingest a generated collection of N objects (default 1,000,000) of the
 *      same mix: the 18.1 objects as templates, each with a fresh id;
 *   4. read it back through 100-object pages.
 * Prints objects per second for each and the p50/p99 page latency.
 * Usage: bench_taxii [OBJECTS] [DATA_DIR]   (defaults 1000000, ../shared/data/mitre-attack) */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "crypto/keyfile.h"
#include "http/server.h"
#include "json/jcs.h"
#include "node/bootstrap.h"
#include "node/node.h"
#include "taxii/taxii.h"
#include "util/fileio.h"

#define ENVELOPE_OBJECTS 10000
#define PAGE 100

static char auth[256];
static char objects_path[256];

static int post(int fd, const char *body, size_t len, char **resp, size_t *cap)
{
    char head[1024];
    snprintf(head, sizeof head,
             "POST %s HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer %s\r\nAccept: %s\r\nContent-Type: %s\r\n"
             "Content-Length: %zu\r\n\r\n",
             objects_path, auth, TAXII_MEDIA_TYPE, TAXII_MEDIA_TYPE, len);
    char *b;
    if (bench_send(fd, head, body, len) != 0)
        return -1;
    int st = bench_read_response(fd, resp, cap, &b);
    json_t *j = st == 202 ? json_loads(b, 0, NULL) : NULL;
    int ok = (int)json_integer_value(json_object_get(j, "success_count"));
    int failed = (int)json_integer_value(json_object_get(j, "failure_count"));
    if (failed)
        fprintf(stderr, "  %d objects refused, e.g. %s\n", failed,
                json_string_value(json_object_get(json_array_get(json_object_get(j, "failures"), 0), "message")));
    json_decref(j);
    return st == 202 ? ok : -1;
}

/* Pages through the collection; returns objects read, fills latencies (ms). */
static long read_all(int fd, double *lat, size_t *nlat, size_t maxlat, double *seconds)
{
    char *resp = NULL, *body, next[64] = "";
    size_t cap = 0;
    long total = 0;
    double t0 = now_s();
    *nlat = 0;
    for (;;) {
        char head[1024];
        snprintf(head, sizeof head, "GET %s?limit=%d%s%s HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer %s\r\n"
                 "Accept: %s\r\n\r\n", objects_path, PAGE, next[0] ? "&next=" : "", next, auth, TAXII_MEDIA_TYPE);
        double a = now_s();
        if (bench_send(fd, head, NULL, 0) != 0 || bench_read_response(fd, &resp, &cap, &body) != 200)
            break;
        double b = now_s();
        if (*nlat < maxlat)
            lat[(*nlat)++] = (b - a) * 1000;
        /* Count objects without a JSON parse of the page: the cursor and "more" are at the end. */
        json_t *j = json_loads(body, 0, NULL);
        total += (long)json_array_size(json_object_get(j, "objects"));
        int more = json_is_true(json_object_get(j, "more"));
        snprintf(next, sizeof next, "%s", more ? json_string_value(json_object_get(j, "next")) : "");
        json_decref(j);
        if (!more)
            break;
    }
    *seconds = now_s() - t0;
    free(resp);
    return total;
}

static void report_reads(const char *what, int port)
{
    int fd = bench_connect(port);
    size_t maxlat = 2000000, n;
    double *lat = malloc(maxlat * sizeof *lat), secs;
    long total = read_all(fd, lat, &n, maxlat, &secs);
    double p50 = percentile(lat, n, 0.50), p99 = percentile(lat, n, 0.99);
    printf("%-34s %9.0f objects/s  (%ld objects, %zu pages of %d, page p50 %.2f ms, p99 %.2f ms)\n", what,
           (double)total / secs, total, n, PAGE, p50, p99);
    free(lat);
    close(fd);
}

/* Rewrites the UUID after "<type>--" in the object's "id" with a fresh one. */
static void fresh_id(char *text)
{
    char *id = strstr(text, "\"id\":\"");
    char *sep = id ? strstr(id + 6, "--") : NULL;
    if (sep == NULL || strlen(sep + 2) < 36)
        return;
    uint8_t r[16];
    char hex[33];
    randombytes_buf(r, sizeof r);
    r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
    r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", r[i]);
    char uuid[37];
    snprintf(uuid, sizeof uuid, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
    memcpy(sep + 2, uuid, 36);
}

int main(int argc, char **argv)
{
    long total = argc > 1 ? atol(argv[1]) : 1000000;
    const char *data = argc > 2 ? argv[2] : "../shared/data/mitre-attack";
    if (sodium_init() < 0)
        return 1;
    print_machine();
    char dir[] = "/tmp/parley-bench-taxii-XXXXXX", nodedir[64], file[512];
    mkdtemp(dir);
    snprintf(nodedir, sizeof nodedir, "%s/node", dir);
    perr err = {0};
    participant_secret us;
    participant_public pub;
    keyfile_generate("US", &us, &err);
    keyfile_public_of(&us, &pub);
    const char *members[] = {"US"};
    json_t *policy = json_pack("{s:s}", "default_tlp", "GREEN");
    node *n = node_init(nodedir, "bench.example/taxii", 0, &err) == 0 ? node_open(nodedir, &err) : NULL;
    if (n == NULL || bootstrap_participant(n, &pub, "United States", &err) != 0 ||
        bootstrap_group(n, "ics", members, 1, policy, &err) != 0 || bootstrap_token(n, "US", auth, &err) != 0) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    json_decref(policy);
    char cid[IDENT_UUID_LEN + 1];
    taxii_collection_id("ics", cid);
    snprintf(objects_path, sizeof objects_path, "/taxii2/api/collections/%s/objects/", cid);
    http_server *srv = http_server_start(n, "127.0.0.1", 0, &err);
    int port = http_server_port(srv);
    int fd = bench_connect(port);
    char *resp = NULL;
    size_t cap = 0;

    /* 1. the two ATT&CK for ICS releases */
    size_t len17, len18;
    snprintf(file, sizeof file, "%s/ics-attack-17.0.json", data);
    char *b17 = file_read(file, 1 << 30, &len17, &err);
    snprintf(file, sizeof file, "%s/ics-attack-18.1.json", data);
    char *b18 = file_read(file, 1 << 30, &len18, &err);
    if (b17 == NULL || b18 == NULL) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double t0 = now_s();
    int ok17 = post(fd, b17, len17, &resp, &cap), ok18 = post(fd, b18, len18, &resp, &cap);
    double t1 = now_s();
    printf("%-34s %9.0f objects/s  (%d + %d objects in %.3f s, durable, logged)\n", "ingest ATT&CK ICS 17.0 + 18.1",
           (ok17 + ok18) / (t1 - t0), ok17, ok18, t1 - t0);
    report_reads("read ATT&CK collection (pages)", port);

    /* 2. a generated collection of `total` objects of the same mix, in a collection of its own */
    snprintf(objects_path, sizeof objects_path, "/taxii2/api/collections/%s/objects/", cid);
    const char *members2[] = {"US"};
    bootstrap_group(n, "generated", members2, 1, NULL, &err);
    taxii_collection_id("generated", cid);
    snprintf(objects_path, sizeof objects_path, "/taxii2/api/collections/%s/objects/", cid);
    json_t *tmpl = json_loads(b18, 0, NULL);
    json_t *objs = json_object_get(tmpl, "objects");
    size_t nt = json_array_size(objs);
    char **templates = malloc(nt * sizeof *templates);
    for (size_t i = 0; i < nt; i++)
        templates[i] = json_dumps(json_array_get(objs, i), JSON_COMPACT);
    json_decref(tmpl);
    buf env;
    buf_init(&env);
    long posted = 0, accepted = 0;
    double gen = 0, t2 = now_s();
    while (posted < total) {
        double g0 = now_s();
        buf_reset(&env);
        buf_puts(&env, "{\"objects\":[");
        long k = 0;
        for (; k < ENVELOPE_OBJECTS && posted + k < total; k++) {
            char *o = strdup(templates[(size_t)(posted + k) % nt]);
            fresh_id(o);
            if (k)
                buf_putc(&env, ',');
            buf_puts(&env, o);
            free(o);
        }
        buf_puts(&env, "]}");
        gen += now_s() - g0;
        int ok = post(fd, env.data, env.len, &resp, &cap);
        if (ok < 0) {
            fprintf(stderr, "POST failed\n");
            break;
        }
        accepted += ok;
        posted += k;
    }
    double t3 = now_s();
    printf("%-34s %9.0f objects/s  (%ld objects in envelopes of %d, %.1f s, excluding %.1f s generating them)\n",
           "ingest generated collection", (double)accepted / (t3 - t2 - gen), accepted, ENVELOPE_OBJECTS,
           t3 - t2 - gen, gen);
    report_reads("read generated collection (pages)", port);
    seq_stats st;
    sequencer_stats_get(n->seq, &st);
    printf("log size after run: %llu entries\n", (unsigned long long)st.tree_size);
    for (size_t i = 0; i < nt; i++)
        free(templates[i]);
    free(templates);
    buf_free(&env);
    free(resp);
    free(b17);
    free(b18);
    close(fd);
    http_server_stop(srv);
    node_close(n);
    keyfile_wipe(&us);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
