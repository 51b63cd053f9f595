#include "model/kubernetes/local_clock.hpp"

#include "sim/assert.hpp"

namespace model::kubernetes {

sim::Instant LocalClock::now(sim::Instant sim_now) const {
  sim::Duration drifted{};
  if (drift_ppm_ != 0) {
    // Split by whole milliseconds: an hour of nanoseconds times half a million ppm would
    // overflow 64 bits.
    const std::int64_t elapsed = (sim_now - drift_since_).ns;
    const std::int64_t whole = elapsed / 1'000'000, rest = elapsed % 1'000'000;
    drifted = sim::nanoseconds(whole * drift_ppm_ + rest * drift_ppm_ / 1'000'000);
  }
  return sim_now + offset_ + drifted;
}

void LocalClock::step(sim::Instant sim_now, sim::Duration amount) {
  drift(sim_now, drift_ppm_);  // fold what the drift has accumulated so far
  offset_ += amount;
}

void LocalClock::drift(sim::Instant sim_now, std::int64_t ppm) {
  SIM_ASSERT(ppm >= -kDriftPpmMax && ppm <= kDriftPpmMax);
  offset_ = now(sim_now) - sim_now;
  drift_ppm_ = ppm;
  drift_since_ = sim_now;
}

}  // namespace model::kubernetes
