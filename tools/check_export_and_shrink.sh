#!/bin/sh
# The contract of `hasim replay --export-schedule` and `hasim shrink`, through the CLI as a user
# types it: usage: check_export_and_shrink.sh HASIM
set -eu
hasim=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# An exported seed replays to the trace hash of the seed it came from.
for seed in 3 17; do
  original=$("$hasim" replay scenarios/explore.json --seed "$seed" --export-schedule "$dir/export-$seed.json" 2>"$dir/err" | grep -o 'trace_hash [0-9a-f]*')
  grep -q "replay: .* replay $dir/export-$seed.json --seed $seed" "$dir/err" || { echo "no replay line: $(cat "$dir/err")"; exit 1; }
  exported=$("$hasim" replay "$dir/export-$seed.json" --seed "$seed" | grep -o 'trace_hash [0-9a-f]*')
  [ "$original" = "$exported" ] || { echo "seed $seed: $original, exported $exported"; exit 1; }
  ! grep -q '"random"[[:space:]]*:[[:space:]]*{' "$dir/export-$seed.json" || { echo "export kept the generator"; exit 1; }
done

# A mutant's failing seed shrinks; the scenario written passes `hasim run` (it expects the
# violation), and the replay command printed works when pasted.
"$hasim" shrink scenarios/explore.json --seed 1000003 --mutant FLINK-19154 -o "$dir/shrunk.json" > "$dir/out"
cat "$dir/out"
replay=$(sed -n 's/.*; replay: \(.*\) (trace hash.*/\1/p' "$dir/out")
[ -n "$replay" ] || { echo "no replay command printed"; exit 1; }
sh -c "$replay" > /dev/null || { echo "pasted replay failed: $replay"; exit 1; }
"$hasim" validate "$dir/shrunk.json" > /dev/null

# explore --stop-on stops at the first run that breaks the property, and says which seed.
"$hasim" explore scenarios/explore.json --mutant FLINK-19154 --runs 40 --jobs 2 --stop-on no-lost-job --json > "$dir/explore.json" || true
python3 -c "
import json,sys
d=json.load(open(sys.argv[1])); f=d['first_detection']
assert f and f['runs'] == f['seed'] - 1000000 + 1 and len(d['runs']) < 40, d.get('first_detection')" "$dir/explore.json"

# Nothing to shrink, or bad flags: exit 2 and one line naming the flag.
set +e
"$hasim" shrink scenarios/standard.json --seed 1 -o "$dir/none.json" > "$dir/out" 2>&1; status=$?
set -e
[ "$status" -eq 2 ] && grep -q -- '--seed' "$dir/out" && [ "$(wc -l < "$dir/out")" -eq 1 ] || { echo "no violation: exit $status: $(cat "$dir/out")"; exit 1; }
set +e
"$hasim" shrink scenarios/explore.json --seed 1000003 --property no-such -o "$dir/x.json" > "$dir/out" 2>&1; status=$?
set -e
[ "$status" -eq 2 ] && grep -q -- '--property' "$dir/out" || { echo "bad property: exit $status: $(cat "$dir/out")"; exit 1; }
set +e
"$hasim" replay scenarios/explore.json --seed 3 --export-schedule /proc/hasim-cannot-write > "$dir/out" 2>&1; status=$?
set -e
[ "$status" -eq 2 ] && grep -q -- '--export-schedule' "$dir/out" || { echo "unwritable export: exit $status: $(cat "$dir/out")"; exit 1; }
set +e
"$hasim" explore scenarios/explore.json --runs 2 --stop-on no-such > "$dir/out" 2>&1; status=$?
set -e
[ "$status" -eq 2 ] && grep -q -- '--stop-on' "$dir/out" || { echo "bad --stop-on: exit $status: $(cat "$dir/out")"; exit 1; }
echo "export and shrink: ok"
