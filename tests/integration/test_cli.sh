#!/usr/bin/env bash
# test_cli.sh — the auditor CLI's stable interface against the RFC 9162
# vectors: every valid proof exits 0, every invalid one exits 1, usage
# errors exit 2; `tlog root` reproduces every root.
cd "$(dirname "$0")/../.." && . tests/integration/lib.sh
V=$VECTORS/rfc9162-merkle/vectors.json

: >"$T/leaves"
check "root of an empty file is SHA-256 of nothing" 0 "$PARLEY" tlog root "$T/leaves"
[ "$(cat "$T/out")" = "$(jq -r .empty_root "$V")" ] && ok "empty root value" || bad "empty root $(cat "$T/out")"
for n in $(seq 1 8); do
    jq -r ".leaves[0:$n][]" "$V" >"$T/leaves"
    got=$("$PARLEY" tlog root "$T/leaves"); want=$(jq -r ".roots[$((n-1))]" "$V")
    [ "$got" = "$want" ] && ok "tlog root of $n leaves" || bad "root of $n leaves: $got"
done
printf 'zz\n' >"$T/badleaves"
check "tlog root rejects non-hex lines" 1 "$PARLEY" tlog root "$T/badleaves"
check "tlog root of a missing file" 2 "$PARLEY" tlog root "$T/none"

run_cases() { # run_cases KEY EXIT KIND
    local key=$1 want=$2 kind=$3 count fails=0
    count=$(jq ".$key | length" "$V")
    for i in $(seq 0 $((count - 1))); do
        c=$(jq -c ".$key[$i]" "$V")
        proof=$(jq -r '.proof | join(",")' <<<"$c")
        if [ "$kind" = inclusion ]; then
            "$PARLEY" tlog verify-inclusion --leaf-hash "$(jq -r .leaf_hash <<<"$c")" --index "$(jq -r .index <<<"$c")" \
                --size "$(jq -r .size <<<"$c")" --root "$(jq -r .root <<<"$c")" --proof "$proof" >/dev/null 2>&1
        else
            "$PARLEY" tlog verify-consistency --size1 "$(jq -r .size1 <<<"$c")" --size2 "$(jq -r .size2 <<<"$c")" \
                --root1 "$(jq -r .root1 <<<"$c")" --root2 "$(jq -r .root2 <<<"$c")" --proof "$proof" >/dev/null 2>&1
        fi
        [ $? = "$want" ] || { fails=$((fails + 1)); echo "  $key[$i] $(jq -r '.why // ""' <<<"$c")"; }
    done
    [ "$fails" = 0 ] && ok "$key: all $count cases exit $want" || bad "$key: $fails of $count cases wrong"
}
run_cases inclusion 0 inclusion
run_cases invalid_inclusion 1 inclusion
run_cases consistency 0 consistency
run_cases invalid_consistency 1 consistency

R=$(jq -r '.roots[2]' "$V"); L=$(jq -r '.inclusion[3].leaf_hash' "$V"); P=$(jq -r '.inclusion[3].proof | join(",")' "$V")
check "uppercase hex is the same hash" 0 "$PARLEY" tlog verify-inclusion --leaf-hash "${L^^}" --index 0 --size 3 --root "$R" --proof "$P"
check "short hash is invalid" 1 "$PARLEY" tlog verify-inclusion --leaf-hash "${L:0:62}" --index 0 --size 3 --root "$R" --proof "$P"
check "non-hex hash is invalid" 1 "$PARLEY" tlog verify-inclusion --leaf-hash "g${L:1}" --index 0 --size 3 --root "$R" --proof "$P"
check "missing --root is a usage error" 2 "$PARLEY" tlog verify-inclusion --leaf-hash "$L" --index 0 --size 3
check "non-numeric size is a usage error" 2 "$PARLEY" tlog verify-inclusion --leaf-hash "$L" --index 0 --size x --root "$R"
check "unknown option is a usage error" 2 "$PARLEY" tlog verify-consistency --size1 1 --size2 2 --root1 "$R" --root2 "$R" --bogus 1
check "unknown subcommand is a usage error" 2 "$PARLEY" tlog frobnicate
check "no command is a usage error" 2 "$PARLEY"

# Signed-note vectors through `parley verify checkpoint`.
C=$VECTORS/c2sp-note/checkpoints.json
vk=$(jq -r .log_vkey "$C")
for i in $(seq 0 $(($(jq '.cases | length' "$C") - 1))); do
    jq -j ".cases[$i].note" "$C" >"$T/note"
    want=$([ "$(jq ".cases[$i].valid" "$C")" = true ] && echo 0 || echo 1)
    check "checkpoint vector: $(jq -r ".cases[$i].name" "$C")" "$want" "$PARLEY" verify checkpoint "$T/note" --key "$vk"
done
check "verify checkpoint with a malformed key is a usage error" 2 "$PARLEY" verify checkpoint "$T/note" --key "nonsense"
finish
