#!/usr/bin/env bash
# `hasim replay` of each seed prints the trace_hash `hasim run` printed for that seed.
set -uo pipefail
hasim=$1 scenario=$2 seeds=$3
pairs=$("$hasim" run "$scenario" --seeds "$seeds" --json | grep -o '"seed":[0-9]*,"trace_hash":"[0-9a-f]*"' | sed 's/"seed":\([0-9]*\),"trace_hash":"\([0-9a-f]*\)"/\1 \2/')
[ -n "$pairs" ] || { echo "no per-seed hashes from hasim run"; exit 1; }
while read -r seed hash; do
  replayed=$("$hasim" replay "$scenario" --seed "$seed" --json | grep -o '"trace_hash":"[0-9a-f]*"' | tail -1 | cut -d'"' -f4)
  [ "$replayed" = "$hash" ] || { echo "seed $seed: run $hash, replay $replayed"; exit 1; }
  echo "seed $seed: run and replay trace_hash $hash"
done <<< "$pairs"
