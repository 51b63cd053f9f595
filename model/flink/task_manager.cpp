#include "model/flink/task_manager.hpp"

#include <algorithm>

#include "model/flink/kubernetes_ha.hpp"
#include "model/flink/standalone_ha.hpp"
#include "sim/assert.hpp"
#include "model/probes.hpp"

namespace model::flink {
namespace {

// How long a task takes to snapshot its state before it acknowledges a checkpoint.
constexpr sim::Duration kSnapshotMin = sim::milliseconds(5);
constexpr sim::Duration kSnapshotMax = sim::milliseconds(80);

sim::TraceField field(const char* key, std::string value) { return {key, std::move(value)}; }

}  // namespace

TaskManager::TaskManager(const TaskManagerEnvironment& env, sim::ProcessId self, std::string address)
    : env_(env),
      self_(self),
      address_(std::move(address)),
      rng_(env.sim->rng_stream("taskmanager/" + address_ + "/" + std::to_string(env.sim->incarnation(self)))) {
  SIM_ASSERT(env_.sim != nullptr && env_.rpc != nullptr && env_.cluster != nullptr);
}

void TaskManager::trace(const std::string& name, std::vector<sim::TraceField> fields) {
  fields.insert(fields.begin(), field("cluster", env_.cluster->name));
  env_.sim->record("flink", name, self_, std::move(fields));
}

void TaskManager::start() {
  sim::Simulation& sim = *env_.sim;
  inbox_ = sim.mailbox_open(self_, 4096);
  env_.rpc->bind(address_, self_, inbox_);
  const FlinkConfig& config = env_.cluster->config;
  const std::vector<sim::TraceField> tags = {field("cluster", env_.cluster->name)};
  const bool standalone = standalone_ha(*env_.cluster);
  const bool kubernetes = kubernetes_ha(*env_.cluster);
  if (!standalone && !kubernetes) {
    client_ = std::make_unique<curator::CuratorFramework>(sim, *env_.net, self_,
                                                          curator_options(config, env_.zookeeper, address_));
    client_->start();
  }
  const std::string ns = config.zookeeper_namespace();
  const bool tolerate = config.zookeeper_client.tolerate_suspended_connections;
  const bool mutant_19557 = env_.cluster->mutant == Mutant::kFlink19557;
  // ZooKeeper retrieval, or without HA the configured JobManager address with the default id.
  auto retriever = [&](const std::string& component, LeaderListener listener) -> std::unique_ptr<LeaderRetriever> {
    if (standalone) {
      return std::make_unique<StandaloneLeaderRetrieval>(
          sim, self_, component, LeaderInformation{kDefaultLeaderId, configured_jobmanager_address(*env_.cluster)}, tags,
          std::move(listener));
    }
    if (kubernetes) {
      return std::make_unique<KubernetesLeaderRetrieval>(sim, *env_.net, self_, env_.api_server, cluster_config_map_name(config),
                                                         component, tags, std::move(listener));
    }
    return std::make_unique<LeaderRetrieval>(
        *client_, LeaderRetrievalOptions{connection_info_path(ns, component), tolerate, mutant_19557, tags}, std::move(listener));
  };
  rm_retrieval_ = retriever("resource_manager", [this](const LeaderInformation& info) { resource_manager_ = info; });
  rm_retrieval_->start();
  for (const JobSchedule& job : env_.cluster->jobs) {
    JobSlot& slot = jobs_[job.id];
    slot.retrieval = retriever("job-" + job.id, [this, id = job.id](const LeaderInformation& info) { on_job_leader(id, info); });
    slot.retrieval->start();
  }
  sim.spawn(self_, "taskmanager", [this] { run(); });
}

void TaskManager::run() {
  sim::Simulation& sim = *env_.sim;
  const sim::Duration interval = env_.cluster->config.heartbeat_interval;
  sim::Instant next_heartbeat = sim.now();
  for (;;) {
    if (sim.now() >= next_heartbeat) {
      heartbeat_resource_manager();
      check_jobmaster_heartbeats();
      next_heartbeat = sim.now() + interval;
    }
    const auto mail = sim.receive(inbox_, next_heartbeat - sim.now());
    if (!mail) continue;
    if (const auto* message = sim::payload_as<RpcMessage>(*mail)) on_message(*message);
  }
}

void TaskManager::on_message(const RpcMessage& message) {
  switch (message.kind) {
    case RpcKind::kRegistrationAcked:
      if (message.session_id == resource_manager_.session_id) registered_with_ = message.session_id;
      break;
    case RpcKind::kDeployTasks: on_deploy(message); break;
    case RpcKind::kTriggerCheckpoint: on_trigger(message); break;
    case RpcKind::kNotifyCheckpointComplete: on_notify(message); break;
    case RpcKind::kCancelTasks: on_cancel(message); break;
    case RpcKind::kJobMasterHeartbeat: {
      auto found = jobs_.find(message.job);
      if (found == jobs_.end() || found->second.leader.session_id != message.session_id) break;
      found->second.jobmaster_heard_at = env_.sim->now();
      // The payload is the deployment report: the attempt this TaskManager runs for that JobMaster.
      const std::int64_t report = found->second.running_session == message.session_id ? found->second.running_attempt : 0;
      send_to_jobmaster(message.job, RpcKind::kHeartbeatReply, message.session_id, report);
      break;
    }
    default: SIM_ASSERT_MSG(false, "a TaskManager got a message meant for a JobManager");
  }
}

// JobLeaderService + TaskExecutor fencing: only the JobMaster retrieval reports for the job. A call
// about tasks (needs_running) must also name the execution attempt this TaskManager runs: a task it
// does not know is rejected, as TaskExecutor's lookup by ExecutionAttemptID fails.
bool TaskManager::fenced_accept(const RpcMessage& message, const char* what, bool needs_running) {
  auto found = jobs_.find(message.job);
  const std::string known = found == jobs_.end() ? "" : found->second.leader.session_id;
  const bool running_ok = !needs_running || (found != jobs_.end() && found->second.running_session == message.session_id &&
                                             found->second.running_attempt == message.attempt);
  const bool accepted = !known.empty() && known == message.session_id && running_ok;
  std::vector<sim::TraceField> fields = {field("job", message.job), field("session_id", message.session_id),
                                         field("what", what)};
  if (message.checkpoint_id != 0) fields.push_back({"checkpoint_id", message.checkpoint_id});
  if (message.attempt != 0) fields.push_back({"attempt", message.attempt});
  if (!accepted) fields.push_back(field("leader_session_id", known));
  if (!accepted && !known.empty() && known != message.session_id) {
    model::probe(*env_.sim, model::Probe::kFlinkTaskManagerRejectedOtherLeader);
  }
  trace(accepted ? "tm-accept" : "tm-reject", std::move(fields));
  return accepted;
}

void TaskManager::on_deploy(const RpcMessage& message) {
  if (!fenced_accept(message, "deploy", false)) {
    answer(message, RpcKind::kDeployRejected);
    return;
  }
  JobSlot& slot = jobs_.at(message.job);
  slot.running_session = message.session_id;
  slot.running_attempt = message.attempt;
  slot.jobmaster_address = message.from;
  slot.jobmaster_heard_at = env_.sim->now();
  send_to_jobmaster(message.job, RpcKind::kTasksDeployed, message.session_id, message.attempt);
  schedule_end_of_tasks(message.job, message.session_id, message.attempt);
}

// The answer of an ask goes back to whoever asked, under the asker's token and attempt.
void TaskManager::answer(const RpcMessage& request, RpcKind kind) {
  env_.rpc->send(self_, request.from,
                 rpc_message(kind, address_, request.session_id, request.job, request.checkpoint_id,
                             env_.sim->incarnation(self_), request.attempt));
}

// The job's own script: a bounded job finishes at finish_at, a doomed one fails at fail_at,
// whichever run of its tasks is up at that moment (or the first one after it).
void TaskManager::schedule_end_of_tasks(const std::string& job, const std::string& session, std::int64_t attempt) {
  const auto& schedules = env_.cluster->jobs;
  const auto schedule = std::find_if(schedules.begin(), schedules.end(), [&](const JobSchedule& s) { return s.id == job; });
  SIM_ASSERT(schedule != schedules.end());
  auto end_at = [&](std::optional<sim::Duration> at, RpcKind kind) {
    if (!at) return;
    const sim::Instant when = std::max(env_.sim->now(), sim::Instant{} + *at);
    env_.sim->at(when, [this, job, session, attempt, kind] {
      const JobSlot& slot = jobs_.at(job);
      if (slot.running_session == session && slot.running_attempt == attempt) send_to_jobmaster(job, kind, session, attempt);
    }, self_);
  };
  end_at(schedule->finish_at, RpcKind::kTasksFinished);
  end_at(schedule->fail_at, RpcKind::kTasksFailed);
}

// TaskExecutor.triggerCheckpoint answers the ask at once: acknowledged once the task took the
// trigger, or completed exceptionally (CheckpointException TASK_CHECKPOINT_FAILURE) for a task it
// does not run. The snapshot's acknowledgeCheckpoint follows separately.
void TaskManager::on_trigger(const RpcMessage& message) {
  if (!fenced_accept(message, "trigger", true)) {
    answer(message, RpcKind::kTriggerFailed);
    return;
  }
  answer(message, RpcKind::kTriggerAcked);
  const std::string job = message.job, session = message.session_id;
  const std::int64_t id = message.checkpoint_id, attempt = message.attempt;
  env_.sim->after(rng_.duration_between(kSnapshotMin, kSnapshotMax), [this, job, session, attempt, id] {
    const JobSlot& slot = jobs_.at(job);
    if (slot.running_session == session && slot.running_attempt == attempt) {
      send_to_jobmaster(job, RpcKind::kAcknowledgeCheckpoint, session, attempt, id);
    }
  }, self_);
}

void TaskManager::on_notify(const RpcMessage& message) {
  if (!fenced_accept(message, "notify", true)) return;
  trace("tm-commit", {field("job", message.job), field("session_id", message.session_id),
                      {"checkpoint_id", message.checkpoint_id}});
}

void TaskManager::on_cancel(const RpcMessage& message) {
  if (!fenced_accept(message, "cancel", true)) return;  // no such task: nothing to cancel
  release_tasks(message.job, "cancelled");
}

void TaskManager::on_job_leader(const std::string& job, const LeaderInformation& info) {
  JobSlot& slot = jobs_.at(job);
  slot.leader = info;
  if (!slot.running_session.empty() && slot.running_session != info.session_id) release_tasks(job, "job leader changed");
}

void TaskManager::release_tasks(const std::string& job, const std::string& reason) {
  JobSlot& slot = jobs_.at(job);
  if (slot.running_session.empty()) return;
  trace("tm-tasks-released", {field("job", job), field("session_id", slot.running_session), field("reason", reason)});
  // Failing the tasks is reported to the JobMaster that deployed them (updateTaskExecutionState),
  // which restarts the job; a cancel it asked for needs no report.
  if (reason != "cancelled") {
    env_.rpc->send(self_, slot.jobmaster_address,
                   rpc_message(RpcKind::kTasksReleased, address_, slot.running_session, job, 0,
                               env_.sim->incarnation(self_), slot.running_attempt));
  }
  slot.running_session.clear();
  slot.running_attempt = 0;
}

void TaskManager::heartbeat_resource_manager() {
  if (resource_manager_.empty()) return;
  const RpcKind kind = registered_with_ == resource_manager_.session_id ? RpcKind::kTaskManagerHeartbeat
                                                                         : RpcKind::kRegisterTaskManager;
  env_.rpc->send(self_, resource_manager_.address,
                 rpc_message(kind, address_, resource_manager_.session_id, "", 0));
}

void TaskManager::check_jobmaster_heartbeats() {
  const sim::Duration timeout = env_.cluster->config.heartbeat_timeout;
  for (auto& [job, slot] : jobs_) {
    if (!slot.running_session.empty() && env_.sim->now() - slot.jobmaster_heard_at > timeout) {
      release_tasks(job, "jobmaster heartbeat timeout");
    }
  }
}

void TaskManager::send_to_jobmaster(const std::string& job, RpcKind kind, const std::string& session,
                                    std::int64_t attempt, std::int64_t checkpoint_id) {
  const JobSlot& slot = jobs_.at(job);
  if (slot.leader.session_id != session || slot.leader.address.empty()) return;
  // The incarnation stands for the ResourceID: a restarted TaskManager is a new one to a JobMaster.
  const std::int64_t resource_id = env_.sim->incarnation(self_);
  env_.rpc->send(self_, slot.leader.address, rpc_message(kind, address_, session, job, checkpoint_id, resource_id, attempt));
}

}  // namespace model::flink
