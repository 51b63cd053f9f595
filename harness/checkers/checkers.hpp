#pragma once
// Runs the checkers a scenario asks for over one run's trace, and takes the per-run measurements.
#include <string>
#include <vector>

#include "harness/checkers/check_context.hpp"

namespace harness {

// Violations of the named properties (property_names()), ordered by simulated time, each with
// `known` set when the trace shows a known upstream issue's mechanism (known_issues.hpp).
std::vector<Violation> check_properties(const Events& events, const CheckContext& context,
                                        const std::vector<std::string>& properties);

struct RunMeasurements {
  sim::Duration believed_leader_overlap{};
  sim::Duration believed_leader_overlap_running{};  // of it, the time neither JobManager was paused
  std::vector<sim::Duration> failover_times;
  // Grants by a LeaderLatch whose node belongs to an older ZooKeeper session than its client's
  // (the CURATOR-696 mechanism, zombie_leadership.hpp): under "curator": "5.7" there must be none.
  std::size_t zombie_grants = 0;
};
RunMeasurements measure_run(const Events& events, const CheckContext& context);

}  // namespace harness
