#!/usr/bin/env bash
# test_http.sh — the node over real loopback HTTP: appends and receipts,
# tlog-tiles reads, proofs, and hostile input (each a 4xx JSON error, the log
# unchanged, the node still up).
cd "$(dirname "$0")/../.." && . tests/integration/lib.sh

new_node a && start_node a
register us-ru-ict US RU || bad "register participants"
base=$(curl -s "$URL/healthz" | jq .tree_size)
[ "$base" = 5 ] && ok "directory: 2 participants, 2 credentials, 1 group logged" || bad "directory size $base"
check "send + verified receipt" 0 as US send --group us-ru-ict --to RU --kind notification --tlp AMBER --text "AMBER incident notice" --receipt "$T/r1.json"
check "verify receipt offline" 0 "$PARLEY" verify receipt "$T/r1.json" --key "$T/a/node.vkey" --sender-key "$(jq -r .entry.header.sender_key "$T/r1.json")"
check "receipt with the wrong sender key" 1 "$PARLEY" verify receipt "$T/r1.json" --key "$T/a/node.vkey" --sender-key "$(jq -r .verifier "$K/RU.pub")"
for i in 2 3 4 5; do as RU send --group us-ru-ict --to US --kind notification --text "note $i" --receipt "$T/r$i.json" >/dev/null; done
size=$(curl -s "$URL/healthz" | jq .tree_size)
[ "$size" = 10 ] && ok "tree size 10" || bad "tree size $size"

# tlog-tiles: checkpoint, level-0 partial tile = leaf hashes, entry bundle.
curl -s "$URL/log/checkpoint" >"$T/cp"
check "served checkpoint verifies" 0 "$PARLEY" verify checkpoint "$T/cp" --key "$T/a/node.vkey"
code=$(curl -s -o "$T/tile" -w '%{http_code}' "$URL/log/tile/0/000.p/10")
[ "$code" = 200 ] && [ "$(stat -c %s "$T/tile")" = 320 ] && ok "partial tile 0/000.p/10 has 10 hashes" || bad "tile: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/log/tile/0/000.p/11"); [ "$code" = 404 ] && ok "tile wider than the tree is 404" || bad "wide tile $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/log/tile/0/000"); [ "$code" = 404 ] && ok "full tile not yet full is 404" || bad "full tile $code"
curl -s "$URL/log/tile/entries/000.p/10" >"$T/bundle"
# The leaf hashes in the tile are SHA-256(0x00 || entry) of the bundle's entries.
python3 - "$T/bundle" "$T/tile" <<'PY' && ok "tile hashes match entry bundle" || bad "tile/bundle mismatch"
import hashlib, sys
b = open(sys.argv[1], 'rb').read(); t = open(sys.argv[2], 'rb').read()
i = 0; hs = []
while i < len(b):
    n = int.from_bytes(b[i:i+2], 'big'); hs.append(hashlib.sha256(b'\0' + b[i+2:i+2+n]).digest()); i += 2 + n
assert b''.join(hs) == t and len(hs) == 10
PY
# The root computed by `parley tlog root` from the bundle equals the checkpoint's root.
python3 -c "
import sys
b=open('$T/bundle','rb').read(); i=0
while i < len(b):
    n=int.from_bytes(b[i:i+2],'big'); print(b[i+2:i+2+n].hex()); i+=2+n" >"$T/leaves.hex"
root_hex=$("$PARLEY" tlog root "$T/leaves.hex")
cp_root=$(sed -n 3p "$T/cp" | base64 -d | od -An -tx1 | tr -d ' \n')
[ "$root_hex" = "$cp_root" ] && ok "tlog root of served entries = checkpoint root" || bad "root $root_hex vs $cp_root"

# Proof endpoints feed the auditor CLI.
r1=$(curl -s "$URL/api/v1/checkpoints/1" | sed -n 3p | base64 -d | od -An -tx1 | tr -d ' \n')
proof=$(curl -s "$URL/api/v1/proof/consistency?from=1&to=10" | jq -r '.consistency_proof | join(",")')
check "consistency 1→10 via API + CLI" 0 "$PARLEY" tlog verify-consistency --size1 1 --size2 10 --root1 "$r1" --root2 "$cp_root" --proof "$proof"
lh=$(sed -n 2p "$T/leaves.hex" | xxd -r -p | (printf '\0'; cat) | sha256sum | cut -c1-64)
proof=$(curl -s "$URL/api/v1/proof/inclusion?index=1&size=10" | jq -r '.inclusion_proof | join(",")')
check "inclusion of leaf 1 via API + CLI" 0 "$PARLEY" tlog verify-inclusion --leaf-hash "$lh" --index 1 --size 10 --root "$cp_root" --proof "$proof"
check "inclusion at the wrong index fails" 1 "$PARLEY" tlog verify-inclusion --leaf-hash "$lh" --index 2 --size 10 --root "$cp_root" --proof "$proof"

# Hostile input: status, JSON error body, nothing appended.
expect() { # expect STATUS DESCRIPTION curl-args...
    local want=$1 what=$2; shift 2
    local got; got=$(curl -s -o "$T/body" -w '%{http_code}' "$@")
    if [ "$got" = "$want" ] && jq -e '.error.code and .error.message' "$T/body" >/dev/null 2>&1; then ok "$what → $want"
    else bad "$what: got $got $(head -c 200 "$T/body")"; fi
}
E="$URL/api/v1/messages"
A=$(auth US)
expect 401 "no credentials" -X POST -H 'Content-Type: application/json' --data-binary @"$T/r1.json" "$E"
expect 401 "wrong token" -X POST -H "Authorization: Bearer US.$(printf '0%.0s' $(seq 64))" -H 'Content-Type: application/json' --data-binary @"$T/r1.json" "$E"
expect 401 "another participant's token under my name" -X POST -H "Authorization: Bearer RU.${A##*.}" -H 'Content-Type: application/json' --data-binary @"$T/r1.json" "$E"
expect 401 "malformed authorization" -X POST -H "Authorization: Basic !!!" -H 'Content-Type: application/json' --data-binary @"$T/r1.json" "$E"
expect 400 "bad JSON" -H "$A" -X POST -H 'Content-Type: application/json' --data '{"header":' "$E"
expect 400 "empty body" -H "$A" -X POST -H 'Content-Type: application/json' --data '' "$E"
expect 400 "JSON array" -H "$A" -X POST -H 'Content-Type: application/json' --data '[1,2]' "$E"
expect 400 "duplicate member names" -H "$A" -X POST -H 'Content-Type: application/json' --data '{"header":{},"header":{}}' "$E"
expect 415 "wrong content type" -H "$A" -X POST -H 'Content-Type: text/plain' --data-binary @"$T/r1.json" "$E"
expect 415 "no content type" -H "$A" -X POST -H 'Content-Type:' --data-binary @"$T/r1.json" "$E"
head -c 3000000 /dev/zero | tr '\0' 'a' >"$T/huge"
expect 413 "3 MB body" -H "$A" -X POST -H 'Content-Type: application/json' --data-binary @"$T/huge" "$E"
# Chunked: no length up front, so the node answers 413 mid-upload and closes.
curl -s -o "$T/body" -H "$A" -H 'Expect:' -X POST -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @"$T/huge" "$E"
[ "$(jq -r .error.code "$T/body" 2>/dev/null)" = too_large ] && ok "3 MB chunked body → too_large" || bad "chunked: $(head -c 200 "$T/body")"
printf '\xff\xfe{"a":1}' >"$T/bin"
expect 400 "invalid UTF-8" -H "$A" -X POST -H 'Content-Type: application/json' --data-binary @"$T/bin" "$E"
expect 405 "GET on messages" "$E"
expect 404 "unknown path" "$URL/nope"
expect 404 "bad tile path" "$URL/log/tile/0/x000/001"
expect 400 "bad proof query" "$URL/api/v1/proof/inclusion?index=a&size=1"
expect 400 "proof beyond the tree" "$URL/api/v1/proof/consistency?from=1&to=99"
expect 404 "missing entry" "$URL/api/v1/entries/99"
# Envelopes that are well-formed JSON but must be refused.
"$PARLEY" envelope create --key "$K/US.key" --group us-ru-ict --to RU --kind notification --text hi --out "$T/env.json"
"$PARLEY" envelope create --key "$K/US.key" --group us-ru-ict --to RU --kind notification --tlp AMBER --text hi --out "$T/plain-amber.json"
expect 400 "TLP:AMBER payload in the clear" -H "$A" -X POST -H 'Content-Type: application/json' --data-binary @"$T/plain-amber.json" "$E"
jq '.header.kind = "closure"' "$T/env.json" >"$T/forged.json"
expect 403 "forged (header altered after signing)" -H "$A" -X POST -H 'Content-Type: application/json' --data-binary @"$T/forged.json" "$E"
"$PARLEY" keygen --id FR --dir "$T/keys" >/dev/null
"$PARLEY" envelope create --key "$K/FR.key" --group us-ru-ict --to RU --kind notification --text hi --out "$T/fr.json"
expect 403 "envelope of another sender than the token's" -H "$A" -X POST -H 'Content-Type: application/json' --data-binary @"$T/fr.json" "$E"
code=$(curl -s -o "$T/body" -w '%{http_code}' -H "$A" -X POST -H 'Content-Type: application/json' --data-binary @"$T/env.json" "$E")
[ "$code" = 201 ] && ok "fresh envelope → 201" || bad "fresh envelope: $code"
[ "$(jq -r .leaf_index "$T/body")" = 10 ] && ok "fresh envelope is leaf 10" || bad "leaf index $(head -c 200 "$T/body")"
expect 409 "replayed envelope" -H "$A" -X POST -H 'Content-Type: application/json' --data-binary @"$T/env.json" "$E"
size=$(curl -s "$URL/healthz" | jq .tree_size)
[ "$size" = 11 ] && ok "refusals appended nothing (tree size 11)" || bad "tree size $size"
curl -s "$URL/metrics" >"$T/metrics"
grep -q '^parley_http_refused_total{status="401"} [1-9]' "$T/metrics" && grep -q '^parley_http_refused_total{status="403"} [1-9]' "$T/metrics" \
    && ok "refusals counted in /metrics by status" || bad "metrics: $(grep refused "$T/metrics")"
kill -0 "$SERVER_PID" && ok "node still running" || bad "node died"
finish
