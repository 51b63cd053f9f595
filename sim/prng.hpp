#pragma once
// Seeded randomness. xoshiro256** seeded through splitmix64. Every component takes its own named
// stream (Prng::stream), derived from the run seed and the stream name only, so that adding a
// component or a draw in one component never shifts the draws of another.
//
// All sampling is integer arithmetic implemented here: std::*_distribution is forbidden because
// its output differs between standard libraries.
#include <array>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/assert.hpp"
#include "sim/time.hpp"

namespace sim {

std::uint64_t splitmix64(std::uint64_t& state);
// FNV-1a: stable across platforms and builds, unlike std::hash.
std::uint64_t stable_hash(std::string_view text);

class Prng {
 public:
  explicit Prng(std::uint64_t seed);

  // An independent stream for a named component of the run seeded with `seed`.
  static Prng stream(std::uint64_t seed, std::string_view name);

  std::uint64_t next_u64();
  // Uniform in [0, bound), without modulo bias. bound > 0.
  std::uint64_t below(std::uint64_t bound);
  // Uniform in [low, high], inclusive.
  std::int64_t between(std::int64_t low, std::int64_t high);
  Duration duration_between(Duration low, Duration high);
  // True with probability numerator/denominator.
  bool chance(std::uint64_t numerator, std::uint64_t denominator);
  // Approximately exponential with the given mean: inversion through a fixed-point table of -ln(u),
  // so the result is identical on every compiler and optimisation level. The tail is truncated at
  // ln(256) ~ 5.5 means, which keeps every sampled latency bounded.
  Duration exponential(Duration mean);

  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; i--) {
      std::swap(items[i - 1], items[below(i)]);
    }
  }

  template <typename T>
  const T& pick(const std::vector<T>& items) {
    SIM_ASSERT(!items.empty());
    return items[below(items.size())];
  }

 private:
  std::array<std::uint64_t, 4> state_{};
};

}  // namespace sim
