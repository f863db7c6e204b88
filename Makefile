# Parley build. `make` builds build/parley; `make test` runs the unit tests;
# `make SAN=1` builds into build-san/ with AddressSanitizer + UBSan (LeakSanitizer on).
CC       ?= cc
SAN      ?= 0
BUILD    ?= $(if $(filter 1,$(SAN)),build-san,build)
PKGS     := libsodium sqlite3 libmicrohttpd jansson libcurl
CFLAGS_BASE := -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
               -Wformat=2 -Wvla -g -Isrc $(shell pkg-config --cflags $(PKGS))
ifeq ($(SAN),1)
  CFLAGS_BASE += -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
  LDFLAGS_SAN := -fsanitize=address,undefined
else
  CFLAGS_BASE += -O2
endif
CFLAGS   := $(CFLAGS_BASE) $(EXTRA_CFLAGS)
LDLIBS   := $(shell pkg-config --libs $(PKGS)) -lpthread -lm
LDFLAGS  += $(LDFLAGS_SAN)

LIB_SRCS  := $(sort $(wildcard src/*/*.c))
LIB_SRCS  := $(filter-out src/cli/main.c,$(LIB_SRCS))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRCS := $(wildcard bench/bench_*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
FUZZ_SRCS := $(wildcard fuzz/fuzz_*.c)

.PHONY: all test unit bench fuzz clean
all: $(BUILD)/parley $(TEST_BINS) $(BENCH_BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libparley.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/parley: $(BUILD)/src/cli/main.o $(BUILD)/libparley.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h $(BUILD)/libparley.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(BUILD)/libparley.a $(LDLIBS) -lcmocka

$(BUILD)/bench/%: bench/%.c bench/benchutil.h bench/benchload.h $(BUILD)/libparley.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ibench $(LDFLAGS) -o $@ $< $(BUILD)/libparley.a $(LDLIBS)

# Unit tests run from the repository root so they find ../shared/vectors.
unit: $(TEST_BINS)
	@set -e; for t in $(TEST_BINS); do echo "== $$t"; $$t; done

# libFuzzer targets: clang, with ASan + UBSan; the library is rebuilt for them.
FUZZ_BUILD := build-fuzz
FUZZ_CFLAGS := $(CFLAGS_BASE) -O1 -fsanitize=fuzzer-no-link,address,undefined
fuzz:
	$(MAKE) CC=clang BUILD=$(FUZZ_BUILD) EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined" \
	    LDFLAGS_SAN="-fsanitize=address,undefined" $(FUZZ_BUILD)/libparley.a
	@mkdir -p $(FUZZ_BUILD)/fuzz
	@set -e; for f in $(FUZZ_SRCS); do n=$$(basename $$f .c); \
	  clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $(FUZZ_BUILD)/fuzz/$$n $$f $(FUZZ_BUILD)/libparley.a $(LDLIBS); done

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJS:.o=.d) $(BUILD)/src/cli/main.d
