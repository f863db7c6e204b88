#!/usr/bin/env bash
# test_crash.sh — kill -9 of `parley serve` in the middle of a burst of
# appends. After a restart: every entry whose receipt was returned is in the
# log at its index, every receipt still verifies, and a consistency proof from
# every checkpoint handed out before the crash to the new checkpoint verifies.
cd "$(dirname "$0")/../.." && . tests/integration/lib.sh

ROUNDS=${CRASH_ROUNDS:-3}
new_node c
start_node c
register us-ru-ict US RU || bad "register participants"
stop_node
mkdir -p "$T/envs" "$T/receipts"
# Pre-sign envelopes so the burst is pure HTTP.
for i in $(seq 1 240); do
    "$PARLEY" envelope create --key "$K/US.key" --group us-ru-ict --to RU --kind notification --text "burst $i" --out "$T/envs/$i.json" || exit 1
done
burst() { # burst ROUND: 8 concurrent senders post the envelopes not yet acknowledged
    for w in $(seq 0 7); do
        (for i in $(seq $((w + 1)) 8 240); do
            f=$T/envs/$i.json
            [ -f "$f.done" ] && continue
            code=$(curl -s -o "$T/receipts/$i.$1.tmp" -w '%{http_code}' -X POST -H "$(auth US)" -H 'Content-Type: application/json' --data-binary @"$f" "$URL/api/v1/messages")
            if [ "$code" = 201 ]; then mv "$T/receipts/$i.$1.tmp" "$T/receipts/$i.json"; touch "$f.done"; fi
        done) &
    done
}
n=0
for round in $(seq 1 "$ROUNDS"); do
    start_node c
    burst "$round"
    sleep 0.$((RANDOM % 4 + 2))
    kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
    wait
    got=$(ls "$T/receipts"/*.json 2>/dev/null | wc -l)
    echo "round $round: $got receipts returned before/at the crash"
    n=$got
done
# A graceful stop in the middle of a burst: the requests suspended while they
# wait on the log are answered before the server exits 0 (a watchdog kills a
# server that hangs, which stop_node reports).
start_node c
burst graceful
sleep 0.3
(sleep 30; kill -9 "$SERVER_PID" 2>/dev/null) & watchdog=$!
stop_node
kill "$watchdog" 2>/dev/null
wait
got=$(ls "$T/receipts"/*.json 2>/dev/null | wc -l)
[ "$got" -gt "$n" ] && ok "receipts returned during the graceful stop's burst ($n -> $got)" || bad "no receipt in the graceful round"
n=$got
rm -f "$T"/receipts/*.tmp
start_node c
curl -s "$URL/log/checkpoint" >"$T/new_cp"
check "checkpoint after restart verifies" 0 "$PARLEY" verify checkpoint "$T/new_cp" --key "$T/c/node.vkey"
new_size=$(sed -n 2p "$T/new_cp")
new_root=$(sed -n 3p "$T/new_cp" | base64 -d | od -An -tx1 | tr -d ' \n')
[ "$n" -gt 0 ] && ok "$n receipts were returned across $ROUNDS crashes" || bad "no receipts"
lost=0; badproof=0; sizes=""
for r in "$T"/receipts/*.json; do
    "$PARLEY" verify receipt "$r" --key "$T/c/node.vkey" >/dev/null 2>&1 || { badproof=$((badproof+1)); continue; }
    idx=$(jq .leaf_index "$r")
    # The entry at that index is byte-for-byte the receipt's entry.
    want=$(jq -cS .entry "$r"); have=$(curl -s "$URL/api/v1/entries/$idx" | jq -cS .entry)
    [ "$want" = "$have" ] || lost=$((lost+1))
    sizes="$sizes $(jq .tree_size "$r")"
done
[ "$lost" = 0 ] && ok "every acknowledged entry is in the log at its index" || bad "$lost acknowledged entries missing"
[ "$badproof" = 0 ] && ok "every receipt still verifies" || bad "$badproof receipts fail"
inconsistent=0; checked=0
for s in $(echo "$sizes" | tr ' ' '\n' | sort -un); do
    old_root=$(jq -r "select(.tree_size == $s) | .checkpoint" "$T"/receipts/*.json | sed -n 3p | base64 -d | od -An -tx1 | tr -d ' \n')
    proof=$(curl -s "$URL/api/v1/proof/consistency?from=$s&to=$new_size" | jq -r '.consistency_proof | join(",")')
    "$PARLEY" tlog verify-consistency --size1 "$s" --size2 "$new_size" --root1 "$old_root" --root2 "$new_root" --proof "$proof" >/dev/null 2>&1 || inconsistent=$((inconsistent+1))
    checked=$((checked+1))
done
[ "$inconsistent" = 0 ] && ok "all $checked pre-crash checkpoints are consistent with the new one (size $new_size)" || bad "$inconsistent of $checked checkpoints inconsistent"
db_check=$(sqlite3 "$T/c/parley.db" 'PRAGMA integrity_check' 2>&1)
[ "$db_check" = ok ] && ok "database integrity_check ok" || bad "integrity: $db_check"
finish
