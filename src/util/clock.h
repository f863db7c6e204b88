/* clock.h — the one source of "now" for the whole program, injectable so that
 * tests can move time (deadlines, clock-skew checks) without sleeping.
 * Times are milliseconds since the Unix epoch, UTC. */
#ifndef PARLEY_CLOCK_H
#define PARLEY_CLOCK_H

#include <stdint.h>

typedef int64_t (*clock_fn)(void *ctx);

int64_t clock_now_ms(void);
/* Replaces the clock (NULL restores the system clock). Not thread-safe: set it
 * before starting threads. */
void clock_set(clock_fn fn, void *ctx);
/* Installs the clock named by PARLEY_CLOCK_OFFSET_MS (system time plus an
 * offset), used by end-to-end tests of a real `parley serve`. */
void clock_from_env(void);

#endif
