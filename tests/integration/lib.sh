# lib.sh — shared helpers for the integration tests: a real `parley serve`
# on a free loopback port, a fresh node directory, and assertion counters.
# Every test prints "ok"/"FAIL" lines; the runner sums them.
set -u
PARLEY=${PARLEY:-$PWD/build/parley}
VECTORS=${PARLEY_VECTORS:-$PWD/../shared/vectors}
T=$(mktemp -d /tmp/parley-it-XXXXXX)
PASS=0
FAILS=0
SERVER_PID=

ok()   { PASS=$((PASS + 1)); echo "ok   $*"; }
bad()  { FAILS=$((FAILS + 1)); echo "FAIL $*"; }
check() { # check DESCRIPTION EXPECTED_EXIT command...
    local what=$1 want=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"; local got=$?
    if [ "$got" = "$want" ]; then ok "$what"; else bad "$what (exit $got, want $want): $(head -c 300 "$T/err")"; fi
}

new_node() { # new_node NAME: node dir with participants US and RU registered
    local d=$T/$1
    "$PARLEY" init "$d" --origin "test.example/$1" --port 0 >/dev/null || return 1
    for id in US RU; do
        [ -f "$T/keys/$id.key" ] || "$PARLEY" keygen --id "$id" --dir "$T/keys" >/dev/null
        "$PARLEY" participant add "$d" --public "$T/keys/$id.pub" >/dev/null
    done
}

start_node() { # start_node NAME: serve it, set URL
    rm -f "$T/$1.port"
    SERVER_NAME=$1
    "$PARLEY" serve "$T/$1" --port 0 --port-file "$T/$1.port" >"$T/$1.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do [ -s "$T/$1.port" ] && break; sleep 0.05; done
    URL=http://127.0.0.1:$(cat "$T/$1.port")
}

SERVER_NAME=
stop_node() { # graceful stop; the server must exit 0 with no sanitizer report
    [ -n "$SERVER_PID" ] || return 0
    kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; local rc=$?
    SERVER_PID=
    if [ "$rc" != 0 ] || grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$T/$SERVER_NAME.log"; then
        bad "server $SERVER_NAME exited $rc: $(grep -m3 -E "Sanitizer|runtime error|leak" "$T/$SERVER_NAME.log")"
    else
        ok "server $SERVER_NAME stopped cleanly (exit 0, no sanitizer report)"
    fi
}

finish() {
    stop_node
    rm -rf "$T"
    echo "$PASS passed, $FAILS failed"
    [ "$FAILS" = 0 ]
}
