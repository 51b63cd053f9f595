#pragma once
// How many seeds a test that sweeps a whole scenario runs: the full count normally, a tenth (at
// least 3) in the sanitizer build (make test-sanitize), where a run is several times slower and the
// point is memory and UB errors on every code path, not statistics.
#include <algorithm>
#include <cstdint>

namespace hasim_tests {

constexpr std::uint64_t sweep_seeds(std::uint64_t full) {
#if defined(HASIM_SANITIZED)
  return std::max<std::uint64_t>(3, full / 10);
#else
  return full;
#endif
}

}  // namespace hasim_tests
