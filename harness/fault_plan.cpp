#include "harness/fault_plan.hpp"
#include "harness/yarn_scenario.hpp"

#include <algorithm>

#include "sim/assert.hpp"

namespace harness {
namespace {

std::vector<std::string> swarm_kinds(const RandomFaults& random, sim::Prng& rng) {
  if (!random.swarm) return random.kinds;
  std::vector<std::string> enabled;
  for (const auto& kind : random.kinds) {
    if (rng.chance(1, 2)) enabled.push_back(kind);
  }
  if (enabled.empty()) enabled.push_back(rng.pick(random.kinds));
  return enabled;
}

void pick_link(FaultSpec& fault, sim::Prng& rng) {
  // The links that matter most for HA: the leader and ZooKeeper, the leader and its TaskManagers.
  static const std::vector<std::pair<std::string, std::string>> links = {
      {"leader", "zookeeper"}, {"leader", "taskmanagers"}, {"zookeeper-leader", "zookeeper"}};
  const auto& link = rng.pick(links);
  fault.from = link.first;
  fault.to = link.second;
  fault.both_ways = rng.chance(1, 2);
}

void pick_target(const Scenario& scenario, FaultSpec& fault, sim::Prng& rng) {
  const std::string& kind = fault.kind;
  if (kind == "kill-taskmanager") fault.target = "random";
  else if (kind.find("zookeeper") != std::string::npos || kind.find("jobmanager") != std::string::npos ||
           kind == "isolate") {
    fault.target = rng.pick(std::vector<std::string>{"leader", "leader", "standby", "random"});
  } else if (kind == "partition") {
    fault.split = rng.chance(1, 2) ? "leader-minority" : "random";
  } else if (kind == "cut" || kind == "latency-spike") {
    pick_link(fault, rng);
  } else if (kind == "clock-skew" || kind == "clock-drift") {
    fault.target = rng.pick(std::vector<std::string>{"leader", "standby", "random"});
  } else if (kind == "storage-lose-file") {
    fault.path_prefix = "/";  // anything: the generator has no knowledge of layouts
  }
  if (!scenario.clusters.empty()) fault.cluster = rng.pick(scenario.clusters).name;
}

}  // namespace

void redraw_fault_target(const Scenario& scenario, FaultSpec& fault, sim::Prng& rng) {
  fault.target.clear();
  fault.split.clear();
  fault.from.clear();
  fault.to.clear();
  fault.both_ways = false;
  pick_target(scenario, fault, rng);
}

FaultSpec random_fault(const Scenario& scenario, const std::vector<std::string>& kinds, sim::Duration at,
                       sim::Prng& rng) {
  SIM_ASSERT(scenario.random_faults.has_value());
  SIM_ASSERT(!kinds.empty());
  const RandomFaults& random = *scenario.random_faults;
  FaultSpec fault;
  fault.at = at;
  fault.kind = rng.pick(kinds);
  fault.json_path = "$.faults.random";
  pick_target(scenario, fault, rng);
  fault.duration = rng.duration_between(sim::milliseconds(100), std::max(sim::milliseconds(100), random.duration_max));
  fault.extra = rng.duration_between(sim::milliseconds(10), sim::seconds(2));
  fault.count = rng.between(1, 5);
  if (fault.kind.rfind("kill-", 0) == 0 && rng.chance(1, 2)) fault.duration.reset();  // some come back only at the heal
  if (scenario.mode == "yarn" && yarn_fault_without_duration(fault.kind)) fault.duration.reset();  // the RM brings them back
  // Drawn only for clock faults, so that no other kind's draws move.
  if (fault.kind == "clock-skew") fault.skew_ms = rng.between(-60'000, 60'000);
  if (fault.kind == "clock-drift") fault.drift_ppm = rng.between(-200'000, 200'000);
  return fault;
}

std::vector<FaultSpec> random_fault_plan(const Scenario& scenario, sim::Prng& rng) {
  std::vector<FaultSpec> plan;
  if (!scenario.random_faults) return plan;
  const RandomFaults& random = *scenario.random_faults;
  const std::vector<std::string> kinds = swarm_kinds(random, rng);
  sim::Duration at = rng.exponential(random.mean_interval);
  for (; at < scenario.faults_end; at += std::max(sim::milliseconds(1), rng.exponential(random.mean_interval))) {
    plan.push_back(random_fault(scenario, kinds, at, rng));
  }
  return plan;
}

std::vector<FaultSpec> seed_fault_schedule(const Scenario& scenario, std::uint64_t seed) {
  std::vector<FaultSpec> faults = scenario.faults;
  sim::Prng rng = sim::Prng::stream(seed, "fault-plan");
  for (auto& fault : random_fault_plan(scenario, rng)) faults.push_back(std::move(fault));
  return faults;
}

}  // namespace harness
