#!/bin/sh
# For every catalogued mutant with a scenario in scenarios/mutant-*.json: generic exploration of
# the explore workload (never the mutant's hand-written schedule) until a run breaks the mutant's
# own property as an unexplained violation, then a shrink of that seed. Prints one Markdown row
# per mutant: runs and wall time to first detection, the property, and the shrunk schedule's size.
# usage: tools/mutant_detection.sh HASIM [RUNS_MAX] [JOBS] [SCENARIO]
set -eu
hasim=$1
runs_max=${2:-2000}
jobs=${3:-2}
scenario=${4:-scenarios/explore.json}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| mutant | property | runs to first | wall s | first seed | faults before | faults after | shrink runs |"
echo "|---|---|---|---|---|---|---|---|"
for file in scenarios/mutant-*.json; do
  set -- $(python3 -c "import json,sys; e=json.load(open(sys.argv[1]))['expect']; print(e['mutant'], e['property'])" "$file")
  mutant=$1 property=$2
  status=0
  "$hasim" explore "$scenario" --mutant "$mutant" --runs "$runs_max" --jobs "$jobs" --stop-on "$property" --json > "$out/explore.json" || status=$?
  [ "$status" -le 1 ] || { echo "| $mutant | $property | explore failed (exit $status) | | | | | |"; continue; }
  set -- $(python3 -c "
import json,sys
d=json.load(open(sys.argv[1])); f=d['first_detection']
print(f['seed'], f['runs'], '%.1f' % f['wall_s']) if f else print('-', '-', '%.1f' % d['wall_s'])" "$out/explore.json")
  seed=$1 runs=$2 wall=$3
  if [ "$seed" = "-" ]; then
    echo "| $mutant | $property | not found in $runs_max | $wall | | | | |"
    continue
  fi
  "$hasim" shrink "$scenario" --seed "$seed" --mutant "$mutant" --property "$property" -o "$out/min.json" --json > "$out/shrink.json"
  set -- $(python3 -c "
import json,sys
d=json.load(open(sys.argv[1])); print(d['faults_before'], d['faults_after'], d['runs'])" "$out/shrink.json")
  echo "| $mutant | $property | $runs | $wall | $seed | $1 | $2 | $3 |"
done
