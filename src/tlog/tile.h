/* tile.h — C2SP tlog-tiles resource paths and tile geometry.
 *   tile/<L>/<N>[.p/<W>]  and  tile/entries/<N>[.p/<W>]
 * N is written in 3-digit groups, all but the last prefixed "x"
 * (1234067 → x001/x234/067). A tile holds up to TILE_WIDTH hashes (or entries). */
#ifndef PARLEY_TILE_H
#define PARLEY_TILE_H

#include <stdint.h>

#include "util/buf.h"

#define TILE_HEIGHT 8
#define TILE_WIDTH 256
#define TILE_LEVEL_ENTRIES (-1)
#define TILE_MAX_LEVEL 7 /* 8·7 = 56 Merkle levels cover any tree we allow */

typedef struct tile_ref {
    int level;      /* TILE_LEVEL_ENTRIES for an entry bundle */
    uint64_t index;
    unsigned width; /* 1..256; 256 is a full tile */
} tile_ref;

/* Parses the part of the path after "tile/". 0 on success. */
int tile_parse_path(const char *path, tile_ref *out);
void tile_format_path(const tile_ref *t, buf *out);
/* Number of hashes (or entries) the tile `index` at `level` holds in a tree of
 * `size` leaves: 256 if full, 0 if it does not exist yet. */
unsigned tile_width_at(int level, uint64_t index, uint64_t size);

#endif
