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
files=$(find sim model -name '*.cpp' -o -name '*.hpp' | wc -l)
echo "OK: $files files in sim/ and model/ free of real time, real randomness, process identity and threads"
