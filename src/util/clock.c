/* clock.c — injectable wall clock. */
#include "util/clock.h"

#include <stdlib.h>
#include <time.h>

static clock_fn current_fn;
static void *current_ctx;
static int64_t env_offset_ms;

static int64_t system_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_now_ms(void)
{
    if (current_fn)
        return current_fn(current_ctx);
    return system_ms() + env_offset_ms;
}

void clock_set(clock_fn fn, void *ctx)
{
    current_fn = fn;
    current_ctx = ctx;
}

void clock_from_env(void)
{
    const char *s = getenv("PARLEY_CLOCK_OFFSET_MS");
    if (s && *s)
        env_offset_ms = strtoll(s, NULL, 10);
}
