/* cmd_node.c — running a node:
 *   parley init DIR [--origin NAME] [--port N]
 *   parley serve DIR [--listen ADDR] [--port N] [--port-file FILE]
 *   parley keygen --id ID --dir OUTDIR         (writes OUTDIR/ID.key, OUTDIR/ID.pub)
 * Participants and groups are registered through the node (cmd_admin.c), so
 * that every change is a signed, logged statement. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "crypto/keyfile.h"
#include "http/server.h"
#include "node/node.h"
#include "util/clock.h"
#include "util/fileio.h"

int cmd_init(int argc, char **argv)
{
    static const char *const opts[] = {"origin", "port", NULL};
    cli_args a;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 1)
        return cli_fail(EXIT_USAGE, "usage: parley init DIR [--origin NAME] [--port N]");
    uint64_t port = NODE_DEFAULT_PORT;
    if (cli_opt(&a, "port") && (cli_u64(cli_opt(&a, "port"), &port) != 0 || port > 65535))
        return cli_fail(EXIT_USAGE, "--port must be 0..65535");
    perr err;
    if (node_init(a.pos[0], cli_opt(&a, "origin"), (int)port, &err) != 0)
        return cli_fail(EXIT_INVALID, "init: %s", err.msg);
    node_config cfg;
    node_load_config(a.pos[0], &cfg, &err);
    printf("initialised node %s in %s (log key in %s/node.vkey)\n", cfg.origin, a.pos[0], a.pos[0]);
    return EXIT_OK;
}

int cmd_serve(int argc, char **argv)
{
    static const char *const opts[] = {"listen", "port", "port-file", NULL};
    cli_args a;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 1)
        return cli_fail(EXIT_USAGE, "usage: parley serve DIR [--listen ADDR] [--port N] [--port-file FILE]");
    uint64_t port = 0;
    if (cli_opt(&a, "port") && (cli_u64(cli_opt(&a, "port"), &port) != 0 || port > 65535))
        return cli_fail(EXIT_USAGE, "--port must be 0..65535");
    /* Block the stop signals in every thread; the main thread waits for them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    perr err;
    node *n = node_open(a.pos[0], &err);
    if (n == NULL)
        return cli_fail(EXIT_INVALID, "serve: %s", err.msg);
    const char *listen = cli_opt(&a, "listen") ? cli_opt(&a, "listen") : n->cfg.listen;
    int p = cli_opt(&a, "port") ? (int)port : n->cfg.port;
    http_server *srv = http_server_start(n, listen, p, &err);
    if (srv == NULL) {
        node_close(n);
        return cli_fail(EXIT_INVALID, "serve: %s", err.msg);
    }
    const char *pf = cli_opt(&a, "port-file");
    if (pf) {
        char text[16];
        snprintf(text, sizeof text, "%d\n", http_server_port(srv));
        if (file_write_atomic(pf, text, strlen(text), 0644, 0, &err) != 0)
            fprintf(stderr, "parley: %s\n", err.msg);
    }
    printf("parley: serving log %s on http://%s:%d/\n", n->cfg.origin, listen, http_server_port(srv));
    fflush(stdout);
    int sig;
    sigwait(&stop, &sig);
    printf("parley: stopping (signal %d)\n", sig);
    http_server_stop(srv);
    node_close(n);
    return EXIT_OK;
}

int cmd_keygen(int argc, char **argv)
{
    static const char *const opts[] = {"id", "dir", NULL};
    cli_args a;
    const char *id, *dir;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 0 || !(id = cli_need(&a, "id")) ||
        !(dir = cli_need(&a, "dir")))
        return cli_fail(EXIT_USAGE, "usage: parley keygen --id ID --dir OUTDIR");
    perr err;
    participant_secret s;
    participant_public p;
    if (dir_create(dir, 0700, &err) != 0 || keyfile_generate(id, &s, &err) != 0)
        return cli_fail(EXIT_INVALID, "keygen: %s", err.msg);
    keyfile_public_of(&s, &p);
    char secret_path[4096], public_path[4096];
    snprintf(secret_path, sizeof secret_path, "%s/%s.key", dir, id);
    snprintf(public_path, sizeof public_path, "%s/%s.pub", dir, id);
    int rc = keyfile_write_secret(secret_path, &s, &err);
    keyfile_wipe(&s);
    if (rc == 0)
        rc = keyfile_write_public(public_path, &p, &err);
    if (rc != 0)
        return cli_fail(EXIT_INVALID, "keygen: %s", err.msg);
    buf v;
    buf_init(&v);
    notekey_format_verifier(&p.verifier, &v);
    printf("%s: secret key %s (mode 0600), public key %s\nverifier key: %s\n", id, secret_path,
           public_path, v.data);
    buf_free(&v);
    return EXIT_OK;
}
