#!/usr/bin/env bash
# Determinism across builds: other compilers and optimisation levels must give the trace hashes the
# Release (gcc -O2) build gives, for the kernel workload and for full scenarios (standard and
# explore), where unordered containers, floating point and argument evaluation order could differ.
#
# usage: determinism_builds.sh RELEASE_HASIM [KERNEL_SEEDS] [SCENARIO_SEEDS] [BUILDS]
#   BUILDS: space-separated, from gcc-O0 clang-O0 clang-O2 (default: gcc-O0). Each is built with
#   only the hasim target into a folder beside the release build (determinism-<build>).
# The four-build comparison of issue 14: tools/determinism_builds.sh build/harness/hasim 1000 10000 "gcc-O0 clang-O0 clang-O2"
set -euo pipefail
release_hasim=$1
kernel_seeds=${2:-1000}
scenario_seeds=${3:-20}
builds=${4:-gcc-O0}
src=$(cd "$(dirname "$0")/.." && pwd)
root=$(dirname "$(dirname "$release_hasim")")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One line per seed: "seed hash", from `run --json`.
scenario_hashes() {  # HASIM SCENARIO SEEDS
  "$1" run "$src/scenarios/$2.json" --seeds "$3" --jobs "$(nproc)" --json > "$out/run.json" || [ $? -eq 1 ]
  python3 -c 'import json,sys; [print(r["seed"], r["trace_hash"]) for r in json.load(open(sys.argv[1]))["runs"]]' "$out/run.json"
}

hashes_of() {  # HASIM NAME
  "$1" trace-hashes kernel --seeds "$kernel_seeds" > "$out/$2.kernel"
  scenario_hashes "$1" standard "$scenario_seeds" > "$out/$2.standard"
  scenario_hashes "$1" explore "$scenario_seeds" > "$out/$2.explore"
}

hashes_of "$release_hasim" release
for what in kernel standard explore; do
  want=$([ $what = kernel ] && echo "$kernel_seeds" || echo "$scenario_seeds")
  lines=$(wc -l < "$out/release.$what")
  distinct=$(cut -d' ' -f2 "$out/release.$what" | sort -u | wc -l)
  if [ "$lines" -ne "$want" ] || [ "$distinct" -ne "$want" ]; then
    echo "FAIL: $what: expected $want distinct hashes from the release build, got $lines lines and $distinct distinct"
    exit 1
  fi
done

for build in $builds; do
  case $build in
    gcc-O0) cc=g++ flags="-O0 -g0" ;;
    clang-O0) cc=clang++ flags="-O0 -g0" ;;
    clang-O2) cc=clang++ flags="-O2 -g0" ;;
    *) echo "unknown build $build (gcc-O0, clang-O0, clang-O2)"; exit 2 ;;
  esac
  dir="$root/determinism-$build"
  cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER="$cc" -DCMAKE_CXX_FLAGS_DEBUG="$flags" > /dev/null
  cmake --build "$dir" --target hasim -j "$(nproc)" > /dev/null
  hashes_of "$dir/harness/hasim" "$build"
  for what in kernel standard explore; do
    if ! diff -q "$out/release.$what" "$out/$build.$what" > /dev/null; then
      echo "FAIL: $what: $build and release (gcc -O2) trace hashes differ:"
      diff "$out/release.$what" "$out/$build.$what" | head -10
      exit 1
    fi
  done
  echo "OK: $build gives the release build's trace hashes: kernel $kernel_seeds seeds, standard and explore $scenario_seeds seeds each"
done
