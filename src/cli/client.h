/* client.h — a participant's session with a node, for the workflow commands.
 * Where things come from (an option, else the environment):
 *   --server URL       PARLEY_SERVER       the node
 *   --token-file FILE  PARLEY_TOKEN_FILE   the API token (sent as Bearer)
 *   --key FILE         PARLEY_KEY          the participant's secret key file
 *   --log-key VKEY     PARLEY_LOG_KEY      the log's verifier key; without it
 *                                          the key the node names is trusted
 * Private keys stay here: envelopes are signed and payloads sealed/opened
 * in this process. */
#ifndef PARLEY_CLIENT_H
#define PARLEY_CLIENT_H

#include <jansson.h>

#include "cli/cli.h"
#include "crypto/keyfile.h"

#define CLIENT_OPTS "server", "token-file", "key", "log-key"

typedef struct client {
    char server[1024];
    char *token;              /* "Bearer …" header value; NULL if none */
    participant_secret key;
    int has_key;
    notekey_verifier log_key;
    int has_log_key;
    json_t *directory;        /* fetched on demand */
} client;

/* need: CLIENT_NEED_* bits. Prints the problem and returns an exit code. */
enum { CLIENT_NEED_TOKEN = 1, CLIENT_NEED_KEY = 2 };
int client_open(const cli_args *a, int need, client *c);
void client_close(client *c);
/* One JSON request. *out is the parsed body of a 2xx answer; any other status
 * is an error carrying the node's message. body may be NULL. */
int client_call(client *c, const char *method, const char *path, json_t *body, json_t **out, perr *err);
/* Same with a raw body; *status is set whatever it is. */
int client_call_raw(client *c, const char *method, const char *path, const char *body, size_t len,
                    long *status, buf *resp, perr *err);
/* The node's directory (cached) and the log key to check receipts with. */
const json_t *client_directory(client *c, perr *err);
const notekey_verifier *client_log_key(client *c, perr *err);
/* A participant's public keys, from the directory. */
int client_participant(client *c, const char *id, participant_public *out, perr *err);

#endif
