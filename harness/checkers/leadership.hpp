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

// The leader sessions of `cluster` believed at some instant of [from, to]: what a verdict about
// that window (a job not running, no checkpoint, a cleanup not done) rests on, for the
// known-issue matcher.
std::vector<std::string> sessions_believed_within(const std::vector<BeliefInterval>& intervals,
                                                  const std::string& cluster, sim::Instant from, sim::Instant to);

// Time during which at least two JobManagers of one cluster both believed they lead, summed over
// clusters. `exceeded_at` is set to the instant the running total passed `bound`, when it did.
struct Overlap {
  sim::Duration total{};
  std::optional<sim::Instant> exceeded_at;
  std::vector<std::string> sessions_at_exceeded;  // the leader sessions believed at `exceeded_at`
};
Overlap believed_leader_overlap(const std::vector<BeliefInterval>& intervals, sim::Instant run_end,
                                std::optional<sim::Duration> bound = std::nullopt);

// The parts of belief intervals during which their JobManager was not paused (a pause runs from
// its `proc` `pause` to its `resume`, or its crash). Their overlap is the time two JobManagers
// both believed they lead while both were running: the part of the overlap in which both could act.
std::vector<BeliefInterval> running_belief_intervals(const std::vector<BeliefInterval>& intervals, const Events& events,
                                                     const CheckContext& context);

// One value per leader loss: from the loss of the cluster's leader (the crash, pause or revoke of a
// JobManager that believes it leads and whose session no other session's `dispatcher` confirm has
// superseded) to the next `confirm` of component "dispatcher" in its cluster. A paused leader that
// resumes still believing, before anyone else was confirmed, was no failover; the later revoke of
// a leader someone else already replaced is no new loss. Losses that never end in a confirm
// before the run's end are not counted.
std::vector<sim::Duration> failover_times(const Events& events, const CheckContext& context);

}  // namespace harness
