/* main.c — `parley`: one binary for operators, participants and auditors. */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/clock.h"

static const char usage[] =
    "usage: parley COMMAND ...\n"
    "node:\n"
    "  init DIR [--origin NAME] [--port N]        create a node directory\n"
    "  serve DIR [--listen ADDR] [--port N]       run the node (HTTP)\n"
    "  admin rebuild DIR | admin digest DIR        rebuild / fingerprint the derived state\n"
    "administrator (--server URL --admin-key FILE [--log-key VKEY]):\n"
    "  admin participant --public FILE --name NAME [--contacts 'name|role|hours|tz;...'] [--status S]\n"
    "  admin group --id G --name NAME --members IDS [--coordinators IDS] [--kinds KINDS]\n"
    "              [--deadlines kind=SECONDS,...] [--default-tlp LABEL]\n"
    "  admin token --participant ID [--out FILE]  issue API credentials (shown once)\n"
    "participants (--server URL --token-file FILE --key KEYFILE [--log-key VKEY], or PARLEY_* env):\n"
    "  keygen --id ID --dir OUTDIR                make a participant's key files\n"
    "  send --group G --to IDS --kind KIND [--tlp L] [--subject S] [--text S] [--attach FILES]\n"
    "       [--evidence IDS] [--deadline T | --deadline-hours H] [--in-reply-to ID] [--receipt FILE]\n"
    "  inbox [--box in|sent|all] [--group G] [--kind K] [--json]\n"
    "  show ID [--save DIR] [--json]              verify, decrypt and print a message\n"
    "  ack ID | reply ID --text S | close ID      answer a message\n"
    "  check --group G [--deadline-hours H]       communication check to every other member\n"
    "  report --group G [--last N] [--json]       communication-check report\n"
    "  envelope create --key KEYFILE --group G --to IDS --kind KIND [...]\n"
    "  submit FILE                                send an envelope made earlier\n"
    "auditors:\n"
    "  verify receipt FILE --key LOG_VKEY [--sender-key VKEY]\n"
    "  verify checkpoint FILE --key LOG_VKEY\n"
    "  verify envelope FILE\n"
    "  tlog root FILE\n"
    "  tlog verify-inclusion --leaf-hash HEX --index I --size N --root HEX [--proof HEX,...]\n"
    "  tlog verify-consistency --size1 M --size2 N --root1 HEX --root2 HEX [--proof HEX,...]\n"
    "exit codes: 0 ok/valid, 1 failed/invalid, 2 usage error\n";

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "parley: libsodium failed to initialise\n");
        return EXIT_INVALID;
    }
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {
        {"init", cmd_init},       {"serve", cmd_serve},       {"keygen", cmd_keygen},
        {"admin", cmd_admin},     {"tlog", cmd_tlog},         {"verify", cmd_verify},
        {"envelope", cmd_envelope}, {"send", cmd_send},       {"submit", cmd_submit},
        {"inbox", cmd_inbox},     {"show", cmd_show},         {"ack", cmd_ack},
        {"reply", cmd_reply},     {"close", cmd_close},       {"check", cmd_check},
        {"report", cmd_report},
    };
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            clock_from_env(); /* tests move time for server and clients alike */
            curl_global_init(CURL_GLOBAL_DEFAULT);
            int rc = commands[i].run(argc - 2, argv + 2);
            curl_global_cleanup();
            return rc;
        }
    }
    fprintf(stderr, "parley: unknown command %s\n%s", argv[1], usage);
    return EXIT_USAGE;
}
