#!/usr/bin/env bash
# demo.sh — installs what Parley needs, builds it, starts a local node, and
# runs a scripted exchange between two participants (US and RU) in one
# working group: the administrator registers them (signed, logged statements)
# and issues their API tokens; then a communication check and its answer, an
# incident notification with an evidence attachment (end-to-end encrypted,
# TLP:AMBER), its delivery and acknowledgement, a consultation request and
# the reply. Every receipt is verified offline with `parley verify receipt`,
# the communication-check report is printed, and the log is shown to be
# append-only with a consistency proof.
# The node keeps serving afterwards (Ctrl-C stops it) unless PARLEY_DEMO_ONCE=1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
make -s -j2 build/parley
P=$PWD/build/parley
D=${PARLEY_DEMO_DIR:-$PWD/demo-node}
rm -rf "$D"; mkdir -p "$D"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
receipts=0
verify() { # verify RECEIPT_FILE: offline, against the log key only
    "$P" verify receipt "$1" --key "$D/node/node.vkey"
    receipts=$((receipts + 1))
}

say "1. Initialise a node (SQLite store, Ed25519 log key, admin key) in $D/node"
"$P" init "$D/node" --origin parley.demo/us-ru-ict --port 0
say "2. Start the node on loopback"
"$P" serve "$D/node" --port "${PARLEY_DEMO_PORT:-0}" --port-file "$D/port" >"$D/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 200); do [ -s "$D/port" ] && break; sleep 0.05; done
URL=http://127.0.0.1:$(cat "$D/port")
echo "node: $URL   log key: $(cat "$D/node/node.vkey")"
export PARLEY_SERVER=$URL PARLEY_LOG_KEY=$D/node/node.vkey

say "3. Each participant makes its keys locally; only the public halves go to the administrator"
"$P" keygen --id US --dir "$D/us" | sed -n 1p
"$P" keygen --id RU --dir "$D/ru" | sed -n 1p
say "4. The administrator registers them and the group, and issues tokens (each a signed, logged statement)"
admin() { "$P" admin "$@" --admin-key "$D/node/admin.key"; }
admin participant --public "$D/us/US.pub" --name "United States" \
    --contacts "US duty officer|duty|24/7|America/New_York;US cyber coordinator|escalation|09:00-17:00|America/New_York"
admin participant --public "$D/ru/RU.pub" --name "Russian Federation" \
    --contacts "RU duty officer|duty|24/7|Europe/Moscow;RU cyber coordinator|escalation|09:00-18:00|Europe/Moscow"
admin group --id us-ru-ict --name "US-RU working group on ICT security" --members US,RU --coordinators US \
    --deadlines comm-check=86400,notification=259200,consultation-request=172800 --default-tlp AMBER
admin token --participant US --out "$D/us/US.token"
admin token --participant RU --out "$D/ru/RU.token"
as() { local who=$1 lower; lower=$(echo "$1" | tr A-Z a-z); shift
    PARLEY_KEY=$D/$lower/$who.key PARLEY_TOKEN_FILE=$D/$lower/$who.token "$P" "$@"; }
id_of() { jq -r .entry.header.id "$D/$1.json"; }

say "5. Communication check: US (coordinator) → RU, answer within 24 h"
as US check --group us-ru-ict --text "Communication check #1: please confirm receipt." --receipt "$D/check.json"
verify "$D/check.json"
say "6. RU answers the check"
as RU reply "$(id_of check)" --text "Confirmed. RU duty officer on shift." --receipt "$D/check-reply.json"
verify "$D/check-reply.json"

cat >"$D/evidence.json" <<'JSON'
{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[
 {"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
  "created":"2026-11-23T08:00:00.000Z","modified":"2026-11-23T08:00:00.000Z",
  "name":"Scanning of industrial control endpoints","pattern_type":"stix",
  "pattern":"[ipv4-addr:value = '198.51.100.23']","valid_from":"2026-11-23T08:00:00Z"}]}
JSON
say "7. Incident notification US → RU with a STIX evidence attachment (TLP:AMBER, encrypted to RU and US)"
as US send --group us-ru-ict --to RU --kind notification --subject "Scanning of ICS endpoints from 198.51.100.23" \
    --severity high --text "Since 06:00 UTC we observe scanning of industrial control endpoints. Evidence attached." \
    --attach "$D/evidence.json" --evidence indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f --receipt "$D/notice.json"
verify "$D/notice.json"
echo "what the node stores and any observer sees of the payload: $(jq -r .entry.header.payload_size "$D/notice.json") bytes of ciphertext"

say "8. RU reads it: signature, receipt and decryption checked locally; the read is logged as delivery"
mkdir -p "$D/ru/received"
as RU show "$(id_of notice)" --save "$D/ru/received"
say "9. RU acknowledges (a signed message: RU cannot later deny having received it)"
as RU ack "$(id_of notice)" --text "Received; under review by RU CERT." --receipt "$D/ack.json"
verify "$D/ack.json"
say "10. RU requests consultations"
as RU send --group us-ru-ict --to US --kind consultation-request --in-reply-to "$(id_of notice)" \
    --text "Request consultations on the notified activity." --receipt "$D/consult.json"
verify "$D/consult.json"
say "11. US replies to the consultation request"
as US reply "$(id_of consult)" --text "Agreed; proposing a call at 14:00 UTC." --receipt "$D/consult-reply.json"
verify "$D/consult-reply.json"

say "12. Message states, as US sees them"
as US inbox --box all
say "13. Communication-check report"
as US report --group us-ru-ict

say "14. The log: checkpoint, and proof that the log seen at step 5 was never rewritten"
curl -s "$URL/log/checkpoint" | tee "$D/checkpoint.txt"
"$P" verify checkpoint "$D/checkpoint.txt" --key "$D/node/node.vkey"
old_size=$(jq .tree_size "$D/check.json")
old_root=$(jq -r .checkpoint "$D/check.json" | sed -n 3p | base64 -d | xxd -p -c 64)
new_size=$(sed -n 2p "$D/checkpoint.txt")
new_root=$(sed -n 3p "$D/checkpoint.txt" | base64 -d | xxd -p -c 64)
proof=$(curl -s "$URL/api/v1/proof/consistency?from=$old_size&to=$new_size" | jq -r '.consistency_proof | join(",")')
"$P" tlog verify-consistency --size1 "$old_size" --size2 "$new_size" --root1 "$old_root" --root2 "$new_root" --proof "$proof"

say "Done: 6 messages exchanged, $receipts receipts verified offline. Receipts are in $D/*.json"
if [ "${PARLEY_DEMO_ONCE:-0}" != 1 ]; then
    echo "The node keeps running at $URL (tiles: $URL/log/tile/0/000.p/$new_size). Ctrl-C to stop."
    wait $pid
fi
