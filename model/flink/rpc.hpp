#pragma once
// Flink's RPC between JobManagers, TaskManagers and the job client (Pekko classic remoting over
// Netty TCP in Flink 1.18-1.20), reduced to what failover depends on. Each (sender, receiver) pair
// is one TCP stream: messages arrive in order after a sampled latency. A message sent, or still on
// the wire, while the pair cannot talk is not lost: TCP retransmits it with exponential back-off
// (RTO 200 ms doubling to 120 s) and it arrives after the heal, behind nothing newer. Flink turns
// Pekko's transport failure detector off (PekkoUtils: heartbeat-interval 1000 s, acceptable pause
// 6000 s), so a partition alone never drops an association. Only a crashed or restarted peer loses
// messages (a new incarnation is a new actor system UID), and a stream whose head has waited past
// TCP's give-up time (tcp_retries2 = 15, about 924 s) is closed and its backlog dropped, as Pekko
// then gates the association and drops what it buffered. A paused target sees messages late.
// There is no reply channel: callers that need an answer wait for a message back and time out
// (every ask in Flink has a timeout, pekko.ask.timeout = 10 s by default), even if the request is
// delivered later. Fenced calls carry the sender's leader session id; the receiver decides.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "sim/network.hpp"
#include "sim/simulation.hpp"

namespace model::flink {

enum class RpcKind : std::uint32_t {
  // client -> dispatcher
  kSubmitJob = 1,
  kCancelJob,
  // dispatcher -> client
  kJobAcked,
  kJobRejected,
  // TaskManager -> ResourceManager
  kRegisterTaskManager,
  kTaskManagerHeartbeat,
  kRegistrationAcked,
  // JobMaster -> TaskManager
  kDeployTasks,
  kTriggerCheckpoint,
  kNotifyCheckpointComplete,
  kCancelTasks,
  kJobMasterHeartbeat,
  // TaskManager -> JobMaster
  kTasksDeployed,
  kAcknowledgeCheckpoint,
  kTasksFinished,
  kTasksFailed,
  kHeartbeatReply,
  kDeployRejected,
  kTasksReleased,  // the TaskManager failed the job's tasks (its job leader was lost or changed)
  // TaskManager -> JobMaster: the answer to the triggerCheckpoint ask (TaskExecutorGateway returns
  // a future): accepted, or failed for a task it does not run (CheckpointException
  // TASK_CHECKPOINT_FAILURE).
  kTriggerAcked,
  kTriggerFailed,
};
std::string_view to_string(RpcKind kind);

struct RpcMessage final : sim::Payload {
  RpcKind kind = RpcKind::kSubmitJob;
  std::string from;        // the sender's RPC address ("jm1", "tm2", "client")
  std::string session_id;  // the fencing token: the leader session the sender acts under, or ""
  std::string job;
  std::int64_t checkpoint_id = 0;
  std::int64_t value = 0;  // kind-specific: tasks deployed, ...
  // The ExecutionAttemptID of the deploy round a task call or task report is about (0: none). In a
  // heartbeat reply it is the deployment report: the attempt the TaskManager runs for the job. In
  // a client's request to the Dispatcher, and echoed in its answer, the request's own id: an HTTP
  // response belongs to its request, so a late answer to an earlier try is never taken for this one.
  std::int64_t attempt = 0;
  std::string describe() const override;
};

RpcMessage rpc_message(RpcKind kind, std::string from, std::string session_id, std::string job = "",
                       std::int64_t checkpoint_id = 0, std::int64_t value = 0, std::int64_t attempt = 0);

class RpcRouter {
 public:
  RpcRouter(sim::Simulation& sim, sim::Network& net, std::string stream_name);
  RpcRouter(const RpcRouter&) = delete;
  RpcRouter& operator=(const RpcRouter&) = delete;

  // The process's current inbox for `address`; re-bound on every boot.
  void bind(const std::string& address, sim::ProcessId process, sim::MailboxId inbox);
  // False when the address is unknown; otherwise the message is in flight (and may be lost).
  bool send(sim::ProcessId from, const std::string& to, RpcMessage message);
  std::uint64_t sent() const { return sent_; }
  std::uint64_t lost() const { return lost_; }
  std::uint64_t retransmitted() const { return retransmitted_; }

  // A stream's backlog bound. Pekko's endpoint writer buffers without bound (it only warns); this
  // bound is far above what Flink's traffic on one pair reaches before TCP gives up (about one
  // heartbeat or trigger a second for ~924 s). A message past it is dropped, like one the sender
  // could no longer buffer.
  static constexpr std::size_t kBacklogMax = 4096;

 private:
  struct Binding {
    sim::ProcessId process = sim::kNoProcess;
    sim::MailboxId inbox{};
    std::uint32_t incarnation = 0;
  };
  using PairKey = std::pair<sim::ProcessId, std::string>;
  // One message of a stream, with the lives of both ends it was sent between.
  struct Segment {
    std::uint64_t seq = 0;
    std::uint32_t sender_incarnation = 0;
    std::uint32_t target_incarnation = 0;
    std::shared_ptr<const RpcMessage> message;
  };
  // What TCP holds for one pair while the two cannot talk: oldest first.
  struct Stream {
    std::uint64_t next_seq = 0;
    std::deque<Segment> backlog;
    sim::Duration rto{};
    sim::Instant stalled_since{};
    bool timer_armed = false;
    sim::Instant last_arrival{};  // per-pair FIFO on the wire
  };
  bool can_talk(sim::ProcessId from, sim::ProcessId to) const;
  void transmit(const PairKey& pair, Segment segment);
  void hold(const PairKey& pair, Segment segment);
  void retransmit(const PairKey& pair);
  void drop_dead(Stream& stream, sim::ProcessId from, const std::string& to);
  void deliver(const PairKey& pair, Segment segment);

  sim::Simulation& sim_;
  sim::Network& net_;
  sim::Prng rng_;
  std::map<std::string, Binding> bindings_;
  std::map<PairKey, Stream> streams_;
  std::uint64_t sent_ = 0;
  std::uint64_t lost_ = 0;
  std::uint64_t retransmitted_ = 0;
};

}  // namespace model::flink
