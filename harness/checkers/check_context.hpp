#pragma once
// What every checker gets: the run's model events (the trace; nothing else of the run) and the
// static facts of the scenario it needs to interpret them (which processes are JobManagers of
// which cluster, where the fault phase ends, the bounds). Checkers never look at live model state.
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/time.hpp"
#include "sim/trace.hpp"

namespace harness {

// Compare trace strings with "name"sv, not "name": libstdc++'s std::string == const char* compares
// characters (a memcmp call) before lengths, while a string_view checks the lengths first. The
// checkers compare each event's category and name with dozens of literals, most of another length.
using namespace std::string_view_literals;

struct Violation {
  Violation() = default;
  Violation(std::string property_name, sim::Instant found_at, std::string text)
      : property(std::move(property_name)), at(found_at), message(std::move(text)) {}

  std::string property;  // one of property_names()
  sim::Instant at;       // simulated time at which the property was found broken
  std::string message;
  // What the verdict rests on, for the known-issue matcher (known_issues.hpp); "" when it does
  // not apply to the clause.
  std::string clause;                         // "A", "B", ... of the property's definition
  std::string cluster;                        // trace name
  std::string process;                        // the process of the offending event
  std::string session;                        // the leader session of the offending event
  std::vector<std::string> related_sessions;  // other leader sessions the verdict rests on
  std::string job;
  std::string path;                           // a checkpoint pointer path
  std::string known;                          // a known upstream issue id (known_issues.hpp), "" none
};

struct ClusterFacts {
  std::string trace_name;                // the `cluster` field of its flink events ("" for a lone cluster)
  std::string zookeeper_namespace;       // "/flink/default": clusters sharing one compete for one latch
  std::vector<std::string> jobmanagers;  // process names, index = jobmanager index
  bool checkpointing = false;            // execution.checkpointing.interval is set
  // The ZooKeeper session timeout its JobManagers run with: the configured
  // high-availability.zookeeper.client.session-timeout as the ensemble negotiates it
  // (ZooKeeperServer clamps it to [minSessionTimeout, maxSessionTimeout], by default [2, 20] ticks).
  sim::Duration session_timeout = sim::seconds(60);
  // high-availability.zookeeper.client.tolerate-suspended-connections: SUSPENDED alone does not
  // revoke; only LOST does.
  bool tolerate_suspended_connections = false;
};

struct Bounds {
  sim::Duration leader_within = sim::seconds(90);
  sim::Duration checkpoint_within = sim::seconds(120);
  sim::Duration cleanup_within = sim::seconds(120);
  sim::Duration job_running_within = sim::seconds(120);
  std::optional<sim::Duration> believed_leader_overlap_max;
};

struct CheckContext {
  std::vector<ClusterFacts> clusters;
  std::string curator_version = "5.4";  // the scenario's "curator": which known Curator issues apply
  sim::Instant faults_end;  // everything healed here; liveness bounds count from here
  sim::Instant run_end;     // the last instant the trace covers
  Bounds bounds;
  // syncLimit x tickTime of the ensemble: how long a ZooKeeper follower cut from its leader goes on
  // serving its clients before it gives up (Learner's socket read timeout).
  sim::Duration zookeeper_sync_timeout = sim::seconds(15);
};

using Events = std::vector<sim::TraceEvent>;

// Field access that treats a missing field as empty: the trace contract says which are present.
// A reference into the event (or to one shared empty string), not a copy: the checkers read
// several fields of each of the run's thousands of events, and copying them was most of their cost.
inline const std::string& text_field(const sim::TraceEvent& event, std::string_view key) {
  static const std::string empty;
  const std::string* value = event.string_field(key);
  return value ? *value : empty;
}
inline std::int64_t int_field_or(const sim::TraceEvent& event, std::string_view key, std::int64_t fallback) {
  const std::int64_t* value = event.int_field(key);
  return value ? *value : fallback;
}
inline bool is_flink(const sim::TraceEvent& event, std::string_view name) {
  return event.category == "flink"sv && event.name == name;
}
inline bool is_proc(const sim::TraceEvent& event, std::string_view name) {
  return event.category == "proc"sv && event.name == name;
}

// The cluster a JobManager process belongs to, or nullptr for other processes.
inline const ClusterFacts* cluster_of_jobmanager(const CheckContext& context, const std::string& process) {
  for (const auto& cluster : context.clusters) {
    for (const auto& jm : cluster.jobmanagers) {
      if (jm == process) return &cluster;
    }
  }
  return nullptr;
}

// A job is named by its cluster and id: two clusters may both run "job-1".
struct JobKey {
  std::string cluster;
  std::string job;
  auto operator<=>(const JobKey&) const = default;
};
inline JobKey job_key(const sim::TraceEvent& event) { return {text_field(event, "cluster"), text_field(event, "job")}; }

// The same name viewed in an event, to look a job up without copying its strings: JobMap below
// compares it with JobKey in JobKey's own order.
struct JobRef {
  std::string_view cluster;
  std::string_view job;
};
inline JobRef job_ref(const sim::TraceEvent& event) { return {text_field(event, "cluster"), text_field(event, "job")}; }
inline std::strong_ordering operator<=>(const JobKey& key, const JobRef& ref) {
  if (const auto order = std::string_view(key.cluster) <=> ref.cluster; order != 0) return order;
  return std::string_view(key.job) <=> ref.job;
}

// Per-job state; std::less<> lets find() and entry() take a JobRef.
template <typename Value>
using JobMap = std::map<JobKey, Value, std::less<>>;

inline JobKey owned(const JobRef& ref) { return {std::string(ref.cluster), std::string(ref.job)}; }
inline const std::string& owned(const std::string& key) { return key; }

// map[key] that copies the key only when it is new (operator[] copies a JobRef, or a key it
// finds, every time).
template <typename Map, typename Key>
typename Map::mapped_type& entry(Map& map, const Key& key) {
  auto it = map.lower_bound(key);
  if (it == map.end() || map.key_comp()(key, it->first)) it = map.emplace_hint(it, owned(key), typename Map::mapped_type());
  return it->second;
}
inline std::string describe(const JobKey& key) {
  return key.cluster.empty() ? key.job : key.cluster + "/" + key.job;
}

}  // namespace harness
