#!/bin/sh
# hasim explore --guided, cheaply (a CTest test):
#  1. it finds FLINK-19154 (no-lost-job) within 8 runs of the explore workload, writes the
#     violating run's schedule, and the printed replay command, pasted, shows that violation;
#  2. on the correct model, 8 guided runs (mutations included) leave 0 unexplained violations;
#  3. a campaign is deterministic: the same 8 runs twice, on 1 and on 2 threads, give the same
#     seeds, trace hashes, corpus and findings.
# usage: tools/check_guided_explore.sh HASIM
set -eu
hasim=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "check_guided_explore: $*" >&2; exit 1; }

status=0
"$hasim" explore --guided --mutant FLINK-19154 --runs 8 --stop-on no-lost-job --schedules "$dir/found" --json \
  > "$dir/found.json" || status=$?
[ "$status" -eq 1 ] || fail "guided explore of FLINK-19154 exited $status, expected 1"
replay=$(python3 -c "
import json,sys
d=json.load(open(sys.argv[1])); f=d['first_detection']
assert f is not None, 'FLINK-19154 not found in 8 guided runs'
assert f['runs'] <= 8
print(f['replay'])" "$dir/found.json") || fail "no first detection"
status=0
sh -c "$replay" > "$dir/replay.txt" || status=$?
[ "$status" -eq 1 ] || fail "replay exited $status, expected 1: $replay"
grep -q "^violation no-lost-job" "$dir/replay.txt" || fail "replay did not show the no-lost-job violation: $replay"

"$hasim" explore --guided --runs 8 --schedules "$dir/correct" --json > "$dir/correct.json" ||
  fail "guided explore of the correct model found something (exit $?)"
python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
assert d['unexplained_violations'] == 0, d['unexplained_violations']
assert d['guided']['mutated_runs'] > 0, 'no run mutated a corpus entry'" "$dir/correct.json" ||
  fail "correct model: unexplained violations, or no mutated run"

"$hasim" explore --guided --runs 8 --jobs 2 --schedules "$dir/correct2" --json > "$dir/correct2.json" || true
python3 -c "
import json,sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for key in ('runs', 'violations'):
    assert a[key] == b[key], key
ga, gb = a['guided'], b['guided']
for key in ('corpus_entries', 'feedback_keys', 'mutated_runs'):
    assert ga[key] == gb[key], key
" "$dir/correct.json" "$dir/correct2.json" || fail "the same campaign on 1 and 2 threads differs"
echo "check_guided_explore: ok"
