#pragma once
// One JobMaster: one leadership term of one job in one JobManager process, with the JobMasterId
// (the leader session id) as its fencing token. It restores from the CompletedCheckpointStore
// (lock everything, sort, read every file; a failure is retried), deploys the tasks to the
// TaskManagers the ResourceManager knows, heartbeats them, runs the CheckpointCoordinator, and
// restarts the job from the latest checkpoint when a TaskManager is lost. It ends suspended (its
// leadership was revoked: only local cleanup, HA data kept) or globally terminal (FINISHED,
// CANCELED, FAILED), which it reports; the Dispatcher then records the result and cleans up.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/curator/curator_framework.hpp"
#include "model/flink/checkpoint_coordinator.hpp"
#include "model/flink/cluster.hpp"
#include "model/flink/resource_manager.hpp"
#include "model/flink/rpc.hpp"
#include "sim/filesystem.hpp"

namespace model::flink {

enum class JobOutcome { kSuspended, kFinished, kCanceled, kFailed };
std::string_view to_string(JobOutcome outcome);

struct JobMasterEnvironment {
  sim::Simulation* sim = nullptr;
  RpcRouter* rpc = nullptr;
  sim::Filesystem* storage = nullptr;
  curator::CuratorFramework* client = nullptr;
  ResourceManager* resource_manager = nullptr;
  const ClusterOptions* cluster = nullptr;
  sim::ProcessId self = sim::kNoProcess;
  std::string address;  // the JobManager's RPC address
};

class JobMaster {
 public:
  using ExitListener = std::function<void(JobOutcome)>;
  JobMaster(const JobMasterEnvironment& env, std::string job, std::string session_id, ExitListener on_exit);
  JobMaster(const JobMaster&) = delete;
  JobMaster& operator=(const JobMaster&) = delete;

  void start();
  void post(const RpcMessage& message);  // TaskManager calls, routed by the process
  void request_stop();                   // leadership revoked: suspend
  void request_cancel();                 // the client cancelled the job
  bool exited() const { return exited_; }
  const std::string& session_id() const { return session_id_; }

 private:
  enum class Step { kRestart, kStop, kFinished, kCanceled, kFailed };
  enum Tag : std::uint32_t { kMessage = 1, kStop, kCancel };

  void run();
  bool restore();
  bool deploy();
  Step supervise();
  std::optional<Step> on_message(const RpcMessage& message, std::set<std::string>& finished);
  std::optional<Step> on_timers(sim::Instant& next_trigger, sim::Instant& next_heartbeat);
  std::optional<Step> on_heartbeat_reply(const RpcMessage& message);
  void cancel_tasks();
  void suspend();
  void end_terminal(JobOutcome outcome);
  bool stop_requested() const { return stop_requested_; }
  void trace(const char* name, std::vector<sim::TraceField> fields = {});
  std::vector<sim::TraceField> tags() const;

  JobMasterEnvironment env_;
  std::string job_;
  std::string session_id_;
  ExitListener on_exit_;
  sim::MailboxId inbox_{};
  std::string lock_owner_;
  std::unique_ptr<CheckpointStore> store_;
  std::unique_ptr<CheckpointIdSource> counter_;
  std::unique_ptr<CheckpointCoordinator> coordinator_;
  std::vector<std::string> tasks_;               // TaskManagers running this term's tasks
  std::map<std::string, sim::Instant> heard_at_;  // their last heartbeat replies
  std::map<std::string, std::int64_t> resource_ids_;  // the TaskManager incarnations deployed to
  // The ExecutionAttemptID of the current deploy round: every task call carries it and only task
  // reports about it count, so a stale reply or cancel of an earlier round can't touch this one.
  std::int64_t attempt_ = 0;
  std::vector<RpcMessage> early_;  // task reports that arrived while deployment was being confirmed
  sim::Instant checkpoint_triggered_at_{};
  bool stop_requested_ = false;
  bool cancel_requested_ = false;
  bool exited_ = false;
};

}  // namespace model::flink
