#pragma once
// Builds one Flink standalone cluster with ZooKeeper HA on the simulated world: N JobManager
// processes (one per master), M TaskManagers, a job client process, and the supervisor that
// restarts killed JobManagers and TaskManagers (runit in flink-jepsen). This is the helper that
// assembles the model (job_manager.*, task_manager.*, ...), kept apart from it, as ns-3 does.
//
// The harness reaches the cluster only through this class: process ids for faults, and the
// leader queries used to resolve fault targets. Everything the checkers need is in the trace
// (model/flink/TRACE.md); nothing here is read by a checker.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/flink/flink_config.hpp"
#include "model/curator/curator_version.hpp"
#include "model/flink/mutants.hpp"
#include "model/zookeeper/ensemble.hpp"
#include "sim/filesystem.hpp"
#include "sim/network.hpp"
#include "sim/simulation.hpp"

namespace model::flink {

struct JobSchedule {
  std::string id;                          // "job-1"
  sim::Duration submit_at{};               // when the client first submits it
  std::optional<sim::Duration> finish_at;  // its tasks finish (FINISHED)
  std::optional<sim::Duration> cancel_at;  // the client cancels it (CANCELED)
  std::optional<sim::Duration> fail_at;    // a task fails for good (FAILED; no restart strategy left)
};

struct ClusterOptions {
  std::string name;                  // "" for a lone cluster; otherwise node names are "<name>/jm1"
  std::vector<HostPort> masters;     // one JobManager each; hosts name the processes ("jm1")
  int taskmanagers = 1;
  sim::Duration restart_delay = sim::seconds(5);  // the supervisor's; zero disables restarts
  FlinkConfig config;
  Mutant mutant = Mutant::kNone;
  std::vector<JobSchedule> jobs;
  // The Curator release the JobManagers' LeaderLatch behaves like (scenario key "curator").
  curator::CuratorVersion curator_version = curator::CuratorVersion::k5_4;
};

class ClusterModel;  // the processes and their state (cluster.cpp)

class FlinkCluster {
 public:
  FlinkCluster(sim::Simulation& sim, sim::Network& net, sim::Filesystem& storage, const model::zk::Ensemble& zookeeper,
               ClusterOptions options);
  FlinkCluster(const FlinkCluster&) = delete;
  FlinkCluster& operator=(const FlinkCluster&) = delete;
  ~FlinkCluster();

  // Starts every process and schedules the workload.
  void start();

  const ClusterOptions& options() const;
  // Process names are prefixed with "<name>/" when the cluster has a name.
  const std::vector<sim::ProcessId>& jobmanagers() const;
  const std::vector<sim::ProcessId>& taskmanagers() const;
  sim::ProcessId client() const;

  // The JobManager (index into jobmanagers()) whose election service currently says it leads and
  // holds an issued leader session; the lowest index when several believe it. nullopt: none.
  std::optional<int> believed_leader() const;
  // The JobManager whose latch node is the lowest one in ZooKeeper's committed state (as seen by
  // the ZooKeeper leader); nullopt when there is none or no ZooKeeper leader.
  std::optional<int> zookeeper_leader() const;

  // high-availability.type kubernetes: the API server process (kNoProcess otherwise), the
  // JobManager whose identity the lock record names (nullopt: none or unknown), and the clock
  // faults on a JobManager's node (index into jobmanagers()).
  sim::ProcessId api_server() const;
  std::optional<int> lock_holder() const;
  void skew_clock(int jobmanager, sim::Duration amount);
  void drift_clock(int jobmanager, std::int64_t ppm);
  sim::Duration clock_offset(int jobmanager) const;

 private:
  std::unique_ptr<ClusterModel> model_;
};

}  // namespace model::flink
