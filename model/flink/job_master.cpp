#include "model/flink/job_master.hpp"

#include <algorithm>

#include "model/flink/standalone_ha.hpp"
#include "model/probes.hpp"
#include "sim/assert.hpp"

namespace model::flink {
namespace {

// Waits inside a term. Flink's slot-request and deployment timeouts are larger; these only need
// to be short against failover times and bounded.
constexpr sim::Duration kRestoreRetryDelay = sim::seconds(2);
constexpr sim::Duration kNoTaskManagerDelay = sim::milliseconds(500);
constexpr sim::Duration kDeployTimeout = sim::seconds(5);
constexpr sim::Duration kRedeployDelay = sim::seconds(1);
// execution.checkpointing.timeout's default: a checkpoint not acknowledged by then is aborted.
constexpr sim::Duration kCheckpointTimeout = sim::minutes(10);

sim::TraceField field(const char* key, std::string value) { return {key, std::move(value)}; }

}  // namespace

std::string_view to_string(JobOutcome outcome) {
  switch (outcome) {
    case JobOutcome::kSuspended: return "SUSPENDED";
    case JobOutcome::kFinished: return "FINISHED";
    case JobOutcome::kCanceled: return "CANCELED";
    case JobOutcome::kFailed: return "FAILED";
  }
  return "?";
}

JobMaster::JobMaster(const JobMasterEnvironment& env, std::string job, std::string session_id, ExitListener on_exit)
    : env_(env), job_(std::move(job)), session_id_(std::move(session_id)), on_exit_(std::move(on_exit)) {
  SIM_ASSERT(env_.sim != nullptr && env_.resource_manager != nullptr);
  SIM_ASSERT(env_.client != nullptr || standalone_ha(*env_.cluster));
  lock_owner_ = env_.address + "-" + session_id_;
}

std::vector<sim::TraceField> JobMaster::tags() const {
  return {field("cluster", env_.cluster->name), field("job", job_), field("session_id", session_id_)};
}

void JobMaster::trace(const char* name, std::vector<sim::TraceField> fields) {
  std::vector<sim::TraceField> all = tags();
  all.insert(all.end(), fields.begin(), fields.end());
  env_.sim->record("flink", name, env_.self, std::move(all));
}

void JobMaster::start() {
  const FlinkConfig& config = env_.cluster->config;
  inbox_ = env_.sim->mailbox_open(env_.self, 4096);
  if (standalone_ha(*env_.cluster)) {
    store_ = std::make_unique<StandaloneCompletedCheckpointStore>(config.checkpoints_num_retained);
    counter_ = std::make_unique<StandaloneCheckpointIdCounter>();
  } else {
    store_ = std::make_unique<CompletedCheckpointStore>(
        *env_.client, *env_.storage,
        CheckpointStoreOptions{config.zookeeper_namespace(), job_, config.storage_dir, config.cluster_id,
                               config.checkpoints_num_retained, lock_owner_, env_.cluster->mutant, tags()});
    counter_ = std::make_unique<CheckpointIdCounter>(*env_.client, config.zookeeper_namespace(), job_, env_.cluster->mutant);
  }
  coordinator_ = std::make_unique<CheckpointCoordinator>(
      CoordinatorContext{env_.sim, env_.rpc, env_.self, env_.address, job_, session_id_, tags()}, *counter_, *store_);
  env_.sim->spawn(env_.self, "jobmaster-" + job_, [this] { run(); });
}

void JobMaster::post(const RpcMessage& message) {
  env_.sim->mailbox_post(inbox_, sim::Mail{kMessage, 0, std::make_shared<const RpcMessage>(message)});
}

// Suspension takes effect at once, as on Flink's main thread: tasks are cancelled and the job is
// SUSPENDED here, while blocking store calls already under way (Flink's io executor) finish on
// the term's fiber, which then does the local cleanup.
void JobMaster::request_stop() {
  if (stop_requested_ || exited_) return;
  stop_requested_ = true;
  if (coordinator_ && coordinator_->pending()) model::probe(*env_.sim, model::Probe::kFlinkRevokedWithCheckpointInFlight);
  trace("job-suspended");
  cancel_tasks();
  env_.sim->mailbox_post(inbox_, sim::Mail{kStop, 0, nullptr});
}

void JobMaster::request_cancel() {
  cancel_requested_ = true;
  env_.sim->mailbox_post(inbox_, sim::Mail{kCancel, 0, nullptr});
}

void JobMaster::run() {
  for (;;) {
    if (!restore() || !deploy()) return suspend();
    const Step step = supervise();
    switch (step) {
      case Step::kRestart: continue;
      case Step::kStop: return suspend();
      case Step::kFinished: return end_terminal(JobOutcome::kFinished);
      case Step::kCanceled: return end_terminal(JobOutcome::kCanceled);
      case Step::kFailed: return end_terminal(JobOutcome::kFailed);
    }
  }
}

// Lock every checkpoint, sort, read every file; a missing one fails the recovery, retried.
bool JobMaster::restore() {
  while (!stop_requested()) {
    const RecoverResult recovered = store_->recover();
    const bool counter_started = recovered.outcome == RecoverOutcome::kRecovered && counter_->start() == model::zk::Code::Ok;
    if (stop_requested()) return false;  // revoked during the blocking recovery: nothing restored
    if (counter_started) {
      const std::int64_t latest = recovered.checkpoints.empty() ? 0 : recovered.checkpoints.back().id;
      trace("job-restored", {{"checkpoint_id", latest}});
      return true;
    }
    const char* reason = recovered.outcome == RecoverOutcome::kMissingFile     ? "missing-file"
                         : recovered.outcome == RecoverOutcome::kStorageFailed ? "storage"
                                                                               : "zookeeper";
    trace("job-restore-failed", {field("reason", reason)});
    env_.sim->sleep(kRestoreRetryDelay);
  }
  return false;
}

// Deploys to every TaskManager the ResourceManager knows; all must accept within the timeout.
bool JobMaster::deploy() {
  while (!stop_requested()) {
    tasks_ = env_.resource_manager->live_taskmanagers();
    if (tasks_.empty()) {
      env_.sim->sleep(kNoTaskManagerDelay);
      continue;
    }
    attempt_++;
    for (const std::string& tm : tasks_) {
      env_.rpc->send(env_.self, tm, rpc_message(RpcKind::kDeployTasks, env_.address, session_id_, job_, 0, 0, attempt_));
    }
    std::set<std::string> deployed;
    const sim::Instant deadline = env_.sim->now() + kDeployTimeout;
    bool rejected = false;
    while (!rejected && deployed.size() < tasks_.size() && !stop_requested() && env_.sim->now() < deadline) {
      const auto mail = env_.sim->receive(inbox_, deadline - env_.sim->now());
      const auto* message = mail ? sim::payload_as<RpcMessage>(*mail) : nullptr;
      // Reports of another term or another round (a late reject of the last one) are not ours;
      // heartbeat replies belong to supervision, which has not begun.
      if (message == nullptr || message->session_id != session_id_ || message->attempt != attempt_) continue;
      if (message->kind == RpcKind::kHeartbeatReply) continue;
      if (message->kind == RpcKind::kTasksDeployed) {
        deployed.insert(message->from);
        resource_ids_[message->from] = message->value;
      } else if (message->kind != RpcKind::kDeployRejected) {
        early_.push_back(*message);  // e.g. a bounded job's tasks finishing at once
      }
      rejected = message->kind == RpcKind::kDeployRejected;
    }
    if (deployed.size() == tasks_.size() && !stop_requested()) {
      heard_at_.clear();
      for (const std::string& tm : tasks_) heard_at_[tm] = env_.sim->now();
      trace("job-running", {{"tasks", static_cast<std::int64_t>(tasks_.size())}});
      return true;
    }
    cancel_tasks();
    env_.sim->sleep(kRedeployDelay);
  }
  return false;
}

JobMaster::Step JobMaster::supervise() {
  const FlinkConfig& config = env_.cluster->config;
  const sim::Duration never = sim::Duration::max();
  sim::Instant next_trigger = config.checkpoint_interval ? env_.sim->now() + *config.checkpoint_interval
                                                         : sim::Instant{} + never;
  sim::Instant next_heartbeat = env_.sim->now();
  std::set<std::string> finished;
  const std::vector<RpcMessage> early = std::move(early_);
  early_.clear();
  for (const RpcMessage& message : early) {
    if (const auto step = on_message(message, finished)) return *step;
  }
  for (;;) {
    if (stop_requested()) return Step::kStop;
    if (cancel_requested_) return Step::kCanceled;
    if (const auto step = on_timers(next_trigger, next_heartbeat)) return *step;
    // The timers' own blocking calls (the counter) may have run past the other deadline.
    sim::Instant wake = std::min(next_trigger, next_heartbeat);
    if (const auto ask_deadline = coordinator_->trigger_ask_deadline()) wake = std::min(wake, *ask_deadline);
    const sim::Duration wait = std::max(sim::Duration{}, wake - env_.sim->now());
    const auto mail = env_.sim->receive(inbox_, wait);
    const auto* message = mail ? sim::payload_as<RpcMessage>(*mail) : nullptr;
    if (message == nullptr || message->session_id != session_id_) continue;  // fenced
    if (const auto step = on_message(*message, finished)) return *step;
  }
}

// A step ends supervision; nullopt means carry on.
std::optional<JobMaster::Step> JobMaster::on_timers(sim::Instant& next_trigger, sim::Instant& next_heartbeat) {
  const FlinkConfig& config = env_.cluster->config;
  if (env_.sim->now() >= next_heartbeat) {
    for (const auto& [tm, heard_at] : heard_at_) {
      if (env_.sim->now() - heard_at > config.heartbeat_timeout) {
        trace("job-restarting", {field("reason", "taskmanager " + tm + " lost")});
        coordinator_->abort_pending("taskmanager lost");
        cancel_tasks();
        return Step::kRestart;
      }
      env_.rpc->send(env_.self, tm, rpc_message(RpcKind::kJobMasterHeartbeat, env_.address, session_id_, job_));
    }
    next_heartbeat = env_.sim->now() + config.heartbeat_interval;
  }
  coordinator_->expire_trigger_asks();
  if (coordinator_->pending() && env_.sim->now() - checkpoint_triggered_at_ >= kCheckpointTimeout) {
    coordinator_->abort_pending("timeout");
  }
  if (config.checkpoint_interval && env_.sim->now() >= next_trigger) {
    if (!coordinator_->pending()) {
      checkpoint_triggered_at_ = env_.sim->now();
      coordinator_->trigger(tasks_, attempt_);
    }
    next_trigger = env_.sim->now() + *config.checkpoint_interval;
  }
  return std::nullopt;
}

std::optional<JobMaster::Step> JobMaster::on_message(const RpcMessage& message, std::set<std::string>& finished) {
  const auto deployed = resource_ids_.find(message.from);
  if (deployed == resource_ids_.end() || deployed->second != message.value) return std::nullopt;  // not our task
  if (message.kind == RpcKind::kHeartbeatReply) return on_heartbeat_reply(message);
  if (message.attempt != attempt_) return std::nullopt;  // about an earlier deploy round
  switch (message.kind) {
    case RpcKind::kTriggerAcked:
    case RpcKind::kTriggerFailed:
      coordinator_->trigger_answered(message.from, message.checkpoint_id, message.kind == RpcKind::kTriggerAcked);
      break;
    case RpcKind::kAcknowledgeCheckpoint: {
      if (!coordinator_->acknowledge(message.from, message.checkpoint_id)) break;
      // FLINK-11400 keeps a stopping term finishing its checkpoint; the fix stops it first.
      const bool serialized = env_.cluster->mutant != Mutant::kFlink11400;
      const auto outcome = coordinator_->finalize([this, serialized] { return !serialized || !stop_requested(); });
      if (outcome == FinalizeOutcome::kPossiblyCommitted) {
        trace("job-restarting", {field("reason", "checkpoint store possibly inconsistent")});
        cancel_tasks();
        return Step::kRestart;
      }
      break;
    }
    case RpcKind::kTasksFinished:
      finished.insert(message.from);
      if (std::all_of(tasks_.begin(), tasks_.end(), [&](const std::string& tm) { return finished.count(tm) != 0; })) {
        return Step::kFinished;
      }
      break;
    case RpcKind::kTasksFailed: return Step::kFailed;
    case RpcKind::kTasksReleased:
      trace("job-restarting", {field("reason", "tasks failed on " + message.from)});
      coordinator_->abort_pending("tasks failed");
      cancel_tasks();
      return Step::kRestart;
    default: break;
  }
  return std::nullopt;
}

// The heartbeat payload is the TaskManager's deployment report (ExecutionDeploymentReport). The
// ExecutionDeploymentReconciler cancels attempts the JobMaster does not know
// (onUnknownDeploymentsOf) and fails the ones it deployed that are missing (onMissingDeploymentsOf:
// "is unexpectedly no longer running"), which restarts the job.
std::optional<JobMaster::Step> JobMaster::on_heartbeat_reply(const RpcMessage& message) {
  heard_at_[message.from] = env_.sim->now();
  if (message.attempt == attempt_) return std::nullopt;
  if (message.attempt != 0) {
    env_.rpc->send(env_.self, message.from,
                   rpc_message(RpcKind::kCancelTasks, env_.address, session_id_, job_, 0, 0, message.attempt));
  }
  trace("job-restarting", {field("reason", "tasks on " + message.from + " unexpectedly no longer running")});
  coordinator_->abort_pending("tasks no longer running");
  cancel_tasks();
  return Step::kRestart;
}

void JobMaster::cancel_tasks() {
  for (const std::string& tm : tasks_) {
    env_.rpc->send(env_.self, tm, rpc_message(RpcKind::kCancelTasks, env_.address, session_id_, job_, 0, 0, attempt_));
  }
}

// Leadership lost: local cleanup only. FLINK-4201 shut the coordinator down with discard instead,
// deleting the checkpoints the next leader needs.
void JobMaster::suspend() {
  coordinator_->abort_pending("suspended");
  if (env_.cluster->mutant == Mutant::kFlink4201) {
    for (const CompletedCheckpoint& checkpoint : store_->checkpoints()) store_->release_and_try_remove(checkpoint.id);
  } else {
    store_->release_all();
  }
  exited_ = true;
  // FLINK-19154/25486: a suspended job taken for a failed one, whose HA data is then cleaned up.
  on_exit_(env_.cluster->mutant == Mutant::kFlink19154 ? JobOutcome::kFailed : JobOutcome::kSuspended);
}

// Globally terminal: locks released so the Dispatcher's global cleanup can delete everything.
// FLINK-19816: the old JobMaster discarded its checkpoints itself on FINISHED, before the
// Dispatcher had recorded the result; a revoke racing that left the job graph behind.
void JobMaster::end_terminal(JobOutcome outcome) {
  // The job stopped running here (its ExecutionGraph reached a globally terminal status); it is
  // terminal only once the Dispatcher has written the dirty JobResultStore entry (job-terminal),
  // which a revoke may prevent, and then the next leader runs it again.
  trace("job-ended", {field("status", std::string(to_string(outcome)))});
  coordinator_->abort_pending(std::string(to_string(outcome)));
  if (outcome == JobOutcome::kCanceled) cancel_tasks();
  if (env_.cluster->mutant == Mutant::kFlink19816) {
    const std::vector<CompletedCheckpoint> checkpoints = store_->checkpoints();
    for (const CompletedCheckpoint& checkpoint : checkpoints) store_->release_and_try_remove(checkpoint.id);
  } else {
    store_->release_all();
  }
  exited_ = true;
  on_exit_(outcome);
}

}  // namespace model::flink
