#pragma once
// Applies scenario faults to a running World, from kernel callbacks at their scheduled instants.
// Roles ("leader", "standby", ...) resolve at injection time against the live deployment; every
// fault, its end and the final heal is recorded in the trace (category "fault") and in the
// fault log. Random choices (which standby, which side of a split) draw from a stream of the
// fault's own, named by its instant and kind: adding or removing one fault (as `hasim shrink`
// does) leaves how every other fault resolves unchanged.
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "harness/run_result.hpp"
#include "harness/scenario.hpp"
#include "harness/world.hpp"
#include "sim/prng.hpp"

namespace harness {

class FaultInjector {
 public:
  FaultInjector(World& world, std::vector<FaultRecord>& log) : world_(world), rng_(world.sim.rng_stream("faults")), log_(log) {}

  // Schedules `fault` at its `at`, or, for an event-triggered fault, starts watching the trace
  // there and injects it once its event has been recorded (FaultSpec::trigger).
  void schedule(const FaultSpec& fault);
  // Schedules the end of the fault phase: restart killed ZooKeeper servers (and JobManagers and
  // TaskManagers that have no supervisor), resume every paused process, heal the network, clear
  // every storage fault. Fault ends still pending after it do nothing.
  void schedule_heal(sim::Duration at);

 private:
  void inject(const FaultSpec& fault);
  struct Watch;
  void start_watch(const FaultSpec& fault);
  void poll_watch(const std::shared_ptr<Watch>& watch);
  std::optional<Node> resolve_leader_connection(const FaultSpec& fault);
  void inject_process_fault(const FaultSpec& fault);
  void inject_network_fault(const FaultSpec& fault);
  void inject_clock_fault(const FaultSpec& fault);
  void inject_storage_fault(const FaultSpec& fault);
  // YARN mode (yarn_faults.cpp): the YARN fault kinds, and JobManager faults the RM must see.
  bool inject_yarn_fault(const FaultSpec& fault);
  void heal_yarn();
  void heal_all();

  std::optional<Node> resolve(const FaultSpec& fault, const std::string& role_or_name);
  std::optional<Node> resolve_jobmanager(std::size_t cluster, const std::string& role);
  std::optional<Node> resolve_zookeeper(const std::string& role);
  std::optional<Node> pick_live(std::vector<Node> candidates);
  std::vector<Node> resolve_set(const FaultSpec& fault, const std::string& role_or_name);
  std::vector<std::vector<sim::ProcessId>> split_groups(const FaultSpec& fault);

  // Runs `end` after the fault's duration, unless the fault phase has ended by then.
  void after_duration(const FaultSpec& fault, std::function<void()> end);
  void restart_if_down(const Node& node);
  void record(const FaultSpec& fault, const std::string& kind, const std::string& node, const std::string& detail,
              sim::ProcessId pid = sim::kNoProcess);

  World& world_;
  sim::Prng rng_;  // the stream of the fault being injected
  std::vector<FaultRecord>& log_;
  std::set<std::pair<sim::ProcessId, sim::ProcessId>> slowed_links_;
  std::vector<std::shared_ptr<Watch>> watches_;  // event-triggered faults, fired or not
  bool healed_ = false;
};

}  // namespace harness
