#pragma once
// A node's wall clock (System.currentTimeMillis on a JobManager's host) as an offset from the
// simulation's clock: a step (clock-skew fault) moves it at once, a drift (clock-drift fault)
// makes it run fast or slow by `ppm` parts per million until the drift ends. The kernel's clock
// stays the one true time; only model code that reads wall time (the fabric8 lease arithmetic)
// reads this. Timers (sleep) stay on the simulation's monotonic clock, as Java's scheduled
// executors use System.nanoTime, which a step does not move.
#include <cstdint>

#include "sim/time.hpp"

namespace model::kubernetes {

class LocalClock {
 public:
  // Drift rates past this are not clocks but faults of another kind.
  static constexpr std::int64_t kDriftPpmMax = 500'000;

  sim::Instant now(sim::Instant sim_now) const;
  void step(sim::Instant sim_now, sim::Duration amount);
  // Starts (or changes) a drift; ppm 0 ends it. What the drift accumulated is kept.
  void drift(sim::Instant sim_now, std::int64_t ppm);
  sim::Duration offset(sim::Instant sim_now) const { return now(sim_now) - sim_now; }

 private:
  sim::Duration offset_{};
  std::int64_t drift_ppm_ = 0;
  sim::Instant drift_since_{};
};

}  // namespace model::kubernetes
