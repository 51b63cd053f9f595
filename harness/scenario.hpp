#pragma once
// A scenario: the cluster, its workload, the fault schedule (explicit and/or generated), how long
// to run, what to check and what outcome to expect, and which seeds. Read from scenarios/*.json
// (schema in scenarios/schema.json); every malformed value is an InputError naming its JSON path.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/flink/flink_config.hpp"
#include "model/flink/mutants.hpp"
#include "harness/yarn_spec.hpp"
#include "model/zookeeper/ensemble_config.hpp"
#include "sim/time.hpp"

namespace harness {

struct ClusterSpec {
  std::string name;                        // "c1"; node names are "<name>/jm1" when there are several
  std::vector<model::flink::HostPort> masters;  // one per JobManager
  int taskmanagers = 1;
  sim::Duration restart_delay = sim::seconds(5);  // the supervisor's, as runit in flink-jepsen
  model::flink::ConfigEntries flink_config;
  model::flink::FlinkConfig config;         // parsed from flink_config
};

struct JobSpec {
  std::string id;
  std::string cluster;
  sim::Duration submit_at;
  std::optional<sim::Duration> finish_at;
  std::optional<sim::Duration> cancel_at;
  std::optional<sim::Duration> fail_at;
};

// Every fault kind, as scenarios spell it.
inline const std::vector<std::string>& fault_kinds() {
  static const std::vector<std::string> kinds = {
      "kill-jobmanager", "restart-jobmanager", "pause-jobmanager", "kill-zookeeper", "restart-zookeeper",
      "pause-zookeeper", "crash-zookeeper-losing-tail", "kill-taskmanager", "isolate", "partition", "cut", "heal",
      "latency-spike", "storage-unavailable", "storage-slow", "storage-write-error", "storage-lose-file",
      "drop-zookeeper-reply", "clock-skew", "clock-drift",
      // YARN mode (harness/yarn_faults.cpp)
      "kill-am-container", "nodemanager-failure", "rm-failover-delay"};
  return kinds;
}

// Roles a fault may name instead of a node; which ones depend on the kind (fault_roles()).
//  leader: the cluster's JobManager that believes it leads (else ZooKeeper's choice), or, for
//          ZooKeeper faults, the ZooKeeper leader; standby: one that does not lead; random: any
//          live one; any: for drop-zookeeper-reply every server, otherwise as random;
//  zookeeper-leader (isolate, cut, latency-spike): the ZooKeeper leader;
//  zookeeper / jobmanagers / taskmanagers (cut, latency-spike): every node of that kind.
// A fault that fires on a trace event instead of at a fixed instant ("after_event"): from `after`
// on, the first `flink` event named `name` of the fault's cluster, recorded by `process`, and (when
// `following` is set) recorded after an event named `following` of that cluster, fires the fault
// `delay` later. The injector polls the trace every 100 µs of simulated time, as the cluster-level
// mutant tests do, so it acts between the model event and the next blocking step of its fiber.
struct EventTrigger {
  std::string name;          // a `flink` event name of model/flink/TRACE.md
  std::string process;       // "any" (default), "leader" (the believed leader at `after`), or a node name
  sim::Duration after{};     // the watch starts here
  std::string following;     // "" or a `flink` event name that must come first (anywhere in the trace)
  sim::Duration delay{};     // fire this long after the event is seen
};

struct FaultSpec {
  sim::Duration at;  // for an event-triggered fault: its trigger's `after`
  std::optional<EventTrigger> trigger;
  std::string kind;
  std::string target;  // a role or a node name ("jm2", "zk1", "tm1", "c2/jm1")
  std::string cluster;  // whose leader/standby/random JobManager or TaskManager; "" = the first
  std::optional<sim::Duration> duration;  // for pauses, partitions, cuts, spikes, storage faults; kills: restart after
  std::vector<std::vector<std::string>> groups;  // partition: explicit groups
  std::string split;                              // partition: "leader-minority" or "random" instead of groups
  std::string from, to;                           // cut, latency-spike
  bool both_ways = false;                         // cut: also to -> from
  sim::Duration extra{};                          // latency-spike, storage-slow
  std::int64_t count = 0;                         // storage-write-error: how many writes fail
  std::string path_prefix;                        // storage-lose-file
  std::int64_t skew_ms = 0;                       // clock-skew: the step of the node's wall clock (signed)
  std::int64_t drift_ppm = 0;                     // clock-drift: the rate, for `duration` (signed)
  std::string json_path;                          // where it came from, for error messages
};

// The roles `kind` accepts for `field` ("target", "from", "to").
std::vector<std::string> fault_roles(const std::string& kind, const std::string& field);
// Whether a fault of `kind` names a "target" (partitions, cuts and spikes name groups or links).
bool fault_has_target(const std::string& kind);
// The node kinds `kind` may name: "jm", "tm", "zk" (node names start with them, after any "<cluster>/").
std::vector<std::string> fault_node_kinds(const std::string& kind);

struct RandomFaults {
  std::vector<std::string> kinds;
  sim::Duration mean_interval = sim::seconds(60);
  sim::Duration duration_max = sim::seconds(30);
  bool swarm = true;  // each seed enables its own subset of kinds
};

struct LivenessBounds {
  sim::Duration leader_within = sim::seconds(90);
  sim::Duration checkpoint_within = sim::seconds(120);
  sim::Duration cleanup_within = sim::seconds(120);
  sim::Duration job_running_within = sim::seconds(120);
};

inline const std::vector<std::string>& property_names() {
  static const std::vector<std::string> names = {"single-leader", "no-lost-checkpoint", "unique-checkpoint-ids",
                                                 "no-lost-job", "ha-lifecycle", "liveness"};
  return names;
}

// How "expect" and known issues combine (harness/README.md, "Known issues"): a pass scenario
// fails a run on an unexplained violation (and, with "known_issues": "fail", on a known one too);
// a violation scenario needs, in every run, a violation of `property` whose known-issue id is
// `known` ("" = an unexplained one: a mutant's violation must not pass for a known upstream issue).
struct Expectation {
  bool pass = true;
  std::string property;  // when !pass: the property that must break
  std::string known;     // when !pass: the known issue that violation must be matched to, "" none
  std::string why;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string mode = "standalone";
  YarnSpec yarn;  // "mode": "yarn" only
  model::zk::EnsembleConfig zookeeper;
  std::vector<ClusterSpec> clusters;
  std::vector<JobSpec> jobs;
  std::vector<FaultSpec> faults;
  std::optional<RandomFaults> random_faults;
  sim::Duration duration = sim::minutes(10);
  sim::Duration faults_end{};  // the fault phase ends and everything heals here
  bool faults_end_explicit = false;  // else: duration minus the longest checked liveness bound
  std::vector<std::string> properties;
  LivenessBounds liveness;
  std::optional<sim::Duration> believed_leader_overlap_max;
  Expectation expect;
  model::flink::Mutant mutant = model::flink::Mutant::kNone;
  // "curator": the Curator release the JobManagers run, "5.4" (Flink 1.18-1.20 ship 5.4.0) or
  // "5.7" (CURATOR-696 fixed). Known issues apply only to the releases they affect.
  std::string curator_version = "5.4";
  // "known_issues": "pass" (default): violations matched to a known upstream issue
  // (harness/KNOWN_ISSUES.md) do not fail a run; "fail": they count like unexplained ones.
  bool known_issues_fail = false;
  std::uint64_t seed_start = 1;
  std::uint64_t seed_count = 100;
  std::string source;  // file it was read from
};

// Throws InputError naming the JSON path of the first problem.
Scenario parse_scenario(const std::string& json_text, const std::string& source);
Scenario load_scenario_file(const std::string& path);

// Every node name a fault may target in this scenario ("jm1", "c2/jm1", "tm1", "zk3").
std::vector<std::string> node_names(const Scenario& scenario);

}  // namespace harness
