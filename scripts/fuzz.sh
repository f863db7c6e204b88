#!/usr/bin/env bash
# fuzz.sh [SECONDS] — builds the libFuzzer targets and runs each for SECONDS
# (default 30) on a corpus seeded from ../shared/vectors and from envelopes and
# receipts made by a real node. A crash, leak or sanitizer report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
make -s fuzz >/dev/null
make -s build/parley >/dev/null
seeds=build-fuzz/seeds
rm -rf "$seeds"; mkdir -p "$seeds"/{envelope,note,receipt,jcs,hotline,stix,codec}
V=../shared/vectors
cp $V/rfc8785-jcs/input/* tests/fuzz-regressions/jcs-* "$seeds/jcs/"
jq -j '.cases[0].note' $V/c2sp-note/checkpoints.json >"$seeds/note/cp0"
jq -j '.cases[1].note' $V/c2sp-note/checkpoints.json >"$seeds/note/cp1"
printf 'tile/0/x001/x234/067.p/5' >"$seeds/note/tile"
# codec: first byte is the output bound, the rest the base64 text
printf '\x40Zm9vYmFy' >"$seeds/codec/six"; printf '\x40Zm9vYg==' >"$seeds/codec/pad2"
printf '\x02Zm9vYmE=' >"$seeds/codec/toolong"; printf '\x40\xc3\xa9AA' >"$seeds/codec/utf8"
t=$(mktemp -d)
P=build/parley
$P init "$t/n" --origin parley.example/shared-log --port 0 >/dev/null
$P keygen --id US --dir "$t/k" >/dev/null; $P keygen --id RU --dir "$t/k" >/dev/null
$P envelope create --key "$t/k/US.key" --group g1 --to RU --kind notification --text evidence --deadline-hours 72 --out "$seeds/envelope/e1"
$P serve "$t/n" --port 0 --port-file "$t/port" >/dev/null & pid=$!
for _ in $(seq 100); do [ -s "$t/port" ] && break; sleep 0.05; done
export PARLEY_SERVER="http://127.0.0.1:$(cat "$t/port")" PARLEY_LOG_KEY="$t/n/node.vkey"
adm() { $P admin "$@" --admin-key "$t/n/admin.key" >/dev/null; }
adm participant --public "$t/k/US.pub" --name "United States" --contacts "duty|duty|24/7|UTC"
adm participant --public "$t/k/RU.pub" --name "Russian Federation"
adm group --id g1 --name "Group one" --members US,RU --coordinators US --deadlines notification=3600
adm token --participant US --out "$t/k/US.token"
$P submit "$seeds/envelope/e1" --token-file "$t/k/US.token" --receipt "$seeds/receipt/r1" >/dev/null
PARLEY_TOKEN_FILE="$t/k/US.token" PARLEY_KEY="$t/k/US.key" $P send --group g1 --to RU --kind notification \
    --tlp AMBER --text sealed --receipt "$seeds/receipt/r2" >/dev/null
curl -s "$PARLEY_SERVER/api/v1/entries/0" | jq -c .entry >"$seeds/hotline/participant"
curl -s "$PARLEY_SERVER/api/v1/entries/2" | jq -c .entry >"$seeds/hotline/group"
curl -s "$PARLEY_SERVER/api/v1/entries/2" | jq -c .entry.statement.body >"$seeds/hotline/group-body"
curl -s "$PARLEY_SERVER/api/v1/entries/0" | jq -c .entry.statement.body >"$seeds/hotline/participant-body"
curl -s -H "Authorization: Bearer $(cat "$t/k/US.token")" "$PARLEY_SERVER/api/v1/messages/$(jq -r .entry.header.id "$seeds/receipt/r2")" |
    jq -j .envelope.payload | base64 -d >"$seeds/hotline/sealed"
kill $pid; wait $pid 2>/dev/null || true
jq -c .entry "$seeds/receipt/r1" >"$seeds/envelope/leaf1"
cp "$seeds/receipt/r1" "$seeds/jcs/"; cp "$t/k/US.pub" "$seeds/jcs/"
rm -rf "$t"
python3 - "$seeds/stix" ../shared/data/mitre-attack/ics-attack-18.1.json <<'PY'
import json, sys
objs = json.load(open(sys.argv[2]))["objects"]
seen = {}
for o in objs:
    seen.setdefault(o["type"], o)
for t, o in seen.items():
    open(f"{sys.argv[1]}/{t}", "w").write(json.dumps(o))
PY
for target in envelope note receipt jcs hotline stix codec; do
    echo "== fuzz_$target for ${secs}s"
    mkdir -p "build-fuzz/corpus-$target"
    build-fuzz/fuzz/fuzz_$target -max_total_time="$secs" -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="build-fuzz/" "build-fuzz/corpus-$target" "$seeds/$target" 2>&1 |
        grep -E "^(stat::number_of_executed_runs|stat::new_units_added)|ERROR|SUMMARY|crash-|leak" || true
    # libFuzzer exits non-zero on a finding; artifacts are written beside the build.
    if compgen -G 'build-fuzz/crash-*' >/dev/null || compgen -G 'build-fuzz/leak-*' >/dev/null ||
        compgen -G 'build-fuzz/timeout-*' >/dev/null; then
        echo "fuzz_$target found a failure"; exit 1
    fi
done
echo "fuzz: no crashes"
