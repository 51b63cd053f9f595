#pragma once
// What one run of a scenario under one seed produced: the trace hash (the replay key), the model
// events the checkers read, the faults injected, how the run ended and what the checkers found.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "harness/checkers/check_context.hpp"
#include "sim/limits.hpp"
#include "sim/trace.hpp"

namespace harness {

struct FaultRecord {
  sim::Instant at;
  std::string kind;    // a fault kind, or "end-<kind>" / "watch-<kind>" (an after_event watch began) / "heal-all"
  std::string target;  // as written, or the role
  std::string node;    // what it resolved to ("" when nothing qualified)
  std::string detail;
};

struct RunResult {
  std::uint64_t seed = 0;
  std::uint64_t trace_hash = 0;
  sim::RunOutcome outcome = sim::RunOutcome::kDeadline;
  std::string error;  // an exception escaped the model: the run is unusable as evidence
  sim::Instant ended_at;
  std::uint64_t kernel_events = 0;
  std::vector<sim::TraceEvent> events;  // kept only when asked for (RunOptions::keep_events)
  std::vector<FaultRecord> faults;
  std::vector<Violation> violations;
  sim::Duration believed_leader_overlap{};
  sim::Duration believed_leader_overlap_running{};  // the part of it in which neither JobManager was paused
  std::vector<sim::Duration> failover_times;
  std::size_t zombie_grants = 0;  // CURATOR-696 grants (RunMeasurements::zombie_grants)
  // "Sometimes" probe hits of the run (sim::Simulation::probe_hits; names in model/probes.hpp).
  std::map<std::string, std::uint64_t, std::less<>> probes;

  // Ended at its duration without a limit, a stall or an escaped exception.
  bool completed() const { return error.empty() && !sim::is_incomplete(outcome); }
};

// The findings that say a run did not complete (its trace proves nothing): they fail every
// scenario, a mutant's included.
inline bool is_incomplete_run_finding(std::string_view property) {
  return property == "run-error" || property == "run-limit" || property == "stalled";
}

}  // namespace harness
