/* cmd_tlog.c — auditor primitives with a stable interface (DESIGN.md §6):
 *   parley tlog root FILE
 *   parley tlog verify-inclusion --leaf-hash HEX --index I --size N --root HEX [--proof HEX,…]
 *   parley tlog verify-consistency --size1 M --size2 N --root1 HEX --root2 HEX [--proof HEX,…]
 * Exit 0 valid, 1 invalid (including malformed hashes), 2 usage error.
 * Hashes are 64 hex digits; either case is accepted on the command line. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tlog/merkle.h"
#include "util/codec.h"
#include "util/fileio.h"

#define TLOG_ROOT_MAX_FILE ((size_t)1 << 31)

static int parse_hash(const char *what, const char *s, size_t len, merkle_hash out)
{
    char lower[2 * MERKLE_HASH_BYTES + 1];
    if (len != 2 * MERKLE_HASH_BYTES)
        return cli_fail(-1, "invalid: %s is not a 32-byte hash (64 hex digits)", what);
    for (size_t i = 0; i < len; i++)
        lower[i] = (char)tolower((unsigned char)s[i]);
    lower[len] = '\0';
    if (hex_decode(out, MERKLE_HASH_BYTES, lower) != 0)
        return cli_fail(-1, "invalid: %s is not hex", what);
    return 0;
}

/* "--proof" is a comma-separated list; an empty string is an empty proof. */
static int parse_proof(const char *s, merkle_hash *proof, size_t *len)
{
    *len = 0;
    if (s == NULL || *s == '\0')
        return 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (*len == MERKLE_MAX_PROOF + 1)
            return cli_fail(-1, "invalid: proof has more than %d hashes", MERKLE_MAX_PROOF);
        char what[32];
        snprintf(what, sizeof what, "proof hash %zu", *len);
        if (parse_hash(what, p, n, proof[*len]) != 0)
            return -1;
        (*len)++;
        if (comma == NULL)
            return 0;
        p = comma + 1;
    }
}

static int tlog_root(int argc, char **argv)
{
    cli_args a;
    if (cli_parse(argc, argv, NULL, NULL, &a) != 0 || a.npos != 1)
        return cli_fail(EXIT_USAGE, "usage: parley tlog root FILE");
    perr err;
    size_t len;
    char *text = file_read(a.pos[0], TLOG_ROOT_MAX_FILE, &len, &err);
    if (text == NULL)
        return cli_fail(EXIT_USAGE, "%s", err.msg);
    merkle_frontier f;
    merkle_frontier_init(&f);
    uint8_t *leaf = malloc(len / 2 + 1);
    size_t line_no = 0;
    int rc = EXIT_OK;
    for (char *p = text; leaf && p < text + len;) {
        char *nl = memchr(p, '\n', (size_t)(text + len - p));
        char *end = nl ? nl : text + len;
        size_t n = (size_t)(end - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        line_no++;
        for (size_t i = 0; i < n; i++)
            p[i] = (char)tolower((unsigned char)p[i]);
        char saved = p[n];
        p[n] = '\0';
        if (n % 2 != 0 || hex_decode(leaf, n / 2, p) != 0) {
            rc = cli_fail(EXIT_INVALID, "invalid: line %zu is not hex-encoded leaf data", line_no);
            break;
        }
        p[n] = saved;
        merkle_hash h;
        merkle_leaf_hash(leaf, n / 2, h);
        merkle_frontier_append(&f, h, NULL, NULL);
        p = end + 1;
    }
    if (leaf == NULL)
        rc = cli_fail(EXIT_INVALID, "out of memory");
    if (rc == EXIT_OK) {
        merkle_hash root;
        char hex[65];
        merkle_frontier_root(&f, root);
        hex_encode(hex, root, 32);
        printf("%s\n", hex);
    }
    free(leaf);
    free(text);
    return rc;
}

static int verify_inclusion(int argc, char **argv)
{
    static const char *const opts[] = {"leaf-hash", "index", "size", "root", "proof", NULL};
    cli_args a;
    const char *lh, *idx, *size, *root;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 0 ||
        !(lh = cli_need(&a, "leaf-hash")) || !(idx = cli_need(&a, "index")) ||
        !(size = cli_need(&a, "size")) || !(root = cli_need(&a, "root")))
        return cli_fail(EXIT_USAGE, "usage: parley tlog verify-inclusion --leaf-hash HEX --index I --size N --root HEX [--proof HEX,...]");
    uint64_t index, n;
    if (cli_u64(idx, &index) != 0 || cli_u64(size, &n) != 0)
        return cli_fail(EXIT_USAGE, "--index and --size must be decimal integers");
    merkle_hash leaf, r, proof[MERKLE_MAX_PROOF + 1];
    size_t len;
    if (parse_hash("--leaf-hash", lh, strlen(lh), leaf) != 0 ||
        parse_hash("--root", root, strlen(root), r) != 0 ||
        parse_proof(cli_opt(&a, "proof"), proof, &len) != 0)
        return EXIT_INVALID;
    perr err;
    if (merkle_verify_inclusion(leaf, index, n, proof, len, r, &err) != 0)
        return cli_fail(EXIT_INVALID, "invalid: %s", err.msg);
    printf("valid: leaf %llu is included in the tree of size %llu\n", (unsigned long long)index,
           (unsigned long long)n);
    return EXIT_OK;
}

static int verify_consistency(int argc, char **argv)
{
    static const char *const opts[] = {"size1", "size2", "root1", "root2", "proof", NULL};
    cli_args a;
    const char *s1, *s2, *r1, *r2;
    if (cli_parse(argc, argv, opts, NULL, &a) != 0 || a.npos != 0 ||
        !(s1 = cli_need(&a, "size1")) || !(s2 = cli_need(&a, "size2")) ||
        !(r1 = cli_need(&a, "root1")) || !(r2 = cli_need(&a, "root2")))
        return cli_fail(EXIT_USAGE, "usage: parley tlog verify-consistency --size1 M --size2 N --root1 HEX --root2 HEX [--proof HEX,...]");
    uint64_t m, n;
    if (cli_u64(s1, &m) != 0 || cli_u64(s2, &n) != 0)
        return cli_fail(EXIT_USAGE, "--size1 and --size2 must be decimal integers");
    merkle_hash root1, root2, proof[MERKLE_MAX_PROOF + 1];
    size_t len;
    if (parse_hash("--root1", r1, strlen(r1), root1) != 0 ||
        parse_hash("--root2", r2, strlen(r2), root2) != 0 ||
        parse_proof(cli_opt(&a, "proof"), proof, &len) != 0)
        return EXIT_INVALID;
    perr err;
    if (merkle_verify_consistency(m, n, root1, root2, proof, len, &err) != 0)
        return cli_fail(EXIT_INVALID, "invalid: %s", err.msg);
    printf("valid: the tree of size %llu is a prefix of the tree of size %llu\n",
           (unsigned long long)m, (unsigned long long)n);
    return EXIT_OK;
}

int cmd_tlog(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "root") == 0)
        return tlog_root(argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "verify-inclusion") == 0)
        return verify_inclusion(argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "verify-consistency") == 0)
        return verify_consistency(argc - 1, argv + 1);
    return cli_fail(EXIT_USAGE, "usage: parley tlog root|verify-inclusion|verify-consistency ...");
}
