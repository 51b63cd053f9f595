#include "harness/assess/fault_catalogue.hpp"

#include <algorithm>

#include "harness/json_reader.hpp"
#include "sim/assert.hpp"
#include "sim/prng.hpp"

namespace harness::assess {
namespace {

// How long a killed ZooKeeper leader stays down: long enough for the others to elect a new
// leader (a few ticks) and for clients to move; shorter than Flink's default session timeout.
constexpr sim::Duration kZooKeeperLeaderDown = sim::seconds(30);
// How far past the session timeout a storage outage reaches: the new leader's recovery (job
// graphs, checkpoints) falls inside it.
constexpr sim::Duration kStorageOutageExtra = sim::seconds(30);
// The supervisor restarts a killed process after 5 s (ClusterSpec::restart_delay).
constexpr sim::Duration kKillSettles = sim::seconds(6);

sim::Duration scaled(sim::Duration duration, int percent) { return sim::milliseconds(duration.to_ms() * percent / 100); }

FaultSpec fault(const std::string& kind, const std::string& target, sim::Instant at, std::optional<sim::Duration> duration) {
  FaultSpec spec;
  spec.at = at - sim::Instant{};
  spec.kind = kind;
  spec.target = target;
  spec.duration = duration;
  spec.json_path = "assess";
  return spec;
}

void set_entry(model::flink::ConfigEntries& entries, const std::string& key, const std::string& value) {
  for (auto& entry : entries) {
    if (entry.first == key) {
      entry.second = value;
      return;
    }
  }
  entries.emplace_back(key, value);
}

// The quorum as the simulation names the servers ("zk<id>"), each host mapped to the servers
// answering to it, once.
std::string simulated_quorum(const EffectiveConfig& config) {
  std::string quorum;
  std::vector<int> ids;
  for (const auto& entry : config.flink.zookeeper_quorum) {
    for (const auto& server : config.zookeeper.servers) {
      if (!server.answers_to(entry.host) || std::find(ids.begin(), ids.end(), server.id) != ids.end()) continue;
      ids.push_back(server.id);
      quorum += (quorum.empty() ? "" : ",") + std::string("zk") + std::to_string(server.id) + ":" + std::to_string(entry.port);
    }
  }
  return quorum;
}

std::vector<FaultSpec> class_faults(const std::string& name, sim::Instant at, sim::Duration session_timeout, int quorum_size) {
  const auto pause = [&](int percent) {
    return std::vector<FaultSpec>{fault("pause-jobmanager", "leader", at, scaled(session_timeout, percent))};
  };
  if (name == "kill-leader") return {fault("kill-jobmanager", "leader", at, std::nullopt)};
  if (name == "gc-pause-0.5x") return pause(50);
  if (name == "gc-pause-1x") return pause(100);
  if (name == "gc-pause-2x") return pause(200);
  if (name == "zookeeper-leader-loss") return {fault("kill-zookeeper", "leader", at, kZooKeeperLeaderDown)};
  if (name == "quorum-outage-short" || name == "quorum-outage-long") {
    const sim::Duration down = scaled(session_timeout, name == "quorum-outage-short" ? 50 : 150);
    std::vector<FaultSpec> faults{fault("kill-zookeeper", "leader", at, down)};
    for (int i = 1; i < quorum_size; i++) faults.push_back(fault("kill-zookeeper", "random", at, down));
    return faults;
  }
  if (name == "leader-cut-from-zookeeper") {
    FaultSpec cut = fault("cut", "", at, scaled(session_timeout, 150));
    cut.from = "leader";
    cut.to = "zookeeper";
    cut.both_ways = true;
    return {cut};
  }
  if (name == "storage-outage-during-failover") {
    return {fault("kill-jobmanager", "leader", at, std::nullopt),
            fault("storage-unavailable", "", at, session_timeout + kStorageOutageExtra)};
  }
  SIM_ASSERT(name == "taskmanager-loss");
  return {fault("kill-taskmanager", "random", at, std::nullopt)};
}

}  // namespace

std::vector<FaultClass> fault_classes(sim::Duration t) {
  const std::string T = duration_text(t);
  return {
      {"kill-leader", "kill -9 of the leading JobManager (restarted after 5 s)"},
      {"gc-pause-0.5x", "the leader paused " + duration_text(scaled(t, 50)) + " (0.5 x the session timeout " + T + ")"},
      {"gc-pause-1x", "the leader paused " + T + " (1 x the session timeout)"},
      {"gc-pause-2x", "the leader paused " + duration_text(scaled(t, 200)) + " (2 x the session timeout)"},
      {"zookeeper-leader-loss", "kill -9 of the ZooKeeper leader, restarted after " + duration_text(kZooKeeperLeaderDown)},
      {"quorum-outage-short", "a majority of ZooKeeper servers down " + duration_text(scaled(t, 50)) + " (< the session timeout)"},
      {"quorum-outage-long", "a majority of ZooKeeper servers down " + duration_text(scaled(t, 150)) + " (> the session timeout)"},
      {"leader-cut-from-zookeeper", "the leader cut from every ZooKeeper server for " + duration_text(scaled(t, 150))},
      {"storage-outage-during-failover", "kill -9 of the leader with the HA storage unavailable for " +
                                             duration_text(t + kStorageOutageExtra) + " from the same instant"},
      {"taskmanager-loss", "kill -9 of a TaskManager (restarted after 5 s)"},
  };
}

bool is_fault_class(const std::string& name) {
  const auto classes = fault_classes(sim::seconds(1));
  return std::any_of(classes.begin(), classes.end(), [&](const FaultClass& c) { return c.name == name; });
}

std::vector<Variant> what_if_variants(const EffectiveConfig& config) {
  const bool tolerate = config.flink.zookeeper_client.tolerate_suspended_connections;
  Variant flipped;
  flipped.name = tolerate ? "tolerate-suspended-off" : "tolerate-suspended-on";
  flipped.tolerate_suspended = !tolerate;
  Variant halved;
  halved.name = "session-timeout-halved";
  halved.session_timeout_percent = 50;
  Variant doubled;
  doubled.name = "session-timeout-doubled";
  doubled.session_timeout_percent = 200;
  Variant curator;
  curator.name = "curator-5.7";
  curator.curator = "5.7";
  return {Variant{}, flipped, halved, doubled, curator};
}

std::optional<Variant> find_variant(const EffectiveConfig& config, const std::string& name) {
  for (const auto& variant : what_if_variants(config)) {
    if (variant.name == name) return variant;
  }
  return std::nullopt;
}

model::flink::ConfigEntries variant_entries(const EffectiveConfig& config, const Variant& variant) {
  model::flink::ConfigEntries entries = config.flink_entries;
  set_entry(entries, "high-availability.zookeeper.quorum", simulated_quorum(config));
  if (!config.flink.checkpoint_interval) set_entry(entries, "execution.checkpointing.interval", "1 s");
  if (variant.session_timeout_percent != 100) {
    const auto timeout = scaled(config.session_timeout_requested, variant.session_timeout_percent);
    set_entry(entries, "high-availability.zookeeper.client.session-timeout", std::to_string(timeout.to_ms()) + " ms");
  }
  if (variant.tolerate_suspended) {
    set_entry(entries, "high-availability.zookeeper.client.tolerate-suspended-connections",
              *variant.tolerate_suspended ? "true" : "false");
  }
  return entries;
}

sim::Duration variant_negotiated_session_timeout(const EffectiveConfig& config, const Variant& variant) {
  return model::zk::negotiate_session_timeout(scaled(config.session_timeout_requested, variant.session_timeout_percent),
                                              config.zookeeper.session_bounds());
}

sim::Instant fault_instant(std::uint64_t seed) {
  auto prng = sim::Prng::stream(seed, "assess-fault-at");
  return sim::Instant{} + kFaultWindowStart + sim::milliseconds(static_cast<std::int64_t>(prng.below(
                                                   static_cast<std::uint64_t>(kFaultWindowLength.to_ms()))));
}

Scenario assess_scenario(const EffectiveConfig& config, const Variant& variant, const FaultClass& fault_class,
                         std::uint64_t seed) {
  SIM_ASSERT(config.unusable_where.empty());
  Scenario scenario;
  scenario.name = "assess-" + fault_class.name + (variant.name == "as-configured" ? "" : "-" + variant.name);
  scenario.description = fault_class.description;
  scenario.zookeeper = config.zookeeper;

  ClusterSpec cluster;
  cluster.name = "c1";
  for (std::size_t i = 0; i < config.masters.size(); i++) {
    // Named jm1..jmN whatever the hosts: the docs' example runs two JobManagers on one host.
    cluster.masters.push_back({"jm" + std::to_string(i + 1), config.masters[i].port});
  }
  cluster.taskmanagers = config.taskmanagers;
  cluster.flink_config = variant_entries(config, variant);
  auto parsed = model::flink::parse_flink_config(cluster.flink_config);
  if (auto* error = std::get_if<model::flink::ConfigError>(&parsed)) {
    throw InputError("what-if " + variant.name + ": " + error->key, error->message);
  }
  cluster.config = std::get<model::flink::FlinkConfig>(parsed);
  scenario.clusters.push_back(cluster);
  scenario.jobs.push_back(JobSpec{kJobId, "c1", sim::seconds(5), std::nullopt, std::nullopt, std::nullopt});

  const sim::Duration session_timeout = variant_negotiated_session_timeout(config, variant);
  const sim::Instant at = fault_instant(seed);
  scenario.faults = class_faults(fault_class.name, at, session_timeout, config.zookeeper.quorum_size());
  sim::Duration longest = kKillSettles;
  for (const auto& f : scenario.faults) longest = std::max(longest, f.duration.value_or(sim::Duration{}) + sim::seconds(1));
  scenario.faults_end = (at - sim::Instant{}) + longest;
  scenario.faults_end_explicit = true;

  // A new leader needs the old one's session to expire (T plus a tick) and a little more; twice
  // T, and never less than the scenarios' usual 90 s, leaves room without hiding a stuck failover.
  scenario.liveness.leader_within = std::max(sim::seconds(90), session_timeout * 2);
  scenario.liveness.checkpoint_within = scenario.liveness.leader_within + sim::seconds(30);
  scenario.liveness.job_running_within = scenario.liveness.leader_within + sim::seconds(30);
  scenario.liveness.cleanup_within = sim::seconds(120);
  scenario.duration = scenario.faults_end + scenario.liveness.checkpoint_within + sim::seconds(1);
  scenario.properties = property_names();
  scenario.curator_version = variant.curator;
  scenario.seed_start = seed;
  scenario.seed_count = 1;
  scenario.source = config.settings.empty() ? "" : "assess";
  return scenario;
}

}  // namespace harness::assess
