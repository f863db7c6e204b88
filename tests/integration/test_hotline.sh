#!/usr/bin/env bash
# test_hotline.sh — the hotline end to end for three participants over real
# loopback HTTP against `parley serve`: directory changes as logged
# statements, a communication check and its report, an encrypted TLP:AMBER
# notification with an attachment (no plaintext byte in the database or on
# the wire), delivery, acknowledgement, consultation and reply, closure,
# TLP access rules, refusals that leave the log unchanged, deadlines passing
# on an injected clock, and the state rebuilt from the log alone.
cd "$(dirname "$0")/../.." && . tests/integration/lib.sh

G=osce-ict-poc
size() { curl -s "$URL/healthz" | jq .tree_size; }
state_of() { # state_of VIEWER MSG RECIPIENT
    curl -s -H "$(auth "$1")" "$URL/api/v1/messages/$2" | jq -r --arg r "$3" '.message.recipients[] | select(.participant == $r) | .state'
}
msg_id() { sed -n 's/^sent [a-z-]* \([0-9a-f-]*\) .*/\1/p' "$T/out"; }
status() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }

new_node h US RU DE && start_node h
register $G US RU DE || bad "register"
check "group policy update is a logged statement" 0 admin group --id $G --name "OSCE ICT points of contact" \
    --members US,RU,DE --coordinators DE --deadlines comm-check=86400,notification=259200,consultation-request=172800 \
    --default-tlp AMBER
check "second group us-ru-ict" 0 admin group --id us-ru-ict --name "US-RU working group" --members US,RU
"$PARLEY" keygen --id XX --dir "$T/xx" >/dev/null
"$PARLEY" init "$T/other" --origin test.example/other >/dev/null
check "admin statement signed by a foreign admin key is refused" 1 "$PARLEY" admin participant --public "$T/xx/XX.pub" \
    --name X --server "$URL" --admin-key "$T/other/admin.key"
curl -s -H "$(auth US)" "$URL/api/v1/directory" >"$T/dir.json"
[ "$(jq '.participants | length' "$T/dir.json")" = 3 ] && [ "$(jq -r '.groups[] | select(.id == "osce-ict-poc") | .coordinators[0]' "$T/dir.json")" = DE ] \
    && [ "$(jq -r '.participants[] | select(.id == "RU") | .contacts[1].time_zone' "$T/dir.json")" = Europe/Vienna ] \
    && ok "directory lists participants with contact points and the updated group" || bad "directory $(head -c 300 "$T/dir.json")"
check "token file is private" 0 test "$(stat -c %a "$K/US.token")" = 600
grep -q "$(cut -d. -f2 "$K/US.token")" "$T/h/parley.db" "$T/h/parley.db-wal" "$T/h.log" 2>/dev/null \
    && bad "token found in database or server log" || ok "token stored only as a keyed hash (not in db, WAL or log)"

# --- Communication check: coordinator DE checks US and RU; US answers, RU does not.
check "a non-coordinator cannot send a comm-check" 1 as US check --group $G
check "coordinator sends a comm-check" 0 as DE check --group $G
CHECK=$(msg_id)
check "US answers the check" 0 as US reply "$CHECK" --text "US duty officer here"
[ "$(state_of DE "$CHECK" US)" = answered ] && ok "check: US answered" || bad "check US state $(state_of DE "$CHECK" US)"
[ "$(state_of DE "$CHECK" RU)" = sent ] && ok "check: RU not yet" || bad "check RU state $(state_of DE "$CHECK" RU)"

# --- TLP:AMBER notification with an attachment; plaintext never stored or sent in clear.
MARK="PLAINTEXT-CANARY-$RANDOM$RANDOM-scada-intrusion"
echo "indicator: 198.51.100.23 $MARK" >"$T/evidence.txt"
python3 tests/integration/proxy.py "$T/proxy.port" "${URL##*:}" "$T/wire.bin" & PROXY=$!
for _ in $(seq 100); do [ -s "$T/proxy.port" ] && break; sleep 0.05; done
PURL=http://127.0.0.1:$(cat "$T/proxy.port")
check "US notifies RU (AMBER, attachment) via the proxy" 0 env PARLEY_SERVER="$PURL" PARLEY_TOKEN_FILE="$K/US.token" \
    PARLEY_KEY="$K/US.key" PARLEY_LOG_KEY="$T/h/node.vkey" "$PARLEY" send --group $G --to RU --kind notification \
    --subject "Incident $MARK" --text "Details: $MARK" --attach "$T/evidence.txt" --evidence indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f \
    --receipt "$T/notice.json"
NOTICE=$(jq -r .entry.header.id "$T/notice.json")
check "receipt verifies offline" 0 "$PARLEY" verify receipt "$T/notice.json" --key "$T/h/node.vkey"
[ "$(state_of US "$NOTICE" RU)" = sent ] && ok "notification: sent" || bad "notice state $(state_of US "$NOTICE" RU)"
mkdir -p "$T/ru-files"
check "RU reads it via the proxy: verified and decrypted" 0 env PARLEY_SERVER="$PURL" PARLEY_TOKEN_FILE="$K/RU.token" \
    PARLEY_KEY="$K/RU.key" PARLEY_LOG_KEY="$T/h/node.vkey" "$PARLEY" show "$NOTICE" --save "$T/ru-files"
grep -q "Details: $MARK" "$T/out" && ok "RU sees the plaintext" || bad "RU output: $(head -c 300 "$T/out")"
cmp -s "$T/evidence.txt" "$T/ru-files/evidence.txt" && ok "attachment arrives intact" || bad "attachment differs"
kill $PROXY 2>/dev/null; wait $PROXY 2>/dev/null
[ "$(state_of US "$NOTICE" RU)" = delivered ] && ok "notification: delivered (logged on RU's first read)" || bad "state $(state_of US "$NOTICE" RU)"
python3 - "$MARK" "$T/wire.bin" "$T/h/parley.db" "$T/h/parley.db-wal" <<'PY' && ok "no byte of the AMBER plaintext in the traffic, the database or its WAL (raw or base64)" || bad "plaintext leaked"
import base64, os, sys
mark = sys.argv[1].encode()
needles = [mark] + [base64.b64encode(b'x' * k + mark)[4:-4] for k in range(3)]
data = b''.join(open(f, 'rb').read() for f in sys.argv[2:] if os.path.exists(f))
assert len(open(sys.argv[2], 'rb').read()) > 1000, 'capture too small'
assert b'POST /api/v1/messages' in data and b'GET /api/v1/messages/' in data, 'capture missed the exchange'
sys.exit(1 if any(n in data for n in needles) else 0)
PY

# --- Refusals: each with its status, and the log unchanged.
before=$(size)
[ "$(status -H "$(auth DE)" "$URL/api/v1/messages/$NOTICE")" = 403 ] && ok "DE may not read the US→RU AMBER message (403)" || bad "DE read: $(cat "$T/body")"
[ "$(status -H "Authorization: Bearer DE.$(printf 'f%.0s' $(seq 64))" "$URL/api/v1/inbox")" = 401 ] && ok "wrong credentials → 401" || bad "wrong creds"
[ "$(status "$URL/api/v1/inbox")" = 401 ] && jq -e .error.message "$T/body" >/dev/null && ok "no credentials → 401 JSON error" || bad "no creds"
"$PARLEY" envelope create --key "$K/DE.key" --group $G --to US --kind acknowledgement --in-reply-to "$NOTICE" --text ok --out "$T/bad-ack.json"
[ "$(status -H "$(auth DE)" -H 'Content-Type: application/json' --data-binary @"$T/bad-ack.json" "$URL/api/v1/messages")" = 403 ] \
    && ok "acknowledging a message never received → 403" || bad "bad ack: $(cat "$T/body")"
"$PARLEY" envelope create --key "$K/DE.key" --group us-ru-ict --to US --kind notification --text "not a member" --out "$T/outsider.json"
[ "$(status -H "$(auth DE)" -H 'Content-Type: application/json' --data-binary @"$T/outsider.json" "$URL/api/v1/messages")" = 403 ] \
    && ok "envelope for a group the sender is not in → 403" || bad "outsider: $(cat "$T/body")"
"$PARLEY" envelope create --key "$K/US.key" --group $G --to RU --kind notification --text "original" --out "$T/orig.json"
jq '.header.recipients = ["DE"]' "$T/orig.json" >"$T/forged.json"
[ "$(status -H "$(auth US)" -H 'Content-Type: application/json' --data-binary @"$T/forged.json" "$URL/api/v1/messages")" = 403 ] \
    && [ "$(jq -r .error.code "$T/body")" = bad_signature ] && ok "forged signature → 403 bad_signature" || bad "forged: $(cat "$T/body")"
[ "$(status -H "$(auth RU)" -H 'Content-Type: application/json' --data-binary @"$T/orig.json" "$URL/api/v1/messages")" = 403 ] \
    && ok "US's envelope posted with RU's token → 403" || bad "impersonation: $(cat "$T/body")"
jq .entry "$T/notice.json" >/dev/null
[ "$(status -H "$(auth RU)" "$URL/api/v1/messages/01234567-89ab-7def-8123-456789abcdef")" = 404 ] && ok "unknown message → 404" || bad "unknown: $(cat "$T/body")"
[ "$(status -H "$(auth DE)" "$URL/api/v1/groups/us-ru-ict/report")" = 403 ] && ok "report of a group DE is not in → 403" || bad "report access"
[ "$(size)" = "$before" ] && ok "refusals left the log unchanged (size $before)" || bad "log grew to $(size)"
[ "$(status -H "$(auth US)" -H 'Content-Type: application/json' --data-binary @"$T/orig.json" "$URL/api/v1/messages")" = 201 ] && ok "the untampered envelope → 201" || bad "orig: $(cat "$T/body")"
[ "$(status -H "$(auth US)" -H 'Content-Type: application/json' --data-binary @"$T/orig.json" "$URL/api/v1/messages")" = 409 ] && ok "replayed envelope → 409" || bad "replay: $(cat "$T/body")"
curl -s "$URL/metrics" | grep -q 'parley_http_refused_total{status="403"} [1-9]' && ok "403 refusals counted in /metrics" || bad "metrics"

# --- Acknowledgement, consultation, reply, closure.
check "RU acknowledges" 0 as RU ack "$NOTICE"
[ "$(state_of US "$NOTICE" RU)" = acknowledged ] && ok "notification: acknowledged" || bad "state $(state_of US "$NOTICE" RU)"
check "RU requests consultations" 0 as RU send --group $G --to US --kind consultation-request --in-reply-to "$NOTICE" --text "Request consultations"
CONSULT=$(msg_id)
check "US replies" 0 as US reply "$CONSULT" --text "Agreed: call at 14:00 UTC"
[ "$(state_of RU "$CONSULT" US)" = answered ] && ok "consultation: answered" || bad "consult state $(state_of RU "$CONSULT" US)"
check "US closes the notification" 0 as US close "$NOTICE"
[ "$(state_of US "$NOTICE" RU)" = closed ] && ok "notification: closed" || bad "state $(state_of US "$NOTICE" RU)"
check "RU inbox lists the notification" 0 as RU inbox
grep -q "$NOTICE" "$T/out" && ok "inbox shows it" || bad "inbox: $(head -c 300 "$T/out")"

# --- TLP readers: GREEN to the group, CLEAR to anyone, RED to the addressee only.
check "US sends GREEN to RU" 0 as US send --group $G --to RU --kind national-view --tlp GREEN --text "green view"
GREEN=$(msg_id)
check "DE (a member, not addressed) reads and decrypts GREEN" 0 as DE show "$GREEN"
grep -q "green view" "$T/out" && ok "GREEN plaintext readable by the group" || bad "green: $(cat "$T/out")"
check "US sends RED to RU" 0 as US send --group $G --to RU --kind notification --tlp RED --text "red eyes only"
RED=$(msg_id)
[ "$(status -H "$(auth DE)" "$URL/api/v1/messages/$RED")" = 403 ] && ok "RED: DE refused" || bad "red DE"
[ "$(status -H "$(auth RU)" "$URL/api/v1/messages/$RED")" = 200 ] && ok "RED: RU allowed" || bad "red RU"
check "US sends CLEAR to RU in us-ru-ict" 0 as US send --group us-ru-ict --to RU --kind national-view --tlp CLEAR --text "public view"
CLEAR=$(msg_id)
[ "$(status -H "$(auth DE)" "$URL/api/v1/messages/$CLEAR")" = 200 ] && ok "CLEAR: DE (outside the group) allowed" || bad "clear DE"
check "US sends AMBER+STRICT to RU" 0 as US send --group $G --to RU --kind notification --tlp AMBER+STRICT --text "strict"
[ "$(status -H "$(auth DE)" "$URL/api/v1/messages/$(msg_id)")" = 403 ] && ok "AMBER+STRICT: DE refused" || bad "strict DE"

# --- Deadlines on an injected clock: 4 days later.
check "US notifies DE (72 h deadline from the group policy)" 0 as US send --group $G --to DE --kind notification --text "late one"
LATE=$(msg_id)
[ "$(state_of US "$LATE" DE)" = sent ] && ok "before the deadline: sent" || bad "late state"
stop_node
export PARLEY_CLOCK_OFFSET_MS=$((4 * 86400 * 1000))
start_node h
[ "$(state_of US "$LATE" DE)" = overdue ] && ok "after 4 days: overdue" || bad "late state $(state_of US "$LATE" DE)"
[ "$(state_of US "$NOTICE" RU)" = closed ] && ok "closed messages are never overdue" || bad "notice $(state_of US "$NOTICE" RU)"
check "report" 0 as DE report --group $G --json
jq -e '.participants[] | select(.participant == "US") | .answered == 1 and .on_time == 1 and .history == ["on-time"]' "$T/out" >/dev/null \
    && ok "report: US answered on time" || bad "report US: $(jq -c '.participants' "$T/out")"
jq -e '.participants[] | select(.participant == "RU") | .answered == 0 and .history == ["missed"]' "$T/out" >/dev/null \
    && ok "report: RU missed the check" || bad "report RU"
jq -e '.checks[0].responses[] | select(.participant == "US") | .response_seconds >= 0' "$T/out" >/dev/null \
    && jq -e '.participants[] | select(.participant == "RU") | .contact_points | length == 2' "$T/out" >/dev/null \
    && ok "report: response time and contact points" || bad "report details"
check "second check, answered late by RU" 0 as DE check --group $G --deadline-hours 1
CHECK2=$(msg_id)
stop_node
export PARLEY_CLOCK_OFFSET_MS=$((4 * 86400 * 1000 + 2 * 3600 * 1000))
start_node h
check "RU answers two hours later" 0 as RU reply "$CHECK2" --text "sorry, late"
check "report after two checks" 0 as DE report --group $G --json
jq -e '.participants[] | select(.participant == "RU") | .checks == 2 and .answered == 1 and .on_time == 0 and .history == ["missed", "late"]' "$T/out" >/dev/null \
    && ok "report: RU history missed, late" || bad "report RU: $(jq -c '.participants[] | select(.participant == "RU")' "$T/out")"

# --- A long randomized exchange, then the state rebuilt from the log alone.
ids=(US RU DE)
msgs=()
RANDOM=${HOTLINE_SEED:-20261123} # a fixed seed: the same exchange on every run (override to explore)
for i in $(seq 1 60); do
    s=${ids[$((RANDOM % 3))]}; r=${ids[$((RANDOM % 3))]}
    case $((RANDOM % 5)) in
    0|1) [ "$s" = "$r" ] && continue
         as "$s" send --group $G --to "$r" --kind notification --text "random $i" >"$T/out" 2>&1 && msgs+=("$(msg_id):$r:$s") ;;
    2) [ ${#msgs[@]} -gt 0 ] && { m=${msgs[$((RANDOM % ${#msgs[@]}))]}; as "$(echo "$m" | cut -d: -f2)" ack "${m%%:*}" >/dev/null 2>&1; } ;;
    3) [ ${#msgs[@]} -gt 0 ] && { m=${msgs[$((RANDOM % ${#msgs[@]}))]}; as "$(echo "$m" | cut -d: -f2)" reply "${m%%:*}" --text "re $i" >/dev/null 2>&1; } ;;
    4) [ ${#msgs[@]} -gt 0 ] && { m=${msgs[$((RANDOM % ${#msgs[@]}))]}; as "$(echo "$m" | cut -d: -f3)" close "${m%%:*}" >/dev/null 2>&1; } ;;
    esac
done
[ ${#msgs[@]} -gt 5 ] && ok "randomized exchange: ${#msgs[@]} notifications and their follow-ups" || bad "random exchange too small"
for id in US RU DE; do curl -s -H "$(auth $id)" "$URL/api/v1/inbox?box=all&limit=500" | jq -S 'del(.messages[].logged)' >"$T/live.$id"; done
stop_node
check "rebuild from the log equals the live state" 0 "$PARLEY" admin rebuild "$T/h"
grep -q "equals" "$T/out" && ok "digests match: $(grep 'digest after' "$T/out")" || bad "rebuild output $(cat "$T/out")"
start_node h
same=1
for id in US RU DE; do
    curl -s -H "$(auth $id)" "$URL/api/v1/inbox?box=all&limit=500" | jq -S 'del(.messages[].logged)' >"$T/rebuilt.$id"
    cmp -s "$T/live.$id" "$T/rebuilt.$id" || same=0
done
[ $same = 1 ] && ok "every participant's view is identical after the rebuild" || bad "views differ after rebuild"
check "offline admin refuses while the node runs" 1 "$PARLEY" admin rebuild "$T/h"
unset PARLEY_CLOCK_OFFSET_MS
finish
