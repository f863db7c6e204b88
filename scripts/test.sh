#!/usr/bin/env bash
# test.sh — the whole test suite, as CI runs it:
#   1. release build (-Wall -Wextra -Werror) and cmocka unit tests
#   2. the same unit tests under AddressSanitizer + UBSan (LeakSanitizer on)
#   3. integration tests over real loopback HTTP against `parley serve`,
#      with the release binary and again with the sanitizer binary
#   4. a short libFuzzer run of every parser target
# Ends with one summary line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export PARLEY_VECTORS=${PARLEY_VECTORS:-$PWD/../shared/vectors}
[ -d "$PARLEY_VECTORS" ] || { echo "missing known-answer vectors at $PARLEY_VECTORS"; exit 1; }
passed=0; failed=0
step() { # step NAME command...
    local name=$1; shift
    echo "=== $name"
    if "$@"; then passed=$((passed + 1)); echo "--- $name: ok"
    else failed=$((failed + 1)); echo "--- $name: FAILED"; fi
}
step "build (release)" make -s -j2 all
step "unit tests (release)" make -s unit
step "build (ASan+UBSan)" make -s -j2 SAN=1 all
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
step "unit tests (ASan+UBSan+LSan)" make -s SAN=1 unit
for t in tests/integration/test_*.sh; do
    step "$(basename "$t" .sh) (release)" bash "$t"
    step "$(basename "$t" .sh) (ASan+UBSan)" env PARLEY="$PWD/build-san/parley" CRASH_ROUNDS=2 bash "$t"
done
step "demo exchange" env PARLEY_DEMO_ONCE=1 bash scripts/demo.sh
step "fuzz (${FUZZ_SECONDS:-20}s per target)" bash scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
echo
echo "test suite: $passed passed, $failed failed"
[ "$failed" = 0 ]
