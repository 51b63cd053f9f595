#pragma once
// The process supervisor of a cluster. Standalone: runit in flink-jepsen, systemd elsewhere: a
// killed JobManager or TaskManager is started again after a fixed delay and comes back as a fresh
// process (a standby, for a JobManager). Kubernetes: the kubelet restarting a pod's container
// with its crash back-off: the delay doubles with every restart (10 s, 20 s, ... up to 5 min in
// the kubelet; here from the cluster's restart delay) and starts over once the container has run
// for 10 minutes. A process restarted by other means meanwhile, or one the harness keeps down, is
// left alone.
#include <map>
#include <set>

#include "sim/simulation.hpp"

namespace model::flink {

struct RestartBackOff {
  bool doubling = false;                          // off: a fixed delay
  sim::Duration delay_max = sim::minutes(5);      // kubelet MaxContainerBackOff
  sim::Duration reset_after = sim::minutes(10);   // a run this long forgets the back-off
};

class Supervisor {
 public:
  Supervisor(sim::Simulation& sim, sim::Duration restart_delay, RestartBackOff back_off = {});
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  void watch(sim::ProcessId process);
  // A process that must stay down (until release) is not restarted.
  void hold(sim::ProcessId process) { held_.insert(process); }
  void release(sim::ProcessId process) { held_.erase(process); }
  // The delay the next crash of `process` would wait (its current back-off).
  sim::Duration next_delay(sim::ProcessId process) const;

 private:
  void on_crash(sim::ProcessId process);

  struct History {
    int restarts = 0;            // since the back-off last started over
    sim::Instant last_restart{};  // or the start of the run
  };

  sim::Simulation& sim_;
  sim::Duration restart_delay_;
  RestartBackOff back_off_;
  std::set<sim::ProcessId> watched_;
  std::set<sim::ProcessId> held_;
  std::map<sim::ProcessId, History> history_;
};

}  // namespace model::flink
