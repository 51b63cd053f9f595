#include "harness/checkers/leadership.hpp"

#include <algorithm>
#include <map>

namespace harness {
namespace {

// Open intervals by JobManager process name.
using OpenBeliefs = std::map<std::string, BeliefInterval>;

void close_belief(OpenBeliefs& open, const std::string& jobmanager, sim::Instant at,
                  std::vector<BeliefInterval>& closed) {
  auto it = open.find(jobmanager);
  if (it == open.end()) return;
  it->second.to = at;
  closed.push_back(std::move(it->second));
  open.erase(it);
}

}  // namespace

std::vector<BeliefInterval> believed_leader_intervals(const Events& events, const CheckContext& context) {
  OpenBeliefs open;
  std::vector<BeliefInterval> closed;
  for (const auto& event : events) {
    if (is_flink(event, "grant")) {
      close_belief(open, event.process, event.at, closed);  // a second grant without a revoke ends the first
      open[event.process] = {text_field(event, "cluster"), event.process, text_field(event, "session_id"), event.at, {}};
    } else if (is_flink(event, "revoke")) {
      close_belief(open, event.process, event.at, closed);
    } else if (is_proc(event, "crash") && cluster_of_jobmanager(context, event.process)) {
      close_belief(open, event.process, event.at, closed);
    }
  }
  for (auto& [name, interval] : open) closed.push_back(std::move(interval));
  std::sort(closed.begin(), closed.end(), [](const BeliefInterval& a, const BeliefInterval& b) {
    return a.from != b.from ? a.from < b.from : a.jobmanager < b.jobmanager;
  });
  return closed;
}

Overlap believed_leader_overlap(const std::vector<BeliefInterval>& intervals, sim::Instant run_end,
                                std::optional<sim::Duration> bound) {
  // Sweep each cluster's interval ends in time order; ends sort before starts at one instant, so
  // a hand-over at a single instant is no overlap.
  std::map<std::string, std::vector<std::pair<sim::Instant, int>>> edges;
  for (const auto& interval : intervals) {
    edges[interval.cluster].emplace_back(interval.from, +1);
    edges[interval.cluster].emplace_back(interval.to.value_or(run_end), -1);
  }
  Overlap overlap;
  for (auto& [cluster, points] : edges) {
    std::sort(points.begin(), points.end());
    int believers = 0;
    sim::Instant previous{};
    for (const auto& [at, delta] : points) {
      if (believers >= 2) {
        const sim::Duration span = at - previous;
        if (bound && !overlap.exceeded_at && overlap.total + span > *bound) {
          overlap.exceeded_at = previous + (*bound - overlap.total) + sim::nanoseconds(1);
        }
        overlap.total += span;
      }
      believers += delta;
      previous = at;
    }
  }
  return overlap;
}

namespace {

struct ClusterFailover {
  std::map<std::string, bool> believers;       // JobManager -> believes it leads
  std::optional<sim::Instant> lost_at;         // a failover is under way since
  std::string lost_jobmanager;
  bool lost_by_pause = false;
};

}  // namespace

std::vector<sim::Duration> failover_times(const Events& events, const CheckContext& context) {
  std::map<std::string, ClusterFailover> clusters;
  std::vector<sim::Duration> times;
  auto begin_loss = [](ClusterFailover& state, const sim::TraceEvent& event, bool by_pause) {
    if (state.lost_at) return;
    state.lost_at = event.at;
    state.lost_jobmanager = event.process;
    state.lost_by_pause = by_pause;
  };
  for (const auto& event : events) {
    if (event.category == "flink") {
      ClusterFailover& state = clusters[text_field(event, "cluster")];
      if (event.name == "grant") state.believers[event.process] = true;
      if (event.name == "revoke" && state.believers[event.process]) {
        state.believers[event.process] = false;
        begin_loss(state, event, false);
      }
      if (event.name == "confirm" && text_field(event, "component") == "dispatcher" && state.lost_at) {
        times.push_back(event.at - *state.lost_at);
        state.lost_at.reset();
      }
      continue;
    }
    const ClusterFacts* cluster = event.category == "proc" ? cluster_of_jobmanager(context, event.process) : nullptr;
    if (!cluster) continue;
    ClusterFailover& state = clusters[cluster->trace_name];
    const bool believes = state.believers[event.process];
    if (event.name == "crash") {
      state.believers[event.process] = false;
      if (believes) begin_loss(state, event, false);
    } else if (event.name == "pause" && believes) {
      begin_loss(state, event, true);
    } else if (event.name == "resume" && believes && state.lost_at && state.lost_by_pause &&
               state.lost_jobmanager == event.process) {
      state.lost_at.reset();  // it came back still leading before anyone replaced it
    }
  }
  return times;
}

}  // namespace harness
