#include "harness/checkers/single_leader.hpp"

#include <algorithm>
#include <map>
#include <optional>
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
    const std::string& cluster = text_field(event, "cluster");
    choice_[namespace_of(context_, cluster)][cluster] = text_field(event, "jm");
    changed_ = true;
  }

  void settle(std::vector<Violation>& out) {
    // Time moves on at nearly every event, and the choices rarely change: judging them again
    // unchanged would find what the last settle found (already reported, or fine).
    if (!changed_) return;
    changed_ = false;
    for (const auto& [zk_namespace, by_cluster] : choice_) {
      std::set<std::string> leaders;
      for (const auto& [cluster, jm] : by_cluster) {
        if (!jm.empty()) leaders.insert(jm);
      }
      if (leaders.size() < 2 || reported_.count(zk_namespace)) continue;
      reported_.insert(zk_namespace);
      std::string names;
      for (const auto& jm : leaders) names += (names.empty() ? "" : ", ") + jm;
      Violation violation{kProperty, current_, "ZooKeeper namespace " + zk_namespace + " names several leaders at once: " + names};
      violation.clause = "A";
      out.push_back(std::move(violation));
    }
  }

 private:
  const CheckContext& context_;
  sim::Instant current_{};
  bool changed_ = false;  // a zk-leader since the last settle
  std::map<std::string, std::map<std::string, std::string>> choice_;  // namespace -> cluster -> jm
  std::set<std::string> reported_;
};

// Effects the TaskManagers accept under a leader session's fencing token. Flink fences these
// across processes: a TaskExecutor accepts a deploy or a "checkpoint complete" only from the
// JobMaster whose JobMasterId it currently knows (JobLeaderService), so once a newer session of
// the job is confirmed, an older session's TaskManager effect is a second leader's effect.
bool is_taskmanager_effect(const sim::TraceEvent& event) {
  if (event.category != "flink"sv) return false;
  if (event.name == "tm-commit"sv) return true;
  if (event.name != "tm-accept"sv) return false;
  const std::string& what = text_field(event, "what");
  return what == "deploy"sv || what == "notify"sv;
}

// Effects on the ZooKeeper stores. Flink does not fence these across processes: the stores check
// no leadership (FLINK-10333 was never built) and Curator's RetryLoop retries a transaction
// blindly, even in a new ZooKeeper session after the old one expired. Within one JobManager
// process they are ordered: since FLINK-11400 a JobManagerRunner starts its new JobMaster only
// after the previous one has stopped (and the Dispatcher likewise its successor).
bool is_store_effect(const sim::TraceEvent& event) {
  return event.category == "flink"sv && (event.name == "checkpoint-added"sv || event.name == "job-graph-added"sv ||
                                       event.name == "checkpoint-completed"sv);
}

// The component whose confirmations judge an effect (model/flink/TRACE.md, "Notes for the
// checkers"): a job's effects by its JobManagerRunner `job-<id>`, job graphs by the Dispatcher.
// Written into `component`, a buffer kept across events: most events are such effects, and a
// fresh string for each was an allocation each.
void judging_component(const sim::TraceEvent& event, std::string& component) {
  if (event.name == "job-graph-added"sv) {
    component = "dispatcher";
    return;
  }
  component = "job-";
  component += text_field(event, "job");
}

// Clause B: once a newer leader session of a component has been confirmed, no TaskManager effect
// of an older session for that component is accepted, and no store effect of an older session
// is made by the JobManager process that confirmed the newer one.
class Fencing {
 public:
  void observe(const sim::TraceEvent& event, std::vector<Violation>& out) {
    if (event.category != "flink"sv) return;
    const bool taskmanager_effect = is_taskmanager_effect(event);
    if (event.name != "grant"sv && event.name != "confirm"sv && !taskmanager_effect && !is_store_effect(event)) return;
    const std::string& cluster = text_field(event, "cluster");
    const std::string& session = text_field(event, "session_id");
    ClusterSessions& sessions = entry(clusters_, cluster);
    const auto order = sessions.order.find(session);
    if (event.name == "grant"sv && order == sessions.order.end()) {
      sessions.order.emplace(session, static_cast<std::int64_t>(sessions.by_order.size()));
      sessions.by_order.push_back(session);
      return;
    }
    if (event.name == "confirm"sv && order != sessions.order.end()) {
      const std::string& component = text_field(event, "component");
      raise(sessions.newest_confirmed[component], order->second);
      raise(sessions.newest_confirmed_by[event.process][component], order->second);
      return;
    }
    if (!(taskmanager_effect || is_store_effect(event)) || order == sessions.order.end()) return;
    judging_component(event, component_);
    const std::optional<std::int64_t> newest =
        taskmanager_effect ? newest_of(sessions.newest_confirmed, component_)
                           : newest_of(sessions.newest_confirmed_by, event.process, component_);
    if (!newest || *newest <= order->second) return;
    if (!reported_sessions_.insert(cluster + "/" + session).second) return;  // one per stale session is enough
    const std::string& newer = sessions.by_order[static_cast<std::size_t>(*newest)];
    Violation violation{kProperty, event.at,
                        event.name + " by " + event.process + " for session " + session + " accepted after a newer " +
                            component_ + " leader session " + newer + " was confirmed" +
                            (taskmanager_effect ? "" : " in the same JobManager process") + job_suffix(event)};
    violation.clause = "B";
    violation.cluster = cluster;
    violation.process = event.process;
    violation.session = session;
    violation.related_sessions = {newer};
    violation.job = text_field(event, "job");
    violation.path = text_field(event, "path");
    out.push_back(std::move(violation));
  }

 private:
  using NewestConfirmed = std::map<std::string, std::optional<std::int64_t>>;  // component -> newest order
  struct ClusterSessions {
    std::map<std::string, std::int64_t> order;  // session -> grant order
    std::vector<std::string> by_order;
    NewestConfirmed newest_confirmed;
    std::map<std::string, NewestConfirmed> newest_confirmed_by;  // process -> ...
  };
  static void raise(std::optional<std::int64_t>& newest, std::int64_t order) {
    newest = std::max(newest.value_or(order), order);
  }
  // A component never confirmed has no newest session (read without adding it to the map).
  static std::optional<std::int64_t> newest_of(const NewestConfirmed& newest, const std::string& component) {
    const auto found = newest.find(component);
    return found == newest.end() ? std::nullopt : found->second;
  }
  static std::optional<std::int64_t> newest_of(const std::map<std::string, NewestConfirmed>& by_process,
                                               const std::string& process, const std::string& component) {
    const auto found = by_process.find(process);
    return found == by_process.end() ? std::nullopt : newest_of(found->second, component);
  }
  static std::string job_suffix(const sim::TraceEvent& event) {
    const std::string& job = text_field(event, "job");
    return job.empty() ? "" : " (job " + job + ")";
  }
  std::map<std::string, ClusterSessions> clusters_;
  std::set<std::string> reported_sessions_;
  std::string component_;  // judging_component's buffer
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
      Violation violation{kProperty, *overlap.exceeded_at,
                          "believed-leader overlap " + sim::format_duration(overlap.total) + " exceeds the bound " +
                              sim::format_duration(*context.bounds.believed_leader_overlap_max)};
      violation.clause = "C";
      violation.related_sessions = overlap.sessions_at_exceeded;
      out.push_back(std::move(violation));
    }
  }
  return out;
}

}  // namespace harness
