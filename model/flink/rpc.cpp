#include "model/flink/rpc.hpp"

#include <algorithm>
#include <iterator>

#include "sim/assert.hpp"

namespace model::flink {
namespace {

// Flink's RPCs between hosts of one data centre: a millisecond or two each way.
constexpr sim::Duration kLatencyMin = sim::microseconds(300);
constexpr sim::Duration kLatencyMax = sim::milliseconds(3);
// Linux TCP retransmission: RTO starts at TCP_RTO_MIN (200 ms) on a LAN, doubles per attempt up to
// TCP_RTO_MAX (120 s); after tcp_retries2 = 15 attempts (0.2 * (2^10 - 1) + 6 * 120 s = ~924.6 s)
// the connection is aborted.
constexpr sim::Duration kRtoMin = sim::milliseconds(200);
constexpr sim::Duration kRtoMax = sim::seconds(120);
constexpr sim::Duration kTcpGiveUp = sim::milliseconds(924600);

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
    case RpcKind::kTriggerAcked: return "trigger-acked";
    case RpcKind::kTriggerFailed: return "trigger-failed";
  }
  return "unknown";
}

std::string RpcMessage::describe() const {
  return std::string(to_string(kind)) + " from " + from + (job.empty() ? "" : " job " + job) +
         (session_id.empty() ? "" : " session " + session_id) +
         (checkpoint_id != 0 ? " checkpoint " + std::to_string(checkpoint_id) : "") +
         (attempt != 0 ? " attempt " + std::to_string(attempt) : "");
}

RpcMessage rpc_message(RpcKind kind, std::string from, std::string session_id, std::string job,
                       std::int64_t checkpoint_id, std::int64_t value, std::int64_t attempt) {
  RpcMessage message;
  message.kind = kind;
  message.from = std::move(from);
  message.session_id = std::move(session_id);
  message.job = std::move(job);
  message.checkpoint_id = checkpoint_id;
  message.value = value;
  message.attempt = attempt;
  return message;
}

RpcRouter::RpcRouter(sim::Simulation& sim, sim::Network& net, std::string stream_name)
    : sim_(sim), net_(net), rng_(sim.rng_stream(stream_name)) {}

void RpcRouter::bind(const std::string& address, sim::ProcessId process, sim::MailboxId inbox) {
  SIM_ASSERT(!address.empty());
  bindings_[address] = Binding{process, inbox, sim_.incarnation(process)};
}

bool RpcRouter::can_talk(sim::ProcessId from, sim::ProcessId to) const {
  // Data one way, acknowledgements the other: TCP needs both.
  return net_.reachable(from, to) && net_.reachable(to, from);
}

bool RpcRouter::send(sim::ProcessId from, const std::string& to, RpcMessage message) {
  const auto found = bindings_.find(to);
  if (found == bindings_.end()) return false;
  sent_++;
  const PairKey pair{from, to};
  Stream& stream = streams_[pair];
  drop_dead(stream, from, to);
  Segment segment{stream.next_seq++, sim_.incarnation(from), found->second.incarnation,
                  std::make_shared<const RpcMessage>(std::move(message))};
  // Behind a held backlog nothing passes: one TCP stream per pair.
  if (stream.backlog.empty() && can_talk(from, found->second.process)) {
    transmit(pair, std::move(segment));
  } else {
    hold(pair, std::move(segment));
  }
  return true;
}

void RpcRouter::transmit(const PairKey& pair, Segment segment) {
  Stream& stream = streams_[pair];
  const Binding& target = bindings_.at(pair.second);
  // A message never overtakes an earlier one on the same pair (a cancel must not arrive after the
  // next deploy).
  sim::Instant arrive_at = sim_.now() + rng_.duration_between(kLatencyMin, kLatencyMax);
  if (arrive_at <= stream.last_arrival) arrive_at = stream.last_arrival + sim::nanoseconds(1);
  stream.last_arrival = arrive_at;
  // Owned by the target: set aside while it is paused, dropped if it crashes first.
  sim_.at(arrive_at, [this, pair, segment = std::move(segment)]() mutable { deliver(pair, std::move(segment)); },
          target.process);
}

// Kept in sequence order: a segment that met a cut on the wire goes back before later ones.
void RpcRouter::hold(const PairKey& pair, Segment segment) {
  Stream& stream = streams_[pair];
  if (stream.backlog.size() >= kBacklogMax) {
    lost_++;
    return;
  }
  if (stream.backlog.empty()) {
    stream.stalled_since = sim_.now();
    stream.rto = kRtoMin;
  }
  auto at = stream.backlog.end();
  while (at != stream.backlog.begin() && std::prev(at)->seq > segment.seq) --at;
  stream.backlog.insert(at, std::move(segment));
  if (stream.timer_armed) return;
  stream.timer_armed = true;
  // The sender's kernel retransmits, so the timer belongs to no process: a paused JVM's socket
  // still retransmits. A crashed sender's backlog is dropped when the timer finds it dead.
  sim_.after(stream.rto, [this, pair] { retransmit(pair); });
}

// Messages whose sender or receiver has since crashed or restarted are gone with that life.
void RpcRouter::drop_dead(Stream& stream, sim::ProcessId from, const std::string& to) {
  const std::uint32_t sender_life = sim_.incarnation(from);
  const Binding& target = bindings_.at(to);
  const std::uint32_t target_life = sim_.incarnation(target.process);
  const std::size_t before = stream.backlog.size();
  std::erase_if(stream.backlog, [&](const Segment& s) {
    return s.sender_incarnation != sender_life || s.target_incarnation != target.incarnation ||
           s.target_incarnation != target_life;
  });
  lost_ += before - stream.backlog.size();
}

void RpcRouter::retransmit(const PairKey& pair) {
  Stream& stream = streams_[pair];
  stream.timer_armed = false;
  drop_dead(stream, pair.first, pair.second);
  if (stream.backlog.empty()) return;
  if (can_talk(pair.first, bindings_.at(pair.second).process)) {
    std::deque<Segment> backlog = std::move(stream.backlog);
    stream.backlog.clear();
    retransmitted_ += backlog.size();
    for (Segment& segment : backlog) transmit(pair, std::move(segment));
    return;
  }
  if (sim_.now() - stream.stalled_since >= kTcpGiveUp) {
    // TCP aborts the connection; Pekko gates the association and drops what it buffered. Later
    // messages open a new connection.
    lost_ += stream.backlog.size();
    stream.backlog.clear();
    return;
  }
  stream.rto = std::min(stream.rto * 2, kRtoMax);
  stream.timer_armed = true;
  sim_.after(stream.rto, [this, pair] { retransmit(pair); });
}

void RpcRouter::deliver(const PairKey& pair, Segment segment) {
  const Binding& target = bindings_.at(pair.second);
  const bool same_life = target.incarnation == segment.target_incarnation &&
                         sim_.incarnation(target.process) == segment.target_incarnation;
  if (!same_life) {
    lost_++;
    return;
  }
  Stream& stream = streams_[pair];
  const bool behind_held = !stream.backlog.empty() && stream.backlog.front().seq < segment.seq;
  if (behind_held || !can_talk(pair.first, target.process)) {
    hold(pair, std::move(segment));  // cut on the wire, or an earlier one is still held: retransmitted
    return;
  }
  if (!sim_.mailbox_post(target.inbox, sim::Mail{0, 0, segment.message})) lost_++;
}

}  // namespace model::flink
