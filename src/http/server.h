/* server.h — the node's HTTP server: libmicrohttpd with one polling thread per
 * core; a request waiting on the log is suspended, not given a thread. */
#ifndef PARLEY_SERVER_H
#define PARLEY_SERVER_H

#include "node/node.h"

typedef struct http_server http_server;

/* Listens on the node's configured address; port 0 picks a free port. */
http_server *http_server_start(node *n, const char *listen, int port, perr *err);
int http_server_port(const http_server *s);
/* How many polling threads a server runs on this machine: one per core and
 * one more, 2 to 16. */
unsigned http_server_pollers(void);
void http_server_stop(http_server *s);

#endif
