/* bench_admission.c — what each step of admitting one envelope costs on one
 * core, with the envelopes bench_append sends (600 bytes sealed to two
 * readers): the raw Ed25519 verification (the yardstick), jansson parsing the
 * envelope text, the whole envelope_parse (parse, field checks, payload hash,
 * canonical header, verification), and the sealed payload's inspection (the
 * readers TLP enforcement checks). It shows where an append's CPU goes before
 * any I/O, and what the payload format costs.
 * Usage: bench_admission [ENVELOPES]   (default 2000; each step runs 20,000 times) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchload.h"

#define STEP_RUNS 20000

typedef int (*step_fn)(const char *text, const envelope *parsed);

static int step_json(const char *text, const envelope *parsed)
{
    (void)parsed;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    int ok = j != NULL;
    json_decref(j);
    return ok;
}

static int step_envelope(const char *text, const envelope *parsed)
{
    (void)parsed;
    envelope e;
    perr err;
    if (envelope_parse(text, strlen(text), ENVELOPE_WITH_PAYLOAD, &e, &err) != 0)
        return 0;
    envelope_free(&e);
    return 1;
}

static int step_seal(const char *text, const envelope *parsed)
{
    (void)text;
    static seal_info info;
    perr err;
    return seal_inspect(parsed->payload, parsed->payload_size, &info, &err) == 0 && info.nreaders == 2;
}

/* Microseconds per run of step over the envelopes, or -1 if one failed. */
static double time_step(step_fn step, char **texts, const envelope *parsed, int n)
{
    double t0 = now_s();
    for (int i = 0; i < STEP_RUNS; i++)
        if (!step(texts[i % n], &parsed[i % n]))
            return -1;
    return (now_s() - t0) * 1e6 / STEP_RUNS;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    if (n < 1 || sodium_init() < 0) {
        fprintf(stderr, "usage: %s [ENVELOPES]\n", argv[0]);
        return 2;
    }
    print_machine();
    perr err;
    participant_secret us, ru;
    keyfile_generate("US", &us, &err);
    keyfile_generate("RU", &ru, &err);
    char **texts = make_envelopes(&us, &ru, n);
    envelope *parsed = calloc((size_t)n, sizeof *parsed);
    for (int i = 0; i < n; i++)
        if (envelope_parse(texts[i], strlen(texts[i]), ENVELOPE_WITH_PAYLOAD, &parsed[i], &err) != 0) {
            fprintf(stderr, "envelope %d: %s\n", i, err.msg);
            return 1;
        }
    double verify = verify_rate(1);
    printf("envelope: %zu bytes of JSON, payload %zu bytes (600 bytes sealed to 2 readers)\n", strlen(texts[0]),
           (size_t)parsed[0].payload_size);
    printf("raw Ed25519 verify (1 thread):   %8.2f us  (%.0f /s)\n", 1e6 / verify, verify);
    static const struct {
        const char *name;
        step_fn fn;
    } steps[] = {{"jansson parse of the envelope:", step_json},
                 {"envelope_parse (all checks):", step_envelope},
                 {"seal_inspect of the payload:", step_seal}};
    int rc = 0;
    for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
        double us_per = time_step(steps[k].fn, texts, parsed, n);
        if (us_per < 0) {
            fprintf(stderr, "%s failed\n", steps[k].name);
            rc = 1;
            continue;
        }
        printf("%-32s %8.2f us\n", steps[k].name, us_per);
    }
    for (int i = 0; i < n; i++) {
        envelope_free(&parsed[i]);
        free(texts[i]);
    }
    free(parsed);
    free(texts);
    keyfile_wipe(&us);
    keyfile_wipe(&ru);
    return rc;
}
