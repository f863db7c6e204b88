/* cli.h — the `parley` command line: option parsing shared by all commands
 * and the command entry points. Exit codes are stable for scripts:
 *   0 success / valid, 1 failure / invalid, 2 usage error. */
#ifndef PARLEY_CLI_H
#define PARLEY_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/notekey.h"
#include "util/err.h"

enum { EXIT_OK = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

#define CLI_MAX_OPTS 16

/* Options are "--name value" (or "--flag" for names listed as flags);
 * everything else is positional. */
typedef struct cli_args {
    const char *names[CLI_MAX_OPTS];
    const char *values[CLI_MAX_OPTS];
    int nopts;
    const char *pos[CLI_MAX_OPTS];
    int npos;
} cli_args;

/* allowed / flags: NULL-terminated name lists (without "--"). Prints the
 * problem and returns -1 on an unknown, repeated or valueless option. */
int cli_parse(int argc, char **argv, const char *const *allowed, const char *const *flags,
              cli_args *out);
const char *cli_opt(const cli_args *a, const char *name);
int cli_has(const cli_args *a, const char *name);
/* A required option; prints a usage error when absent. */
const char *cli_need(const cli_args *a, const char *name);
int cli_u64(const char *s, uint64_t *out);
/* Splits a comma-separated list in place; -1 if it holds more than max items. */
int cli_split(char *list, const char **out, size_t max, size_t *n);
/* A verifier key given as text or as a file holding the text. */
int cli_load_vkey(const char *arg, notekey_verifier *out, perr *err);
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_admin(int argc, char **argv);
int cmd_tlog(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_envelope(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_inbox(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_ack(int argc, char **argv);
int cmd_reply(int argc, char **argv);
int cmd_close(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
