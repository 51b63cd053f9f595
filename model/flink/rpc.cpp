#include "model/flink/rpc.hpp"

#include "sim/assert.hpp"

namespace model::flink {
namespace {

// Flink's RPCs between hosts of one data centre: a millisecond or two each way.
constexpr sim::Duration kLatencyMin = sim::microseconds(300);
constexpr sim::Duration kLatencyMax = sim::milliseconds(3);

}  // namespace

std::string_view to_string(RpcKind kind) {
  switch (kind) {
    case RpcKind::kSubmitJob: return "submit-job";
    case RpcKind::kCancelJob: return "cancel-job";
    case RpcKind::kJobAcked: return "job-acked";
    case RpcKind::kJobRejected: return "job-rejected";
    case RpcKind::kRegisterTaskManager: return "register-taskmanager";
    case RpcKind::kTaskManagerHeartbeat: return "taskmanager-heartbeat";
    case RpcKind::kRegistrationAcked: return "registration-acked";
    case RpcKind::kDeployTasks: return "deploy-tasks";
    case RpcKind::kTriggerCheckpoint: return "trigger-checkpoint";
    case RpcKind::kNotifyCheckpointComplete: return "notify-checkpoint-complete";
    case RpcKind::kCancelTasks: return "cancel-tasks";
    case RpcKind::kJobMasterHeartbeat: return "jobmaster-heartbeat";
    case RpcKind::kTasksDeployed: return "tasks-deployed";
    case RpcKind::kAcknowledgeCheckpoint: return "acknowledge-checkpoint";
    case RpcKind::kTasksFinished: return "tasks-finished";
    case RpcKind::kTasksFailed: return "tasks-failed";
    case RpcKind::kHeartbeatReply: return "heartbeat-reply";
    case RpcKind::kDeployRejected: return "deploy-rejected";
    case RpcKind::kTasksReleased: return "tasks-released";
  }
  return "unknown";
}

std::string RpcMessage::describe() const {
  return std::string(to_string(kind)) + " from " + from + (job.empty() ? "" : " job " + job) +
         (session_id.empty() ? "" : " session " + session_id) +
         (checkpoint_id != 0 ? " checkpoint " + std::to_string(checkpoint_id) : "");
}

RpcMessage rpc_message(RpcKind kind, std::string from, std::string session_id, std::string job,
                       std::int64_t checkpoint_id, std::int64_t value) {
  RpcMessage message;
  message.kind = kind;
  message.from = std::move(from);
  message.session_id = std::move(session_id);
  message.job = std::move(job);
  message.checkpoint_id = checkpoint_id;
  message.value = value;
  return message;
}

RpcRouter::RpcRouter(sim::Simulation& sim, sim::Network& net, std::string stream_name)
    : sim_(sim), net_(net), rng_(sim.rng_stream(stream_name)) {}

void RpcRouter::bind(const std::string& address, sim::ProcessId process, sim::MailboxId inbox) {
  SIM_ASSERT(!address.empty());
  bindings_[address] = Binding{process, inbox, sim_.incarnation(process)};
}

bool RpcRouter::send(sim::ProcessId from, const std::string& to, RpcMessage message) {
  const auto found = bindings_.find(to);
  if (found == bindings_.end()) return false;
  sent_++;
  const Binding target = found->second;
  if (!net_.reachable(from, target.process) || !net_.reachable(target.process, from)) {
    lost_++;
    return true;
  }
  auto shared = std::make_shared<const RpcMessage>(std::move(message));
  // Pekko keeps the order of messages between one sender and one receiver: a message never
  // overtakes an earlier one on the same pair (a cancel must not arrive after the next deploy).
  sim::Instant arrive_at = sim_.now() + rng_.duration_between(kLatencyMin, kLatencyMax);
  sim::Instant& last = last_arrival_[{from, to}];
  if (arrive_at <= last) arrive_at = last + sim::nanoseconds(1);
  last = arrive_at;
  // Owned by the target: set aside while it is paused, dropped if it crashes first.
  sim_.at(
      arrive_at, [this, from, to, incarnation = target.incarnation, shared] { deliver(from, to, incarnation, shared); },
      target.process);
  return true;
}

void RpcRouter::deliver(sim::ProcessId from, const std::string& to, std::uint32_t incarnation,
                        std::shared_ptr<const RpcMessage> message) {
  const Binding& target = bindings_.at(to);
  const bool same_life = target.incarnation == incarnation && sim_.incarnation(target.process) == incarnation;
  if (!same_life || !net_.reachable(from, target.process) || !sim_.mailbox_post(target.inbox, sim::Mail{0, 0, message})) {
    lost_++;
  }
}

}  // namespace model::flink
