/* timefmt.h — RFC 3339 UTC timestamps as Parley writes and accepts them:
 * "YYYY-MM-DDTHH:MM:SSZ" or with a fraction of 1 to 9 digits before the Z.
 * Only the UTC designator "Z" is accepted (one spelling per instant keeps
 * signed text canonical); values are checked for calendar validity. */
#ifndef PARLEY_TIMEFMT_H
#define PARLEY_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TIMEFMT_MAX 80

/* Formats ms since epoch with millisecond precision: 2026-11-23T10:00:00.123Z */
void timefmt_format_ms(char out[TIMEFMT_MAX], int64_t ms);
/* Parses; on success *ms is ms since epoch (extra fraction digits truncated). */
int timefmt_parse_ms(const char *s, int64_t *ms);

#endif
