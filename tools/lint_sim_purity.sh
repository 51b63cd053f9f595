#!/usr/bin/env bash
# sim/ must read no real time, no real randomness, no process identity, and start no threads:
# everything inside a simulation comes from the virtual clock and the seeded PRNG.
# model/ is held to the same rule. Lines outside any simulation carry "determinism-ok".
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='system_clock|steady_clock|high_resolution_clock|random_device|[^_a-z]rand\(|srand\(|time\(NULL|time\(nullptr|gettimeofday|clock_gettime|this_thread::sleep|getpid\(|std::thread|std::jthread|pthread_create|std::async|_distribution<|std::hash<.*\*>|unordered_(map|set)<[^,>]*\*'
hits=$(grep -rnE "$pattern" sim model --include='*.cpp' --include='*.hpp' --include='*.h' | grep -v 'determinism-ok' || true)
if [ -n "$hits" ]; then
  echo "FAIL: real-world input or threads in simulated code:"
  echo "$hits"
  exit 1
fi
# Two PRNG draws in one statement: C++ leaves the order of a call's arguments unspecified, gcc
# evaluates them right to left and clang left to right, so the same seed gives different runs.
draws='(rng|prng|random)[a-z_]*(\.|->)(below|between|chance|pick|next|uniform|jitter)[a-z_]*\('
hits=$(grep -rnE "$draws.*$draws" sim model harness --include='*.cpp' --include='*.hpp' | grep -v 'determinism-ok' || true)
if [ -n "$hits" ]; then
  echo "FAIL: two PRNG draws in one statement (their order is unspecified; sequence them):"
  echo "$hits"
  exit 1
fi
files=$(find sim model -name '*.cpp' -o -name '*.hpp' | wc -l)
echo "OK: $files files in sim/ and model/ free of real time, real randomness, process identity and threads"
