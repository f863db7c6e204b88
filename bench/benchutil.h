/* benchutil.h — what the benchmarks share: a monotonic clock, the machine
 * line every benchmark prints, and a minimal keep-alive HTTP/1.1 client over
 * loopback (one write per request: a split write waits on delayed ACKs). */
#ifndef PARLEY_BENCHUTIL_H
#define PARLEY_BENCHUTIL_H

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU time (user + system) of the whole process so far. */
static inline double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static inline void print_machine(void)
{
    struct utsname u;
    uname(&u);
    char model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            snprintf(model, sizeof model, "%s", strchr(line, ':') + 2);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    if (f)
        fclose(f);
    printf("machine: %s, %ld cores, %s %s %s\n", model, sysconf(_SC_NPROCESSORS_ONLN), u.sysname,
           u.release, u.machine);
}

static inline int bench_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Whether in[0..have) (NUL-terminated) holds a whole response with a
 * Content-Length body: 1 with its status and the body's offset, 0 if not yet. */
static inline int bench_response_complete(const char *in, size_t have, int *status, size_t *body_at)
{
    const char *end = strstr(in, "\r\n\r\n");
    if (end == NULL)
        return 0;
    const char *cl = strcasestr(in, "Content-Length:");
    size_t at = (size_t)(end + 4 - in), clen = cl ? strtoul(cl + 15, NULL, 10) : 0;
    if (have - at < clen)
        return 0;
    *status = atoi(in + 9);
    *body_at = at;
    return 1;
}

/* Reads one response with a Content-Length body into *out (grown as needed);
 * returns the status, the body in *body. */
static inline int bench_read_response(int fd, char **out, size_t *cap, char **body)
{
    size_t have = 0, body_at;
    int status;
    *body = NULL;
    for (;;) {
        if (have + 65536 + 1 > *cap) {
            *cap = (*cap + 65536) * 2;
            *out = realloc(*out, *cap); /* offsets, not pointers, survive this */
        }
        ssize_t r = read(fd, *out + have, *cap - have - 1);
        if (r <= 0)
            return -1;
        have += (size_t)r;
        (*out)[have] = '\0';
        if (bench_response_complete(*out, have, &status, &body_at)) {
            *body = *out + body_at;
            return status;
        }
    }
}

/* Sends head + body in one write. */
static inline int bench_send(int fd, const char *head, const char *body, size_t blen)
{
    size_t hl = strlen(head);
    char *msg = malloc(hl + blen);
    memcpy(msg, head, hl);
    if (blen)
        memcpy(msg + hl, body, blen);
    size_t off = 0;
    while (off < hl + blen) {
        ssize_t w = write(fd, msg + off, hl + blen - off);
        if (w <= 0) {
            free(msg);
            return -1;
        }
        off += (size_t)w;
    }
    free(msg);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* p in [0,1] of n sorted samples. */
static inline double percentile(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return n ? v[i] : 0;
}

/* On-CPU seconds of this process's live threads, summed by thread name
 * (Linux schedstat), so a phase's CPU can be split between the server's
 * threads and the load generator's. */
#define THREAD_CPU_NAMES 8
typedef struct thread_cpu {
    int n;
    char name[THREAD_CPU_NAMES][16];
    double s[THREAD_CPU_NAMES];
} thread_cpu;

static inline void thread_cpu_snap(thread_cpu *t)
{
    memset(t, 0, sizeof *t);
    DIR *d = opendir("/proc/self/task");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        char path[300], comm[16] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", de->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        if (fgets(comm, sizeof comm, f) == NULL)
            comm[0] = '\0';
        comm[strcspn(comm, "\n")] = '\0';
        fclose(f);
        snprintf(path, sizeof path, "/proc/self/task/%s/schedstat", de->d_name);
        unsigned long long run;
        if ((f = fopen(path, "r")) == NULL)
            continue;
        int ok = fscanf(f, "%llu", &run) == 1;
        fclose(f);
        int i = 0;
        while (i < t->n && strcmp(t->name[i], comm) != 0)
            i++;
        if (!ok || i == THREAD_CPU_NAMES)
            continue;
        if (i == t->n)
            snprintf(t->name[t->n++], sizeof t->name[0], "%s", comm);
        t->s[i] += (double)run / 1e9;
    }
    if (d)
        closedir(d);
}

/* Prints the named threads' CPU per operation between two snapshots; what
 * the process spent (total_s) beyond them is charged to rest_label, which
 * includes threads that have exited since. */
static inline void print_thread_cpu(const thread_cpu *a, const thread_cpu *b, const char *const *named_threads,
                                    const char *rest_label, double total_s, double ops)
{
    double named = 0;
    printf("  CPU per append by thread:");
    for (const char *const *n = named_threads; *n; n++) {
        double s = 0;
        for (int i = 0; i < b->n; i++)
            if (strcmp(b->name[i], *n) == 0)
                s += b->s[i];
        for (int i = 0; i < a->n; i++)
            if (strcmp(a->name[i], *n) == 0)
                s -= a->s[i];
        named += s;
        printf(" %s %.0f us,", *n, s * 1e6 / ops);
    }
    printf(" %s %.0f us\n", rest_label, (total_s - named) * 1e6 / ops);
}

#endif
