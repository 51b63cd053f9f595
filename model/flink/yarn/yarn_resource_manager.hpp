#pragma once
// The YARN ResourceManager of one Flink-on-YARN session cluster, in place of the standalone
// supervisor: it runs the cluster's single JobManager as the ApplicationMaster and restarts it as a
// new attempt when its container ends, until the attempts are used up (AttemptLedger); then the
// application FAILS and every container of it is killed. TaskManager containers outlive a failed
// attempt when the application keeps containers (YARN >= 2.4 with HA) and are killed with it
// otherwise; a lost TaskManager gets a new container from the AM's Flink ResourceManager while an
// attempt runs (after restart_delay), or from the next attempt.
//
// It learns of an AM container's end as Hadoop's RM does: a killed process at the NodeManager's
// next heartbeat, a lost node only when the NodeManager's liveness expires. While the RM is
// unavailable (an RM failover), nothing is learned, launched or allocated; it catches up after.
// Events: category `yarn` (model/flink/TRACE.md).
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/flink/yarn/attempt_ledger.hpp"
#include "sim/prng.hpp"
#include "sim/simulation.hpp"

namespace model::flink::yarn {

struct YarnDeployment {
  std::string cluster;  // the trace name of the Flink cluster ("" for a lone cluster)
  AttemptRules rules;
  YarnSite site;
  sim::Duration am_launch_delay = sim::seconds(5);  // a new attempt's container allocated, localized, started
  sim::Duration tm_restart_delay = sim::seconds(5); // a lost TaskManager's replacement container started
};

class YarnResourceManager {
 public:
  YarnResourceManager(sim::Simulation& sim, YarnDeployment deployment, sim::ProcessId application_master,
                      std::vector<sim::ProcessId> taskmanagers);
  YarnResourceManager(const YarnResourceManager&) = delete;
  YarnResourceManager& operator=(const YarnResourceManager&) = delete;

  // Attempt 1 runs from the start (the cluster boots its processes itself).
  void start();

  // Faults. Each returns false (and does nothing) when no AM container runs.
  bool kill_am_container();  // the container's process is killed: counts as an attempt failure
  bool lose_am_node();       // the AM's NodeManager is lost: ABORTED, does not count
  void become_unavailable();
  void become_available();

  bool available() const { return available_; }
  // The current attempt's AM container runs (up or paused) and the RM has not seen it end.
  bool am_container_running() const { return am_running(); }
  bool application_failed() const { return ledger_.failed(); }
  int attempt() const { return ledger_.attempt(); }
  sim::ProcessId application_master() const { return am_; }

 private:
  void on_crash(sim::ProcessId process);
  void am_container_ended(AmExit exit, std::uint32_t incarnation);
  void learn_am_exit(AmExit exit);
  void launch_attempt();
  void taskmanager_lost(sim::ProcessId tm);
  void request_taskmanager(sim::ProcessId tm);
  void start_waiting_taskmanagers();
  void kill_taskmanagers(const char* why);
  bool am_running() const;
  void record(const std::string& name, std::vector<sim::TraceField> fields = {});

  sim::Simulation& sim_;
  YarnDeployment deployment_;
  sim::ProcessId am_;
  std::vector<sim::ProcessId> taskmanagers_;
  AttemptLedger ledger_;
  sim::Prng rng_;
  bool available_ = true;
  bool am_exit_pending_ = false;         // the AM container ended; the RM has not processed it yet
  std::optional<AmExit> next_exit_;      // the cause of the AM crash a fault is about to cause
  std::vector<AmExit> learned_while_unavailable_;
  bool launch_when_available_ = false;
  std::set<sim::ProcessId> waiting_taskmanagers_;  // lost, to be started by the next running attempt
};

}  // namespace model::flink::yarn
