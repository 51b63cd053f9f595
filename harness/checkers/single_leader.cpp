#include "harness/checkers/single_leader.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "harness/checkers/leadership.hpp"

namespace harness {
namespace {

constexpr const char* kProperty = "single-leader";

std::string namespace_of(const CheckContext& context, const std::string& cluster) {
  for (const auto& facts : context.clusters) {
    if (facts.trace_name == cluster) return facts.zookeeper_namespace;
  }
  return "cluster:" + cluster;  // unknown cluster: a namespace of its own
}

// Clause A. Evaluated when time moves on, so that the per-cluster reports of one change made at
// one instant are all in before the namespace is judged.
class ZooKeeperChoice {
 public:
  explicit ZooKeeperChoice(const CheckContext& context) : context_(context) {}

  void observe(const sim::TraceEvent& event, std::vector<Violation>& out) {
    if (event.at != current_) settle(out);
    current_ = event.at;
    if (!is_flink(event, "zk-leader")) return;
    const std::string cluster = text_field(event, "cluster");
    choice_[namespace_of(context_, cluster)][cluster] = text_field(event, "jm");
  }

  void settle(std::vector<Violation>& out) {
    for (const auto& [zk_namespace, by_cluster] : choice_) {
      std::set<std::string> leaders;
      for (const auto& [cluster, jm] : by_cluster) {
        if (!jm.empty()) leaders.insert(jm);
      }
      if (leaders.size() < 2 || reported_.count(zk_namespace)) continue;
      reported_.insert(zk_namespace);
      std::string names;
      for (const auto& jm : leaders) names += (names.empty() ? "" : ", ") + jm;
      out.push_back({kProperty, current_, "ZooKeeper namespace " + zk_namespace + " names several leaders at once: " + names});
    }
  }

 private:
  const CheckContext& context_;
  sim::Instant current_{};
  std::map<std::string, std::map<std::string, std::string>> choice_;  // namespace -> cluster -> jm
  std::set<std::string> reported_;
};

bool is_effect(const sim::TraceEvent& event) {
  if (event.category != "flink") return false;
  if (event.name == "checkpoint-added" || event.name == "job-graph-added" || event.name == "checkpoint-completed" ||
      event.name == "tm-commit") {
    return true;
  }
  if (event.name != "tm-accept") return false;
  const std::string what = text_field(event, "what");
  return what == "deploy" || what == "notify";
}

// The component whose confirmations judge an effect (model/flink/TRACE.md, "Notes for the
// checkers"): a job's effects by its JobManagerRunner `job-<id>`, job graphs by the Dispatcher.
std::string judging_component(const sim::TraceEvent& event) {
  if (event.name == "job-graph-added") return "dispatcher";
  return "job-" + text_field(event, "job");
}

// Clause B: once a newer leader session of a component has been confirmed, no effect of an
// older session for that component is accepted.
class Fencing {
 public:
  void observe(const sim::TraceEvent& event, std::vector<Violation>& out) {
    if (event.category != "flink") return;
    const std::string cluster = text_field(event, "cluster");
    const std::string session = text_field(event, "session_id");
    ClusterSessions& sessions = clusters_[cluster];
    if (event.name == "grant" && !sessions.order.count(session)) {
      sessions.order[session] = static_cast<std::int64_t>(sessions.order.size());
    } else if (event.name == "confirm" && sessions.order.count(session)) {
      std::int64_t& newest = sessions.newest_confirmed[text_field(event, "component")];
      newest = std::max(newest, sessions.order[session] + 1);
    } else if (is_effect(event) && sessions.order.count(session) &&
               sessions.order[session] + 1 < sessions.newest_confirmed[judging_component(event)]) {
      if (reported_sessions_.insert(cluster + "/" + session).second) {
        out.push_back({kProperty, event.at,
                       event.name + " by " + event.process + " for session " + session + " accepted after a newer " +
                           judging_component(event) + " leader session was confirmed" + job_suffix(event)});
      }
    }
  }

 private:
  struct ClusterSessions {
    std::map<std::string, std::int64_t> order;             // session -> grant order
    std::map<std::string, std::int64_t> newest_confirmed;  // component -> newest order + 1 (0: none)
  };
  static std::string job_suffix(const sim::TraceEvent& event) {
    const std::string job = text_field(event, "job");
    return job.empty() ? "" : " (job " + job + ")";
  }
  std::map<std::string, ClusterSessions> clusters_;
  std::set<std::string> reported_sessions_;  // one violation per stale session is enough
};

}  // namespace

std::vector<Violation> check_single_leader(const Events& events, const CheckContext& context) {
  std::vector<Violation> out;
  ZooKeeperChoice choice(context);
  Fencing fencing;
  for (const auto& event : events) {
    choice.observe(event, out);
    fencing.observe(event, out);
  }
  choice.settle(out);
  if (context.bounds.believed_leader_overlap_max) {
    const auto overlap = believed_leader_overlap(believed_leader_intervals(events, context), context.run_end,
                                                 context.bounds.believed_leader_overlap_max);
    if (overlap.exceeded_at) {
      out.push_back({kProperty, *overlap.exceeded_at,
                     "believed-leader overlap " + sim::format_duration(overlap.total) + " exceeds the bound " +
                         sim::format_duration(*context.bounds.believed_leader_overlap_max)});
    }
  }
  return out;
}

}  // namespace harness
