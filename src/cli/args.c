/* args.c — option parsing and small helpers shared by the commands. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tlog/checkpoint.h"
#include "util/fileio.h"

static int listed(const char *const *list, const char *name)
{
    for (; list && *list; list++)
        if (strcmp(*list, name) == 0)
            return 1;
    return 0;
}

int cli_parse(int argc, char **argv, const char *const *allowed, const char *const *flags,
              cli_args *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (out->npos == CLI_MAX_OPTS) {
                fprintf(stderr, "parley: too many arguments\n");
                return -1;
            }
            out->pos[out->npos++] = a;
            continue;
        }
        const char *name = a + 2;
        int is_flag = listed(flags, name);
        if (!is_flag && !listed(allowed, name)) {
            fprintf(stderr, "parley: unknown option --%s\n", name);
            return -1;
        }
        if (cli_opt(out, name) || cli_has(out, name)) {
            fprintf(stderr, "parley: option --%s given twice\n", name);
            return -1;
        }
        if (out->nopts == CLI_MAX_OPTS)
            return -1;
        out->names[out->nopts] = name;
        if (!is_flag) {
            if (i + 1 >= argc) {
                fprintf(stderr, "parley: option --%s needs a value\n", name);
                return -1;
            }
            out->values[out->nopts] = argv[++i];
        }
        out->nopts++;
    }
    return 0;
}

const char *cli_opt(const cli_args *a, const char *name)
{
    for (int i = 0; i < a->nopts; i++)
        if (strcmp(a->names[i], name) == 0)
            return a->values[i];
    return NULL;
}

int cli_has(const cli_args *a, const char *name)
{
    for (int i = 0; i < a->nopts; i++)
        if (strcmp(a->names[i], name) == 0)
            return 1;
    return 0;
}

const char *cli_need(const cli_args *a, const char *name)
{
    const char *v = cli_opt(a, name);
    if (v == NULL)
        fprintf(stderr, "parley: missing required option --%s\n", name);
    return v;
}

int cli_u64(const char *s, uint64_t *out)
{
    return parse_decimal_u64(s, strlen(s), out);
}

int cli_split(char *list, const char **out, size_t max, size_t *n)
{
    char *save = NULL;
    *n = 0;
    for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (*n == max)
            return -1;
        out[(*n)++] = tok;
    }
    return 0;
}

int cli_load_vkey(const char *arg, notekey_verifier *out, perr *err)
{
    char *text = NULL;
    if (access(arg, R_OK) == 0) {
        size_t len;
        text = file_read_line(arg, 4096, &len, err);
        if (text == NULL)
            return -1;
    }
    int rc = notekey_parse_verifier(text ? text : arg, out, err);
    free(text);
    return rc;
}

int cli_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("parley: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}
