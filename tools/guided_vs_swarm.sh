#!/bin/sh
# Guided against swarm exploration, side by side in one session: for every catalogued mutant with
# a scenario in scenarios/mutant-*.json, `hasim explore --stop-on <its property>` with a runs
# budget, first plain (swarm), then --guided, from the same first seed. The workload is the
# generic explore one (never the mutant's hand-written schedule); for a mutant whose scenario
# turns tolerate-suspended-connections on, its explore variant with that option on
# (scenarios/explore-tolerate-suspended.json), since with it off the bug's code path never runs.
# Prints one Markdown row per mutant (runs and wall seconds to the first unexplained violation of
# the property, "-" when none within the budget), then the medians, counting a miss as budget+1.
# usage: tools/guided_vs_swarm.sh HASIM [RUNS_MAX] [JOBS] [MUTANT...]
set -eu
hasim=$1
runs_max=${2:-300}
jobs=${3:-1}
shift $(( $# < 3 ? $# : 3 ))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
files=""
if [ $# -gt 0 ]; then
  for m in "$@"; do files="$files scenarios/mutant-$(echo "$m" | tr 'A-Z' 'a-z').json"; done
else
  files=$(ls scenarios/mutant-*.json)
fi
echo "| mutant | property | workload | swarm runs | swarm wall s | guided runs | guided wall s |"
echo "|---|---|---|---|---|---|---|"
: > "$out/rows"
for file in $files; do
  set -- $(python3 -c "
import json,sys
d=json.load(open(sys.argv[1])); e=d['expect']
ts=any(c.get('flink_config',{}).get('high-availability.zookeeper.client.tolerate-suspended-connections')=='true' for c in d['clusters'])
print(e['mutant'], e['property'], 'scenarios/explore-tolerate-suspended.json' if ts else 'scenarios/explore.json')" "$file")
  mutant=$1 property=$2 scenario=$3
  row="| $mutant | $property | $(basename "$scenario" .json)"
  for mode in swarm guided; do
    extra=""
    [ "$mode" = guided ] && extra="--guided --schedules $out/schedules"
    status=0
    # shellcheck disable=SC2086
    "$hasim" explore "$scenario" --mutant "$mutant" --runs "$runs_max" --jobs "$jobs" --stop-on "$property" $extra --json \
      > "$out/$mode.json" 2> /dev/null || status=$?
    if [ "$status" -gt 1 ]; then row="$row | exit $status | "; continue; fi
    cell=$(python3 -c "
import json,sys
d=json.load(open(sys.argv[1])); f=d['first_detection']
print('%s | %.1f' % (f['runs'], f['wall_s']) if f else '- | %.1f' % d['wall_s'])" "$out/$mode.json")
    row="$row | $cell"
  done
  echo "$row |"
  echo "$row" >> "$out/rows"
done
python3 - "$out/rows" "$runs_max" <<'PY'
import sys, statistics
budget = int(sys.argv[2])
swarm, guided = [], []
for line in open(sys.argv[1]):
    cells = [c.strip() for c in line.strip().strip('|').split('|')]
    value = lambda c: budget + 1 if c == '-' else int(c)
    swarm.append(value(cells[3])); guided.append(value(cells[5]))
if swarm:
    ms, mg = statistics.median(swarm), statistics.median(guided)
    print(f"\nmedian runs to first detection (a miss counts {budget + 1}): swarm {ms}, guided {mg}, ratio {mg / ms:.2f}")
    print(f"found within {budget}: swarm {sum(v <= budget for v in swarm)} of {len(swarm)}, guided {sum(v <= budget for v in guided)} of {len(guided)}")
PY
