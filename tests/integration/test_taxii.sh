#!/usr/bin/env bash
# test_taxii.sh — the TAXII 2.1 evidence channel over real loopback HTTP:
# a client that speaks like the OASIS taxii2-client drives discovery,
# collections, both ATT&CK for ICS releases (versions), filters, pagination,
# dozens of malformed objects, TLP for every label, deletion, and an evidence
# receipt that `parley verify evidence` checks offline. Also: the state
# rebuilt from the log gives the same collection.
cd "$(dirname "$0")/../.." && . tests/integration/lib.sh

new_node x US RU DE FR && start_node x
register g-evidence US RU DE || bad "register"
admin group --id g-evidence --name "Evidence group" --members US,RU,DE --coordinators DE --default-tlp AMBER >/dev/null
admin participant --public "$K/FR.pub" --name "Outsider" >/dev/null && admin token --participant FR --out "$K/FR.token" >/dev/null
python3 tests/integration/taxii_check.py "$URL" "$K" "${PARLEY_DATA:-$PWD/../shared/data/mitre-attack}" >"$T/taxii.out" 2>&1
rc=$?
cat "$T/taxii.out"
PASS=$((PASS + $(grep -c '^ok' "$T/taxii.out"))); FAILS=$((FAILS + $(grep -c '^FAIL' "$T/taxii.out")))
[ $rc = 0 ] || grep -q '^FAIL' "$T/taxii.out" || bad "taxii_check.py crashed (exit $rc)"
check "verify evidence offline" 0 "$PARLEY" verify evidence "$K/evidence.json" --key "$T/x/node.vkey"
jq '.object.name = "tampered"' "$K/evidence.json" >"$T/tampered.json"
check "a tampered object fails verification" 1 "$PARLEY" verify evidence "$T/tampered.json" --key "$T/x/node.vkey"
C=$(curl -s -u "US:$(cat "$K/US.token")" -H 'Accept: application/taxii+json;version=2.1' "$URL/taxii2/api/collections/" | jq -r '.collections[0].id')
count() { curl -s -u "US:$(cat "$K/US.token")" -H 'Accept: application/taxii+json;version=2.1' "$URL/taxii2/api/collections/$C/manifest/?limit=10000&match%5Bversion%5D=all" | jq '.objects | length'; }
before=$(count)
stop_node
check "rebuild from the log" 0 "$PARLEY" admin rebuild "$T/x"
start_node x
[ "$(count)" = "$before" ] && ok "the collection rebuilt from the log has the same $before object versions" || bad "after rebuild: $(count) vs $before"
finish
