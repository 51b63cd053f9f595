#include "harness/checkers/liveness.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "harness/checkers/cluster_end.hpp"
#include "harness/checkers/leadership.hpp"

namespace harness {
namespace {

constexpr const char* kProperty = "liveness";

void check_leader(const Events& events, const CheckContext& context, const std::vector<BeliefInterval>& intervals,
                  std::vector<Violation>& out) {
  const sim::Instant deadline = context.faults_end + context.bounds.leader_within;
  if (deadline > context.run_end) return;
  std::set<std::pair<std::string, std::string>> confirmed;  // (cluster, session) with a dispatcher confirm
  for (const auto& event : events) {
    if (event.at > deadline) break;
    if (is_flink(event, "confirm") && text_field(event, "component") == "dispatcher"sv) {
      confirmed.insert({text_field(event, "cluster"), text_field(event, "session_id")});
    }
  }
  const ClusterEnds ends(events);
  for (const auto& cluster : context.clusters) {
    if (ends.ended_by(cluster.trace_name, deadline)) continue;  // a failed YARN application leads no more
    const bool led = std::any_of(intervals.begin(), intervals.end(), [&](const BeliefInterval& interval) {
      return interval.cluster == cluster.trace_name && interval.from <= deadline &&
             (!interval.to || *interval.to > deadline) && confirmed.count({interval.cluster, interval.session_id});
    });
    if (led) continue;
    Violation violation{kProperty, deadline,
                        "no confirmed leader" + (cluster.trace_name.empty() ? "" : " in cluster " + cluster.trace_name) +
                            " " + sim::format_duration(context.bounds.leader_within) + " after the faults healed"};
    violation.clause = "A";
    violation.cluster = cluster.trace_name;
    violation.related_sessions = sessions_believed_within(intervals, cluster.trace_name, context.faults_end, deadline);
    out.push_back(std::move(violation));
  }
}

bool checkpointing(const CheckContext& context, const std::string& cluster) {
  for (const auto& facts : context.clusters) {
    if (facts.trace_name == cluster) return facts.checkpointing;
  }
  return false;
}

void check_checkpoints(const Events& events, const CheckContext& context, const std::vector<BeliefInterval>& intervals,
                       std::vector<Violation>& out) {
  struct Job {
    std::optional<sim::Instant> acknowledged_at, terminal_at;
    std::vector<sim::Instant> commits;
  };
  JobMap<Job> jobs;
  for (const auto& event : events) {
    if (event.category != "flink"sv) continue;
    const bool counted = event.name == "job-submit-acked"sv || event.name == "job-terminal"sv ||
                         event.name == "job-cleanup-resumed"sv || event.name == "checkpoint-completed"sv;
    if (!counted || !event.string_field("job")) continue;
    Job& job = entry(jobs, job_ref(event));
    if (event.name == "job-submit-acked"sv && !job.acknowledged_at) job.acknowledged_at = event.at;
    if ((event.name == "job-terminal"sv || event.name == "job-cleanup-resumed"sv) && !job.terminal_at) job.terminal_at = event.at;
    if (event.name == "checkpoint-completed"sv) job.commits.push_back(event.at);
  }
  const ClusterEnds ends(events);
  for (const auto& [key, job] : jobs) {
    if (!job.acknowledged_at || !checkpointing(context, key.cluster)) continue;
    const sim::Instant from = std::max(context.faults_end, *job.acknowledged_at);
    const sim::Instant deadline = from + context.bounds.checkpoint_within;
    if (deadline > context.run_end || (job.terminal_at && *job.terminal_at <= deadline)) continue;
    if (ends.ended_by(key.cluster, deadline)) continue;
    const bool committed = std::any_of(job.commits.begin(), job.commits.end(),
                                       [&](sim::Instant at) { return at > from && at <= deadline; });
    if (committed) continue;
    Violation violation{kProperty, deadline,
                        describe(key) + " committed no checkpoint within " +
                            sim::format_duration(context.bounds.checkpoint_within) + " of " + sim::format_instant(from)};
    violation.clause = "B";
    violation.cluster = key.cluster;
    violation.job = key.job;
    violation.related_sessions = sessions_believed_within(intervals, key.cluster, from, deadline);
    out.push_back(std::move(violation));
  }
}

}  // namespace

std::vector<Violation> check_liveness(const Events& events, const CheckContext& context) {
  std::vector<Violation> out;
  const auto intervals = believed_leader_intervals(events, context);
  check_leader(events, context, intervals, out);
  check_checkpoints(events, context, intervals, out);
  return out;
}

}  // namespace harness
