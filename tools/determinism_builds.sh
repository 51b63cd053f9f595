#!/usr/bin/env bash
# Determinism across optimisation levels: a Debug (-O0) build and the Release (-O2) build must
# print identical trace hashes for the same seeds. Usage: determinism_builds.sh RELEASE_HASIM [SEEDS]
set -euo pipefail
release_hasim=$1
seeds=${2:-1000}
src=$(cd "$(dirname "$0")/.." && pwd)
debug_dir=$(dirname "$(dirname "$release_hasim")")/debug-O0
cmake -S "$src" -B "$debug_dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g0" > /dev/null
cmake --build "$debug_dir" --target hasim -j "$(nproc)" > /dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$release_hasim" trace-hashes kernel --seeds "$seeds" > "$out/release.txt"
"$debug_dir/harness/hasim" trace-hashes kernel --seeds "$seeds" > "$out/debug.txt"
lines=$(wc -l < "$out/release.txt")
distinct=$(cut -d' ' -f2 "$out/release.txt" | sort -u | wc -l)
if ! diff -q "$out/release.txt" "$out/debug.txt" > /dev/null; then
  echo "FAIL: -O0 and -O2 trace hashes differ:"
  diff "$out/release.txt" "$out/debug.txt" | head -10
  exit 1
fi
if [ "$lines" -ne "$seeds" ] || [ "$distinct" -ne "$seeds" ]; then
  echo "FAIL: expected $seeds distinct hashes, got $lines lines and $distinct distinct"
  exit 1
fi
echo "OK: $seeds seeds, identical trace hashes at -O0 and -O2, all $distinct distinct"
