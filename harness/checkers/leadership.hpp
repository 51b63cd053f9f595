#pragma once
// Who believes it leads, from the trace alone: a JobManager believes from its `grant` until its
// next `revoke` or its crash, whichever comes first (TRACE.md). Shared by single-leader, liveness
// and the per-run measurements (believed-leader overlap, failover time).
#include <optional>
#include <string>
#include <vector>

#include "harness/checkers/check_context.hpp"

namespace harness {

struct BeliefInterval {
  std::string cluster;  // trace name
  std::string jobmanager;
  std::string session_id;
  sim::Instant from;
  std::optional<sim::Instant> to;  // nullopt: still believed at the end of the run
};

std::vector<BeliefInterval> believed_leader_intervals(const Events& events, const CheckContext& context);

// Time during which at least two JobManagers of one cluster both believed they lead, summed over
// clusters. `exceeded_at` is set to the instant the running total passed `bound`, when it did.
struct Overlap {
  sim::Duration total{};
  std::optional<sim::Instant> exceeded_at;
};
Overlap believed_leader_overlap(const std::vector<BeliefInterval>& intervals, sim::Instant run_end,
                                std::optional<sim::Duration> bound = std::nullopt);

// Each failover: from the loss of a believed leader (its crash, its pause, or its revoke) to the
// next `confirm` of component "dispatcher" in its cluster. A paused leader that resumes still
// believing, before anyone else was confirmed, was no failover. Losses that never end in a
// confirm before the run's end are not counted.
std::vector<sim::Duration> failover_times(const Events& events, const CheckContext& context);

}  // namespace harness
