#pragma once
// A TaskManager (TaskExecutor): finds the ResourceManager and each job's JobMaster through leader
// retrieval, registers and heartbeats with the ResourceManager, and runs a job's tasks for the
// JobMaster whose leader session it currently knows. Every call from a JobMaster is fenced: it is
// accepted only with the session id retrieval last reported for that job (JobLeaderService), so a
// deposed JobMaster's trigger or "checkpoint complete" is rejected once the TaskManager has heard
// of the new leader. Tasks are released when the job's leader changes or its JobMaster falls
// silent for heartbeat.timeout. "Checkpoint complete" is where an exactly-once sink commits.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model/curator/curator_framework.hpp"
#include "model/flink/cluster.hpp"
#include "model/flink/leader_election.hpp"
#include "model/flink/leader_retrieval.hpp"
#include "model/flink/rpc.hpp"
#include "model/flink/zookeeper_client.hpp"

namespace model::flink {

struct TaskManagerEnvironment {
  sim::Simulation* sim = nullptr;
  sim::Network* net = nullptr;
  RpcRouter* rpc = nullptr;
  const ClusterOptions* cluster = nullptr;
  std::vector<sim::ProcessId> zookeeper;
  const LeadershipObserver* observer = nullptr;  // for the JobManagers' probes (cluster.cpp)
  sim::ProcessId api_server = sim::kNoProcess;    // high-availability.type kubernetes only
};

class TaskManager {
 public:
  TaskManager(const TaskManagerEnvironment& env, sim::ProcessId self, std::string address);
  TaskManager(const TaskManager&) = delete;
  TaskManager& operator=(const TaskManager&) = delete;

  void start();  // from the process's boot

 private:
  struct JobSlot {
    LeaderInformation leader;         // what retrieval last said for job-<id>
    std::string running_session;      // tasks deployed for this session, "" when none
    std::int64_t running_attempt = 0; // and for this deploy round (ExecutionAttemptID)
    std::string jobmaster_address;    // the JobMaster that deployed them
    sim::Instant jobmaster_heard_at{};
    std::unique_ptr<LeaderRetriever> retrieval;
  };

  void run();
  void on_message(const RpcMessage& message);
  void on_deploy(const RpcMessage& message);
  void on_trigger(const RpcMessage& message);
  void on_notify(const RpcMessage& message);
  void on_cancel(const RpcMessage& message);
  void on_job_leader(const std::string& job, const LeaderInformation& info);
  void heartbeat_resource_manager();
  void check_jobmaster_heartbeats();
  void release_tasks(const std::string& job, const std::string& reason);
  void schedule_end_of_tasks(const std::string& job, const std::string& session, std::int64_t attempt);
  void send_to_jobmaster(const std::string& job, RpcKind kind, const std::string& session, std::int64_t attempt,
                         std::int64_t checkpoint_id = 0);
  void answer(const RpcMessage& request, RpcKind kind);
  bool fenced_accept(const RpcMessage& message, const char* what, bool needs_running);
  void trace(const std::string& name, std::vector<sim::TraceField> fields);

  const TaskManagerEnvironment env_;
  sim::ProcessId self_;
  std::string address_;
  sim::Prng rng_;
  sim::MailboxId inbox_{};
  std::unique_ptr<curator::CuratorFramework> client_;
  std::unique_ptr<LeaderRetriever> rm_retrieval_;
  LeaderInformation resource_manager_;
  std::string registered_with_;  // the ResourceManager session we are registered under
  std::map<std::string, JobSlot> jobs_;
};

}  // namespace model::flink
