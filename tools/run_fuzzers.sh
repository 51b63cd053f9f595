#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS (default 60) from a corpus seeded with scenarios/ and
# tests/scenarios/invalid/ (the config parsers' target: tests/fuzz/corpus-config/), with a dictionary of the keys and enum strings the scenarios use.
# Prints each target's execution count; a crash, abort, leak or hang (> 10 s per input) fails and
# leaves the input under BUILD/fuzz-artifacts/ (turn it into a file in tests/scenarios/invalid/ or a
# test). usage: run_fuzzers.sh BUILD_DIR [SECONDS] [TARGETS]
set -uo pipefail
build=$1
seconds=${2:-60}
targets=${3:-"scenario_loader_fuzzer scenario_run_fuzzer config_parsers_fuzzer"}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/fuzz-artifacts"
dict="$build/fuzz-scenario.dict"
# Every quoted string in the scenarios (keys, enum values, node names) as a dictionary entry.
cat "$src"/scenarios/*.json | grep -o '"[A-Za-z0-9_./ -]\{1,40\}"' | sort -u | sed 's/\\/\\\\/g' > "$dict"
failed=0
for target in $targets; do
  corpus="$build/fuzz-corpus/$target"
  mkdir -p "$corpus"
  if [ "$target" = config_parsers_fuzzer ]; then
    cp -n "$src"/tests/fuzz/corpus-config/* "$corpus"/ 2> /dev/null
  else
    cp -n "$src"/scenarios/*.json "$src"/tests/scenarios/invalid/*.json "$corpus"/ 2> /dev/null
  fi
  log="$build/fuzz-$target.log"
  # -rss_limit_mb: a scenario may ask for a big deployment; 4 GB is the bound, past it is a finding.
  "$build/tests/fuzz/$target" "$corpus" -dict="$dict" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=4096 -max_len=16384 -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$target-" \
    > "$log" 2>&1
  status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  if [ $status -ne 0 ]; then
    echo "FAIL $target: exit $status after ${runs:-?} executions; see $log and $build/fuzz-artifacts/"
    grep -E 'ERROR|==[0-9]+==|run-error|refused|SUMMARY' "$log" | head -8
    failed=1
  else
    echo "ok   $target: ${runs:-?} executions in $seconds s, no crash, abort, leak or hang"
  fi
done
exit $failed
