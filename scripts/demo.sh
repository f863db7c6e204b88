#!/usr/bin/env bash
# demo.sh — installs what Parley needs, builds it, starts a local node with two
# participants (US and RU) in one working group, and runs a scripted exchange:
# a communication check and its reply, an incident notification with an
# evidence attachment, its acknowledgement, a consultation request and the
# reply. Every receipt is verified offline with `parley verify receipt`, and
# the log is shown to be append-only with a consistency proof.
# The node keeps serving afterwards (Ctrl-C stops it) unless PARLEY_DEMO_ONCE=1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
make -s -j2 build/parley
P=$PWD/build/parley
D=${PARLEY_DEMO_DIR:-$PWD/demo-node}
rm -rf "$D"; mkdir -p "$D"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "1. Initialise a node (SQLite store, Ed25519 log key) in $D/node"
"$P" init "$D/node" --origin parley.demo/us-ru-ict --port 0
say "2. Each participant makes its keys locally; the node registers the public halves"
"$P" keygen --id US --dir "$D/us" | sed -n 1p
"$P" keygen --id RU --dir "$D/ru" | sed -n 1p
"$P" participant add "$D/node" --public "$D/us/US.pub" --name "United States"
"$P" participant add "$D/node" --public "$D/ru/RU.pub" --name "Russian Federation"

say "3. Start the node on loopback"
"$P" serve "$D/node" --port "${PARLEY_DEMO_PORT:-0}" --port-file "$D/port" >"$D/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$D/port" ] && break; sleep 0.05; done
URL=http://127.0.0.1:$(cat "$D/port")
echo "node: $URL   log key: $(cat "$D/node/node.vkey")"
curl -s "$URL/healthz"; echo

send() { # send STEP FROM TO KIND TLP RECEIPT [extra args]
    local step=$1 from=$2 to=$3 kind=$4 tlp=$5 receipt=$6; shift 6
    local lower; lower=$(echo "$from" | tr A-Z a-z)
    say "$step: $from → $to  $kind  (TLP:$tlp)"
    "$P" send --server "$URL" --key "$D/$lower/$from.key" --group us-ru-ict --to "$to" --kind "$kind" \
        --tlp "$tlp" --receipt "$D/$receipt.json" --log-key "$D/node/node.vkey" "$@"
    "$P" verify receipt "$D/$receipt.json" --key "$D/node/node.vkey"
}
id_of() { jq -r .entry.header.id "$D/$1.json"; }

send "4. Communication check" US RU comm-check GREEN check --text "Communication check #1: please confirm receipt." --deadline-hours 24
send "5. Check answered" RU US comm-check-reply GREEN check-reply --text "Confirmed. Duty officer on shift." --in-reply-to "$(id_of check)"
cat >"$D/evidence.json" <<'JSON'
{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[
 {"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
  "created":"2026-11-23T08:00:00.000Z","modified":"2026-11-23T08:00:00.000Z",
  "name":"Scanning of industrial control endpoints","pattern_type":"stix",
  "pattern":"[ipv4-addr:value = '198.51.100.23']","valid_from":"2026-11-23T08:00:00Z"}]}
JSON
send "6. Incident notification with evidence attached" US RU notification AMBER notice --payload-file "$D/evidence.json" --deadline-hours 72
send "7. Acknowledgement" RU US acknowledgement AMBER ack --text "Received; under review." --in-reply-to "$(id_of notice)"
send "8. Consultation request" RU US consultation-request AMBER consult --text "Request consultations on the notified activity." --in-reply-to "$(id_of notice)" --deadline-hours 72
send "9. Reply to the consultation request" US RU reply AMBER consult-reply --text "Agreed; proposing a call at 14:00 UTC." --in-reply-to "$(id_of consult)"

say "10. The log: checkpoint, and proof that the log seen at step 4 was never rewritten"
curl -s "$URL/log/checkpoint" | tee "$D/checkpoint.txt"
"$P" verify checkpoint "$D/checkpoint.txt" --key "$D/node/node.vkey"
old_size=$(jq .tree_size "$D/check.json")
old_root=$(jq -r .checkpoint "$D/check.json" | sed -n 3p | base64 -d | xxd -p -c 64)
new_size=$(sed -n 2p "$D/checkpoint.txt")
new_root=$(sed -n 3p "$D/checkpoint.txt" | base64 -d | xxd -p -c 64)
proof=$(curl -s "$URL/api/v1/proof/consistency?from=$old_size&to=$new_size" | jq -r '.consistency_proof | join(",")')
"$P" tlog verify-consistency --size1 "$old_size" --size2 "$new_size" --root1 "$old_root" --root2 "$new_root" --proof "$proof"

say "Done: 6 messages logged, 6 receipts verified. Receipts are in $D/*.json"
if [ "${PARLEY_DEMO_ONCE:-0}" != 1 ]; then
    echo "The node keeps running at $URL (tiles: $URL/log/tile/0/000.p/$new_size). Ctrl-C to stop."
    wait $pid
fi
