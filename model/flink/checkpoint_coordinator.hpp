#pragma once
// The CheckpointCoordinator of one JobMaster term: draws the id from the ZooKeeper counter and
// triggers every task (startTriggeringCheckpoint), collects acknowledgements, and once every task
// has acknowledged finalizes in Flink's order: write the metadata file and add the pointer with
// addAndLock (one step of the store), subsume old checkpoints down to num-retained, then notify
// "checkpoint complete" — the moment an exactly-once sink commits, traced as checkpoint-completed.
// One checkpoint at a time (execution.checkpointing.max-concurrent-checkpoints = 1).
// Each trigger is an ask (TaskExecutorGateway.triggerCheckpoint returns a future under the default
// RPC timeout, pekko.ask.timeout = 10 s): a failed or unanswered one aborts the pending checkpoint
// (CheckpointCoordinator.triggerCheckpointRequest: triggerTasks(...).exceptionally ->
// abortPendingCheckpoint), so the next interval triggers a new one instead of waiting for the
// 10-minute checkpoint timeout.
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/flink/checkpoint_id_counter.hpp"
#include "model/flink/completed_checkpoint_store.hpp"
#include "model/flink/rpc.hpp"

namespace model::flink {

enum class FinalizeOutcome { kCompleted, kAborted, kPossiblyCommitted, kStopped };

struct CoordinatorContext {
  sim::Simulation* sim = nullptr;
  RpcRouter* rpc = nullptr;
  sim::ProcessId self = sim::kNoProcess;
  std::string address;     // the JobMaster's RPC address
  std::string job;
  std::string session_id;  // the JobMasterId: every call to a task is fenced with it
  std::vector<sim::TraceField> trace_tags;
};

class CheckpointCoordinator {
 public:
  CheckpointCoordinator(CoordinatorContext context, CheckpointIdSource& counter, CheckpointStore& store);

  // The RPC timeout of an ask (pekko.ask.timeout's default; triggerCheckpoint has no @RpcTimeout).
  static constexpr sim::Duration kAskTimeout = sim::seconds(10);

  // Draws an id and sends the triggers to the tasks of deploy round `attempt`. False when the
  // counter refused or failed.
  bool trigger(const std::vector<std::string>& tasks, std::int64_t attempt);
  bool pending() const { return pending_id_.has_value(); }
  // The answer of one trigger ask; a failure aborts the pending checkpoint.
  void trigger_answered(const std::string& task, std::int64_t checkpoint_id, bool accepted);
  // Aborts the pending checkpoint when a trigger ask is still unanswered at its timeout.
  void expire_trigger_asks();
  // When expire_trigger_asks has something to do, or nullopt.
  std::optional<sim::Instant> trigger_ask_deadline() const;
  // True when this acknowledgement was the last one the pending checkpoint waited for.
  bool acknowledge(const std::string& task, std::int64_t checkpoint_id);
  // Blocking (storage and ZooKeeper). `still_leading` is asked before the commit point.
  FinalizeOutcome finalize(const std::function<bool()>& still_leading);
  void abort_pending(const std::string& reason);

 private:
  void trace(const char* name, std::vector<sim::TraceField> fields);
  FinalizeOutcome stored_after_revoke();  // marks the probe, then kStopped

  CoordinatorContext context_;
  CheckpointIdSource& counter_;
  CheckpointStore& store_;
  std::optional<std::int64_t> pending_id_;
  std::vector<std::string> pending_tasks_;
  std::int64_t pending_attempt_ = 0;
  std::set<std::string> trigger_answers_;  // tasks whose trigger ask was answered
  sim::Instant trigger_ask_deadline_{};
  std::set<std::string> acknowledged_;
};

}  // namespace model::flink
