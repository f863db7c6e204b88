# lib.sh — shared helpers for the integration tests: a real `parley serve`
# on a free loopback port, a fresh node directory, participants registered
# through the admin API, and assertion counters.
# Every test prints "ok"/"FAIL" lines; the runner sums them.
set -u
PARLEY=${PARLEY:-$PWD/build/parley}
VECTORS=${PARLEY_VECTORS:-$PWD/../shared/vectors}
T=$(mktemp -d /tmp/parley-it-XXXXXX)
K=$T/keys
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

new_node() { # new_node NAME [IDS…]: a node directory, and key files for IDS (default US RU)
    local d=$T/$1; shift
    "$PARLEY" init "$d" --origin "test.example/$(basename "$d")" --port 0 >/dev/null || return 1
    for id in ${@:-US RU}; do
        [ -f "$K/$id.key" ] || "$PARLEY" keygen --id "$id" --dir "$K" >/dev/null
    done
}

start_node() { # start_node NAME: serve it, set URL
    rm -f "$T/$1.port"
    SERVER_NAME=$1
    "$PARLEY" serve "$T/$1" --port 0 --port-file "$T/$1.port" >>"$T/$1.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 200); do [ -s "$T/$1.port" ] && break; sleep 0.05; done
    URL=http://127.0.0.1:$(cat "$T/$1.port")
}

admin() { # admin SUBCOMMAND ARGS…: as the running node's administrator
    "$PARLEY" admin "$@" --server "$URL" --admin-key "$T/$SERVER_NAME/admin.key" --log-key "$T/$SERVER_NAME/node.vkey"
}

register() { # register GROUP IDS…: participants, tokens ($K/ID.token) and one group of them
    local group=$1; shift
    for id in "$@"; do
        admin participant --public "$K/$id.pub" --name "Participant $id" \
            --contacts "Duty officer $id|duty|24/7|UTC;Head of CERT $id|escalation|08:00-18:00|Europe/Vienna" >/dev/null || return 1
        admin token --participant "$id" --out "$K/$id.token" >/dev/null || return 1
    done
    admin group --id "$group" --name "Working group $group" --members "$(echo "$@" | tr ' ' ,)" >/dev/null
}

as() { # as ID parley-args…: run the CLI as participant ID
    local id=$1; shift
    PARLEY_SERVER=$URL PARLEY_TOKEN_FILE=$K/$id.token PARLEY_KEY=$K/$id.key PARLEY_LOG_KEY=$T/$SERVER_NAME/node.vkey \
        "$PARLEY" "$@"
}

auth() { # auth ID: the curl header for participant ID
    echo "Authorization: Bearer $(cat "$K/$1.token")"
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
