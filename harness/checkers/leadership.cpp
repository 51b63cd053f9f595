#include "harness/checkers/leadership.hpp"

#include <algorithm>
#include <map>
#include <set>

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

std::vector<std::string> sessions_believed_within(const std::vector<BeliefInterval>& intervals,
                                                  const std::string& cluster, sim::Instant from, sim::Instant to) {
  std::vector<std::string> sessions;
  for (const auto& interval : intervals) {
    if (interval.cluster != cluster || interval.from > to || (interval.to && *interval.to < from)) continue;
    sessions.push_back(interval.session_id);
  }
  return sessions;
}

Overlap believed_leader_overlap(const std::vector<BeliefInterval>& intervals, sim::Instant run_end,
                                std::optional<sim::Duration> bound) {
  // Sweep each cluster's interval ends in time order; ends sort before starts at one instant, so
  // a hand-over at a single instant is no overlap.
  struct Edge {
    sim::Instant at;
    int delta;
    std::string session;
    auto operator<=>(const Edge&) const = default;
  };
  std::map<std::string, std::vector<Edge>> edges;
  for (const auto& interval : intervals) {
    edges[interval.cluster].push_back({interval.from, +1, interval.session_id});
    edges[interval.cluster].push_back({interval.to.value_or(run_end), -1, interval.session_id});
  }
  Overlap overlap;
  for (auto& [cluster, points] : edges) {
    std::sort(points.begin(), points.end());
    std::multiset<std::string> believed;
    sim::Instant previous{};
    for (const auto& edge : points) {
      if (believed.size() >= 2) {
        const sim::Duration span = edge.at - previous;
        if (bound && !overlap.exceeded_at && overlap.total + span > *bound) {
          overlap.exceeded_at = previous + (*bound - overlap.total) + sim::nanoseconds(1);
          overlap.sessions_at_exceeded.assign(believed.begin(), believed.end());
        }
        overlap.total += span;
      }
      if (edge.delta > 0) {
        believed.insert(edge.session);
      } else if (const auto it = believed.find(edge.session); it != believed.end()) {
        believed.erase(it);
      }
      previous = edge.at;
    }
  }
  return overlap;
}

std::vector<BeliefInterval> running_belief_intervals(const std::vector<BeliefInterval>& intervals, const Events& events,
                                                     const CheckContext& context) {
  std::map<std::string, std::vector<std::pair<sim::Instant, sim::Instant>>> pauses;  // JobManager -> [from, to)
  std::map<std::string, sim::Instant> paused_since;
  for (const auto& event : events) {
    if (event.category != "proc"sv || !cluster_of_jobmanager(context, event.process)) continue;
    if (event.name == "pause"sv) paused_since.emplace(event.process, event.at);
    if (event.name != "resume"sv && event.name != "crash"sv) continue;
    const auto since = paused_since.find(event.process);
    if (since == paused_since.end()) continue;
    pauses[event.process].emplace_back(since->second, event.at);
    paused_since.erase(since);
  }
  for (const auto& [jobmanager, since] : paused_since) pauses[jobmanager].emplace_back(since, sim::Instant{INT64_MAX});
  std::vector<BeliefInterval> running;
  for (const auto& interval : intervals) {
    BeliefInterval piece = interval;
    for (const auto& [from, to] : pauses[interval.jobmanager]) {
      if (to <= piece.from || (piece.to && from >= *piece.to)) continue;
      if (from > piece.from) {
        BeliefInterval before = piece;
        before.to = from;
        running.push_back(before);
      }
      if (piece.to && to >= *piece.to) {
        piece.from = *piece.to;  // nothing left
        break;
      }
      piece.from = std::max(piece.from, to);
    }
    if (!piece.to || piece.from < *piece.to) running.push_back(piece);
  }
  return running;
}

namespace {

struct Believer {
  std::string session;
  sim::Instant granted_at;
};

struct ClusterFailover {
  std::map<std::string, Believer> believers;  // JobManager -> its open belief
  std::optional<sim::Instant> lost_at;        // a failover is under way since
  std::string lost_jobmanager;
  bool lost_by_pause = false;
  std::string confirmed_session;  // of the latest `dispatcher` confirm
  sim::Instant confirmed_at{};
};

// Whether losing `jobmanager` loses the cluster's leader: it believes it leads and no other
// session's Dispatcher was confirmed after its grant (else it had been replaced already).
bool leads(const ClusterFailover& state, const std::string& jobmanager) {
  const auto it = state.believers.find(jobmanager);
  if (it == state.believers.end()) return false;
  const bool superseded = !state.confirmed_session.empty() && state.confirmed_session != it->second.session &&
                          state.confirmed_at > it->second.granted_at;
  return !superseded;
}

}  // namespace

std::vector<sim::Duration> failover_times(const Events& events, const CheckContext& context) {
  std::map<std::string, ClusterFailover> clusters;
  std::vector<sim::Duration> times;
  auto begin_loss = [](ClusterFailover& state, const sim::TraceEvent& event, bool by_pause) {
    if (state.lost_at || !leads(state, event.process)) return;
    state.lost_at = event.at;
    state.lost_jobmanager = event.process;
    state.lost_by_pause = by_pause;
  };
  for (const auto& event : events) {
    if (event.category == "flink"sv) {
      if (event.name != "grant"sv && event.name != "revoke"sv && event.name != "confirm"sv) continue;
      ClusterFailover& state = entry(clusters, text_field(event, "cluster"));
      if (event.name == "grant"sv) state.believers[event.process] = {text_field(event, "session_id"), event.at};
      if (event.name == "revoke"sv && state.believers.count(event.process)) {
        begin_loss(state, event, false);
        state.believers.erase(event.process);
      }
      if (event.name == "confirm"sv && text_field(event, "component") == "dispatcher"sv) {
        state.confirmed_session = text_field(event, "session_id");
        state.confirmed_at = event.at;
        if (state.lost_at) times.push_back(event.at - *state.lost_at);
        state.lost_at.reset();
      }
      continue;
    }
    const ClusterFacts* cluster = event.category == "proc"sv ? cluster_of_jobmanager(context, event.process) : nullptr;
    if (!cluster) continue;
    ClusterFailover& state = clusters[cluster->trace_name];
    const bool believes = state.believers.count(event.process) != 0;
    if (event.name == "crash"sv) {
      if (believes) begin_loss(state, event, false);
      state.believers.erase(event.process);
    } else if (event.name == "pause"sv && believes) {
      begin_loss(state, event, true);
    } else if (event.name == "resume"sv && believes && state.lost_at && state.lost_by_pause &&
               state.lost_jobmanager == event.process) {
      state.lost_at.reset();  // it came back still leading before anyone replaced it
    }
  }
  return times;
}

}  // namespace harness
