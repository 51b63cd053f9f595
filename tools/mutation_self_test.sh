#!/bin/sh
# Mutation self-test (issue 10, scope 5), the cheap part CTest runs: guided exploration of the
# generic explore workload (never a mutant's hand-written schedule) must break each listed
# mutant's own property (the `expect.property` of scenarios/mutant-<id>.json) as an unexplained
# violation within BUDGET runs. The mutants listed are those found in the first batch; the slow
# ones are measured by tools/guided_vs_swarm.sh instead. The correct model under the same kind of
# budget is tools/check_guided_explore.sh's part.
# usage: tools/mutation_self_test.sh HASIM BUDGET MUTANT...
set -eu
hasim=$1 budget=$2
shift 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failed=0
for mutant in "$@"; do
  file="scenarios/mutant-$(echo "$mutant" | tr 'A-Z' 'a-z').json"
  property=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['expect']['property'])" "$file")
  status=0
  "$hasim" explore --guided --mutant "$mutant" --runs "$budget" --jobs 2 --stop-on "$property" \
    --schedules "$out/$mutant" --json > "$out/result.json" || status=$?
  if [ "$status" -gt 1 ]; then
    echo "$mutant: explore exited $status"
    failed=1
    continue
  fi
  runs=$(python3 -c "
import json,sys
f=json.load(open(sys.argv[1]))['first_detection']; print(f['runs'] if f else '-')" "$out/result.json")
  if [ "$runs" = "-" ]; then
    echo "$mutant: $property not broken within $budget guided runs"
    failed=1
  else
    echo "$mutant: $property broken after $runs runs"
  fi
done
exit $failed
