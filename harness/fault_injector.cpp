#include "harness/fault_injector.hpp"

#include <algorithm>

namespace harness {
namespace {

bool is_process_fault(const std::string& kind) {
  return kind.find("jobmanager") != std::string::npos || kind.find("zookeeper") != std::string::npos ||
         kind == "kill-taskmanager";
}
bool is_network_fault(const std::string& kind) {
  return kind == "isolate" || kind == "partition" || kind == "cut" || kind == "heal" || kind == "latency-spike";
}
bool is_live(const World& world, const Node& node) {
  const auto state = world.sim.process_state(node.pid);
  return state == sim::ProcessState::kUp || state == sim::ProcessState::kPaused;
}
std::string text_of(const sim::TraceEvent& event, const char* key) {
  const std::string* value = event.string_field(key);
  return value ? *value : std::string();
}
std::string duration_text(const FaultSpec& fault) {
  return fault.duration ? std::to_string(fault.duration->to_ms()) + " ms" : "";
}

}  // namespace

void FaultInjector::schedule(const FaultSpec& fault) {
  if (fault.trigger) {
    world_.sim.at(sim::Instant{} + fault.at, [this, fault] { start_watch(fault); });
    return;
  }
  world_.sim.at(sim::Instant{} + fault.at, [this, fault] { inject(fault); });
}

// --- event-triggered faults ---

// Polled from the event loop: fine enough to act between a model event and the next blocking step
// of the fiber that recorded it (what the cluster-level mutant tests do with World::when).
constexpr sim::Duration kTriggerPoll = sim::microseconds(100);

struct FaultInjector::Watch {
  FaultSpec fault;
  std::string cluster;   // the `cluster` field of the events it matches
  std::string process;   // "" = any
  std::size_t scanned = 0;
  bool following_seen = false;
  bool fired = false;
};

void FaultInjector::start_watch(const FaultSpec& fault) {
  if (healed_) return;
  const EventTrigger& trigger = *fault.trigger;
  const std::size_t cluster = world_.cluster_index(fault.cluster);
  auto watch = std::make_shared<Watch>();
  watch->fault = fault;
  watch->cluster = world_.cluster_names.size() > 1 ? world_.cluster_names.at(cluster) : "";
  if (trigger.process == "leader") {
    const auto leader = resolve_jobmanager(cluster, "leader");
    if (!leader) return record(fault, "watch-" + fault.kind, "", "skipped: no leader to watch for " + trigger.name);
    watch->process = world_.sim.process_name(leader->pid);
  } else if (trigger.process != "any") {
    watch->process = world_.sim.process_name(world_.node(trigger.process)->pid);
  }
  const auto& events = world_.sim.trace().events();
  watch->scanned = events.size();
  for (std::size_t i = 0; !trigger.following.empty() && i < events.size() && !watch->following_seen; i++) {
    const auto& event = events[i];
    watch->following_seen = event.category == "flink" && event.name == trigger.following &&
                            text_of(event, "cluster") == watch->cluster;
  }
  record(fault, "watch-" + fault.kind, watch->process.empty() ? "any" : watch->process,
         "waiting for " + trigger.name + (trigger.following.empty() ? "" : " after " + trigger.following));
  watches_.push_back(watch);
  poll_watch(watch);
}

void FaultInjector::poll_watch(const std::shared_ptr<Watch>& watch) {
  world_.sim.after(kTriggerPoll, [this, watch] {
    if (healed_) return;
    const EventTrigger& trigger = *watch->fault.trigger;
    const auto& events = world_.sim.trace().events();
    for (; watch->scanned < events.size(); watch->scanned++) {
      const auto& event = events[watch->scanned];
      if (event.category != "flink" || text_of(event, "cluster") != watch->cluster) continue;
      const bool matches = event.name == trigger.name && (watch->process.empty() || event.process == watch->process);
      if (matches && (trigger.following.empty() || watch->following_seen)) {
        watch->fired = true;
        if (trigger.delay == sim::Duration{}) return inject(watch->fault);
        world_.sim.after(trigger.delay, [this, watch] { inject(watch->fault); });
        return;
      }
      if (event.name == trigger.following) watch->following_seen = true;
    }
    poll_watch(watch);
  });
}

void FaultInjector::schedule_heal(sim::Duration at) {
  world_.sim.at(sim::Instant{} + at, [this] { heal_all(); });
}

void FaultInjector::inject(const FaultSpec& fault) {
  if (healed_) return;
  rng_ = world_.sim.rng_stream("fault@" + std::to_string(fault.at.ns) + "/" + fault.kind);
  if (inject_yarn_fault(fault)) return;
  if (is_process_fault(fault.kind)) return inject_process_fault(fault);
  if (is_network_fault(fault.kind)) return inject_network_fault(fault);
  if (fault.kind == "clock-skew" || fault.kind == "clock-drift") return inject_clock_fault(fault);
  inject_storage_fault(fault);
}

// --- resolving targets ---

std::optional<Node> FaultInjector::pick_live(std::vector<Node> candidates) {
  std::erase_if(candidates, [&](const Node& node) { return !is_live(world_, node); });
  if (candidates.empty()) return std::nullopt;
  return rng_.pick(candidates);
}

std::optional<Node> FaultInjector::resolve_jobmanager(std::size_t cluster, const std::string& role) {
  const auto& flink = *world_.clusters.at(cluster);
  std::optional<int> leader = flink.believed_leader();
  if (!leader) leader = flink.zookeeper_leader();
  std::vector<Node> jobmanagers;
  for (const auto& node : world_.nodes) {
    if (node.kind == NodeKind::kJobManager && node.cluster == cluster) jobmanagers.push_back(node);
  }
  if (role == "leader") {
    if (!leader) return std::nullopt;
    return jobmanagers.at(static_cast<std::size_t>(*leader));
  }
  if (role == "standby" && leader) std::erase_if(jobmanagers, [&](const Node& node) { return node.index == *leader; });
  return pick_live(jobmanagers);
}

std::optional<Node> FaultInjector::resolve_zookeeper(const std::string& role) {
  const int leader = world_.zookeeper.leader();
  std::vector<Node> servers;
  for (const auto& node : world_.nodes) {
    if (node.kind == NodeKind::kZooKeeper) servers.push_back(node);
  }
  if (role == "leader") {
    if (leader < 0) return std::nullopt;
    return servers.at(static_cast<std::size_t>(leader));
  }
  if (role == "standby") std::erase_if(servers, [&](const Node& node) { return node.index == leader; });
  return pick_live(servers);
}

std::optional<Node> FaultInjector::resolve(const FaultSpec& fault, const std::string& role_or_name) {
  if (const Node* named = world_.node(role_or_name)) return *named;
  const std::size_t cluster = world_.cluster_index(fault.cluster);
  if (role_or_name == "leader-connection") return resolve_leader_connection(fault);
  if (role_or_name == "zookeeper-leader" || fault.kind.find("zookeeper") != std::string::npos) {
    return resolve_zookeeper(role_or_name == "zookeeper-leader" ? "leader" : role_or_name);
  }
  if (fault.kind == "kill-taskmanager") {
    std::vector<Node> taskmanagers;
    for (const auto& node : world_.nodes) {
      if (node.kind == NodeKind::kTaskManager && node.cluster == cluster) taskmanagers.push_back(node);
    }
    return pick_live(taskmanagers);
  }
  return resolve_jobmanager(cluster, role_or_name);
}

// The ZooKeeper server the cluster's leading JobManager's client last connected to, from its
// `zkclient` `connected` trace events.
std::optional<Node> FaultInjector::resolve_leader_connection(const FaultSpec& fault) {
  const auto leader = resolve_jobmanager(world_.cluster_index(fault.cluster), "leader");
  if (!leader) return std::nullopt;
  const std::string name = world_.sim.process_name(leader->pid);
  std::string server;
  for (const auto& event : world_.sim.trace().events()) {
    if (event.category == "zkclient" && event.name == "connected" && event.process == name) server = text_of(event, "server");
  }
  for (const auto& node : world_.nodes) {
    if (node.kind == NodeKind::kZooKeeper && world_.sim.process_name(node.pid) == server) return node;
  }
  return std::nullopt;
}

std::vector<Node> FaultInjector::resolve_set(const FaultSpec& fault, const std::string& role_or_name) {
  const std::size_t cluster = world_.cluster_index(fault.cluster);
  const auto of_kind = [&](NodeKind kind, bool this_cluster_only) {
    std::vector<Node> nodes;
    for (const auto& node : world_.nodes) {
      if (node.kind == kind && (!this_cluster_only || node.cluster == cluster)) nodes.push_back(node);
    }
    return nodes;
  };
  if (role_or_name == "zookeeper") return of_kind(NodeKind::kZooKeeper, false);
  if (role_or_name == "jobmanagers") return of_kind(NodeKind::kJobManager, true);
  if (role_or_name == "taskmanagers") return of_kind(NodeKind::kTaskManager, true);
  auto one = resolve(fault, role_or_name);
  return one ? std::vector<Node>{*one} : std::vector<Node>{};
}

// --- process faults ---

void FaultInjector::inject_process_fault(const FaultSpec& fault) {
  auto& zk = world_.zookeeper;
  if (fault.kind == "drop-zookeeper-reply" && fault.target == "any") {
    for (int i = 0; i < zk.size(); i++) zk.drop_next_write_reply(i);
    return record(fault, fault.kind, "every server", "the next write each server answers loses its reply");
  }
  const auto node = resolve(fault, fault.target);
  if (!node) return record(fault, fault.kind, "", "skipped: no node is " + fault.target);
  const std::string& kind = fault.kind;
  record(fault, kind, node->name, duration_text(fault), node->pid);
  if (kind == "drop-zookeeper-reply") {
    zk.drop_next_write_reply(node->index);
  } else if (kind == "crash-zookeeper-losing-tail") {
    zk.crash_losing_unsynced_tail(node->index);
  } else if (kind.rfind("kill-", 0) == 0) {
    world_.sim.crash(node->pid);
  } else if (kind.rfind("restart-", 0) == 0) {
    world_.sim.restart(node->pid);
  } else if (kind.rfind("pause-", 0) == 0) {
    world_.sim.pause(node->pid);
    const sim::ProcessId pid = node->pid;
    return after_duration(fault, [this, fault, node, pid] {
      record(fault, "end-" + fault.kind, node->name, "", pid);
      world_.sim.resume(pid);
    });
  }
  // A kill with a duration comes back after it, whatever the supervisor would have done.
  if (fault.duration && (kind.rfind("kill-", 0) == 0 || kind == "crash-zookeeper-losing-tail")) {
    after_duration(fault, [this, fault, node] {
      record(fault, "end-" + fault.kind, node->name, "", node->pid);
      restart_if_down(*node);
    });
  }
}

void FaultInjector::restart_if_down(const Node& node) {
  if (world_.sim.process_state(node.pid) == sim::ProcessState::kDown) world_.sim.restart(node.pid);
}

// --- network faults ---

std::vector<std::vector<sim::ProcessId>> FaultInjector::split_groups(const FaultSpec& fault) {
  std::vector<Node> servers;
  for (const auto& node : world_.nodes) {
    if (node.kind == NodeKind::kZooKeeper) servers.push_back(node);
  }
  rng_.shuffle(servers);
  std::vector<sim::ProcessId> minority, majority;
  for (std::size_t i = 0; i < servers.size(); i++) (i < servers.size() / 2 ? minority : majority).push_back(servers[i].pid);
  std::optional<Node> leader;
  if (fault.split == "leader-minority") leader = resolve_jobmanager(world_.cluster_index(fault.cluster), "leader");
  for (const auto& node : world_.nodes) {
    if (node.kind == NodeKind::kZooKeeper) continue;
    const bool to_minority = leader ? node.pid == leader->pid : rng_.chance(1, 2);
    (to_minority ? minority : majority).push_back(node.pid);
  }
  for (const auto* cluster : world_.clusters) majority.push_back(cluster->client());
  return {minority, majority};
}

void FaultInjector::inject_network_fault(const FaultSpec& fault) {
  auto& net = world_.net;
  if (fault.kind == "heal") {
    net.heal();
    return record(fault, fault.kind, "", "");
  }
  std::string described;
  if (fault.kind == "isolate") {
    const auto node = resolve(fault, fault.target);
    if (!node) return record(fault, fault.kind, "", "skipped: no node is " + fault.target);
    net.isolate(node->pid);
    described = node->name;
  } else if (fault.kind == "partition") {
    std::vector<std::vector<sim::ProcessId>> groups;
    if (!fault.split.empty()) {
      groups = split_groups(fault);
    } else {
      for (const auto& group : fault.groups) {
        groups.emplace_back();
        for (const auto& name : group) groups.back().push_back(world_.node(name)->pid);
      }
    }
    net.partition(groups);
    described = fault.split.empty() ? "groups" : "split " + fault.split;
  } else {
    const auto from = resolve_set(fault, fault.from);
    const auto to = resolve_set(fault, fault.to);
    for (const auto& a : from) {
      for (const auto& b : to) {
        if (a.pid == b.pid) continue;
        if (fault.kind == "cut") {
          net.cut(a.pid, b.pid);
          if (fault.both_ways) net.cut(b.pid, a.pid);
        } else {
          net.set_extra_latency(a.pid, b.pid, fault.extra);
          slowed_links_.insert({a.pid, b.pid});
        }
      }
    }
    described = fault.from + "(" + std::to_string(from.size()) + ") -> " + fault.to + "(" + std::to_string(to.size()) + ")";
  }
  record(fault, fault.kind, described, duration_text(fault));
  after_duration(fault, [this, fault, described] {
    record(fault, "end-" + fault.kind, described, "the whole network heals");
    world_.net.heal();
    for (const auto& [a, b] : slowed_links_) world_.net.clear_extra_latency(a, b);
    slowed_links_.clear();
  });
}

// --- clock faults (Kubernetes mode: the lease arithmetic reads each JobManager's wall clock) ---

void FaultInjector::inject_clock_fault(const FaultSpec& fault) {
  const auto node = resolve(fault, fault.target);
  if (!node || node->kind != NodeKind::kJobManager) return record(fault, fault.kind, "", "skipped: no node is " + fault.target);
  auto& cluster = *world_.clusters.at(node->cluster);
  if (fault.kind == "clock-skew") {
    cluster.skew_clock(node->index, sim::milliseconds(fault.skew_ms));
    return record(fault, fault.kind, node->name, std::to_string(fault.skew_ms) + " ms", node->pid);
  }
  cluster.drift_clock(node->index, fault.drift_ppm);
  record(fault, fault.kind, node->name, std::to_string(fault.drift_ppm) + " ppm for " + duration_text(fault), node->pid);
  after_duration(fault, [this, fault, node] {
    record(fault, "end-" + fault.kind, node->name, "", node->pid);
    world_.clusters.at(node->cluster)->drift_clock(node->index, 0);
  });
}

// --- storage faults ---

void FaultInjector::inject_storage_fault(const FaultSpec& fault) {
  auto& storage = world_.storage;
  const std::string& kind = fault.kind;
  if (kind == "storage-unavailable") storage.set_unavailable();
  if (kind == "storage-slow") storage.set_slow(fault.extra);
  if (kind == "storage-write-error") storage.fail_next_writes(static_cast<std::uint64_t>(fault.count));
  std::string detail = duration_text(fault);
  if (kind == "storage-lose-file") detail = std::to_string(storage.lose_matching(fault.path_prefix)) + " file(s) lost";
  record(fault, kind, fault.path_prefix, detail);
  after_duration(fault, [this, fault] {
    record(fault, "end-" + fault.kind, "", "");
    if (fault.kind == "storage-unavailable") world_.storage.clear_unavailable();
    if (fault.kind == "storage-slow") world_.storage.clear_slow();
    if (fault.kind == "storage-write-error") world_.storage.clear_write_errors();
  });
}

// --- the end of the fault phase ---

void FaultInjector::after_duration(const FaultSpec& fault, std::function<void()> end) {
  if (!fault.duration) return;
  world_.sim.after(*fault.duration, [this, end = std::move(end)] {
    if (!healed_) end();
  });
}

void FaultInjector::heal_all() {
  healed_ = true;
  world_.net.heal();
  for (const auto& [a, b] : slowed_links_) world_.net.clear_extra_latency(a, b);
  slowed_links_.clear();
  world_.storage.clear_unavailable();
  world_.storage.clear_slow();
  world_.storage.clear_write_errors();
  heal_yarn();
  for (const auto& node : world_.nodes) {
    if (node.kind == NodeKind::kJobManager) {
      // NTP steps a skewed clock back and ends any drift.
      auto& cluster = *world_.clusters.at(node.cluster);
      cluster.drift_clock(node.index, 0);
      const sim::Duration offset = cluster.clock_offset(node.index);
      if (offset != sim::Duration{}) cluster.skew_clock(node.index, sim::Duration{} - offset);
    }
    if (world_.sim.process_state(node.pid) == sim::ProcessState::kPaused) world_.sim.resume(node.pid);
    const bool supervised = node.kind != NodeKind::kZooKeeper && world_.restart_delays.at(node.cluster) > sim::Duration{};
    if (!supervised) restart_if_down(node);
  }
  for (const auto& watch : watches_) {
    if (!watch->fired) record(watch->fault, watch->fault.kind, "", "skipped: " + watch->fault.trigger->name + " never came");
  }
  FaultSpec heal;
  heal.kind = "heal-all";
  record(heal, "heal-all", "", "ZooKeeper restarted, processes resumed, network healed, storage faults cleared");
}

void FaultInjector::record(const FaultSpec& fault, const std::string& kind, const std::string& node,
                           const std::string& detail, sim::ProcessId pid) {
  std::vector<sim::TraceField> fields{{"target", fault.target}, {"node", node}};
  if (!detail.empty()) fields.push_back({"detail", detail});
  world_.sim.record("fault", kind, pid, std::move(fields));
  log_.push_back({world_.sim.now(), kind, fault.target, node, detail});
}

}  // namespace harness
