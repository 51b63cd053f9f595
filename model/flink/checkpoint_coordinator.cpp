#include "model/flink/checkpoint_coordinator.hpp"

#include "model/probes.hpp"

#include "sim/assert.hpp"

namespace model::flink {

CheckpointCoordinator::CheckpointCoordinator(CoordinatorContext context, CheckpointIdSource& counter,
                                             CheckpointStore& store)
    : context_(std::move(context)), counter_(counter), store_(store) {
  SIM_ASSERT(context_.sim != nullptr && context_.rpc != nullptr);
}

void CheckpointCoordinator::trace(const char* name, std::vector<sim::TraceField> fields) {
  fields.insert(fields.begin(), context_.trace_tags.begin(), context_.trace_tags.end());
  context_.sim->record("flink", name, context_.self, std::move(fields));
}

bool CheckpointCoordinator::trigger(const std::vector<std::string>& tasks, std::int64_t attempt) {
  SIM_ASSERT(!pending() && !tasks.empty());
  const auto id = counter_.get_and_increment();
  if (!id) {
    model::probe(*context_.sim, model::Probe::kFlinkCheckpointCounterFailed);
    trace("checkpoint-trigger-failed", {{"reason", std::string("counter")}});
    return false;
  }
  pending_id_ = *id;
  pending_tasks_ = tasks;
  pending_attempt_ = attempt;
  acknowledged_.clear();
  trigger_answers_.clear();
  trigger_ask_deadline_ = context_.sim->now() + kAskTimeout;
  trace("checkpoint-triggered", {{"checkpoint_id", *id}});
  for (const std::string& task : tasks) {
    context_.rpc->send(context_.self, task,
                       rpc_message(RpcKind::kTriggerCheckpoint, context_.address, context_.session_id, context_.job, *id,
                                   0, attempt));
  }
  return true;
}

void CheckpointCoordinator::trigger_answered(const std::string& task, std::int64_t checkpoint_id, bool accepted) {
  if (!pending_id_ || *pending_id_ != checkpoint_id) return;  // an answer for an aborted one
  if (!accepted) {
    abort_pending("trigger failed on " + task);
    return;
  }
  trigger_answers_.insert(task);
}

std::optional<sim::Instant> CheckpointCoordinator::trigger_ask_deadline() const {
  if (!pending_id_ || trigger_answers_.size() >= pending_tasks_.size()) return std::nullopt;
  return trigger_ask_deadline_;
}

void CheckpointCoordinator::expire_trigger_asks() {
  const auto deadline = trigger_ask_deadline();
  if (!deadline || context_.sim->now() < *deadline) return;
  for (const std::string& task : pending_tasks_) {
    if (trigger_answers_.count(task) == 0) {
      abort_pending("trigger timeout on " + task);  // the ask's future timed out
      return;
    }
  }
}

bool CheckpointCoordinator::acknowledge(const std::string& task, std::int64_t checkpoint_id) {
  if (!pending_id_ || *pending_id_ != checkpoint_id) return false;  // late, for an aborted one
  acknowledged_.insert(task);
  for (const std::string& expected : pending_tasks_) {
    if (acknowledged_.count(expected) == 0) return false;
  }
  return true;
}

void CheckpointCoordinator::abort_pending(const std::string& reason) {
  if (!pending_id_) return;
  trace("checkpoint-aborted", {{"checkpoint_id", *pending_id_}, {"reason", reason}});
  pending_id_.reset();
}

FinalizeOutcome CheckpointCoordinator::stored_after_revoke() {
  model::probe(*context_.sim, model::Probe::kFlinkCheckpointStoredAfterRevoke);
  return FinalizeOutcome::kStopped;
}

FinalizeOutcome CheckpointCoordinator::finalize(const std::function<bool()>& still_leading) {
  SIM_ASSERT(pending());
  const std::int64_t id = *pending_id_;
  const std::string metadata = "job=" + context_.job + " checkpoint=" + std::to_string(id) +
                               " session=" + context_.session_id;
  const AddOutcome added = store_.add(id, metadata);
  if (added != AddOutcome::kAdded) {
    const bool maybe = added == AddOutcome::kFailedFileKept;
    abort_pending(maybe ? "store-possibly-committed" : "store-failed");
    return maybe ? FinalizeOutcome::kPossiblyCommitted : FinalizeOutcome::kAborted;
  }
  pending_id_.reset();
  // A coordinator shut down while it wrote neither subsumes nor notifies: a suspended job's HA
  // data stays as it is, and the next JobMaster restores this checkpoint.
  if (!still_leading()) return stored_after_revoke();
  store_.subsume();
  if (!still_leading()) return stored_after_revoke();  // the subsumption outlasted the term
  const std::string file = store_.checkpoints().empty() ? "" : store_.checkpoints().back().file;
  trace("checkpoint-completed", {{"checkpoint_id", id}, {"file", file}});
  for (const std::string& task : pending_tasks_) {
    context_.rpc->send(context_.self, task, rpc_message(RpcKind::kNotifyCheckpointComplete, context_.address,
                                                        context_.session_id, context_.job, id, 0, pending_attempt_));
  }
  return FinalizeOutcome::kCompleted;
}

}  // namespace model::flink
