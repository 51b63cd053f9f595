#pragma once
// The process supervisor of a standalone cluster (runit in flink-jepsen, systemd elsewhere): a
// killed JobManager or TaskManager is started again after a fixed delay and comes back as a fresh
// process (a standby, for a JobManager). A process restarted by other means meanwhile, or one the
// harness keeps down, is left alone.
#include <set>

#include "sim/simulation.hpp"

namespace model::flink {

class Supervisor {
 public:
  Supervisor(sim::Simulation& sim, sim::Duration restart_delay);
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  void watch(sim::ProcessId process);
  // A process that must stay down (until release) is not restarted.
  void hold(sim::ProcessId process) { held_.insert(process); }
  void release(sim::ProcessId process) { held_.erase(process); }

 private:
  void on_crash(sim::ProcessId process);

  sim::Simulation& sim_;
  sim::Duration restart_delay_;
  std::set<sim::ProcessId> watched_;
  std::set<sim::ProcessId> held_;
};

}  // namespace model::flink
