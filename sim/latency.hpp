#pragma once
// A latency distribution, sampled with the component's own stream. Integer-only, so every build
// draws the same values.
#include <string_view>

#include "sim/assert.hpp"
#include "sim/prng.hpp"
#include "sim/time.hpp"

namespace sim {

struct LatencyModel {
  enum class Kind { kFixed, kUniform, kExponential };
  Kind kind = Kind::kUniform;
  Duration min = microseconds(200);  // kFixed uses min; kExponential adds min as a floor
  Duration max = milliseconds(2);    // kUniform upper bound
  Duration mean = milliseconds(1);   // kExponential mean of the part above the floor

  static LatencyModel fixed(Duration value) { return {Kind::kFixed, value, value, Duration{}}; }
  static LatencyModel uniform(Duration low, Duration high) { return {Kind::kUniform, low, high, Duration{}}; }
  static LatencyModel exponential(Duration floor, Duration mean_above_floor) {
    return {Kind::kExponential, floor, floor, mean_above_floor};
  }

  Duration sample(Prng& rng) const {
    switch (kind) {
      case Kind::kFixed: return min;
      case Kind::kUniform:
        SIM_ASSERT(min <= max);
        return rng.duration_between(min, max);
      case Kind::kExponential: return min + rng.exponential(mean);
    }
    return min;
  }
};

}  // namespace sim
