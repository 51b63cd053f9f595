#!/usr/bin/env bash
# Every malformed scenario under tests/scenarios/invalid must make `hasim validate`, and `hasim run`
# too, exit 2 with a one-line error that names the file and the JSON path given in EXPECTED, and
# must not crash.
set -uo pipefail
hasim=$1
dir=$(cd "$(dirname "$0")/../tests/scenarios/invalid" && pwd)
failures=0
checked=0
while read -r file expected; do
  [ -n "$file" ] || continue
  checked=$((checked + 1))
  err=$("$hasim" validate "$dir/$file" 2>&1 >/dev/null)
  status=$?
  lines=$(printf '%s\n' "$err" | grep -c .)
  if [ "$status" -ne 2 ]; then
    echo "FAIL $file: exit $status, expected 2"; failures=$((failures + 1)); continue
  fi
  if [ "$lines" -ne 1 ]; then
    echo "FAIL $file: $lines lines of error, expected 1: $err"; failures=$((failures + 1)); continue
  fi
  case "$err" in
    *"$file"*"$expected"*) echo "ok   $file -> $err" ;;
    *) echo "FAIL $file: expected '$expected' in: $err"; failures=$((failures + 1)); continue ;;
  esac
  run_err=$("$hasim" run "$dir/$file" --seeds 1 2>&1 >/dev/null)
  run_status=$?
  if [ "$run_status" -ne 2 ] || [ "$run_err" != "$err" ]; then
    echo "FAIL $file: run gave exit $run_status and '$run_err', validate exit 2 and '$err'"; failures=$((failures + 1))
  fi
done < "$dir/EXPECTED"
echo "$checked malformed scenarios checked, $failures failed"
[ "$failures" -eq 0 ] && [ "$checked" -ge 20 ]
