#pragma once
// Flink's RPC between JobManagers, TaskManagers and the job client (Akka/Pekko in Flink), reduced
// to what failover depends on: a message reaches its target only if the network lets the two
// processes talk both when it is sent and when it arrives, after a sampled latency; a target that
// is down, or restarted meanwhile, never sees it; a paused target sees it late. There is no reply
// channel: callers that need an answer wait for a message back and time out (every ask in Flink
// has a timeout). Fenced calls carry the sender's leader session id; the receiver decides.
#include <cstdint>
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
};
std::string_view to_string(RpcKind kind);

struct RpcMessage final : sim::Payload {
  RpcKind kind = RpcKind::kSubmitJob;
  std::string from;        // the sender's RPC address ("jm1", "tm2", "client")
  std::string session_id;  // the fencing token: the leader session the sender acts under, or ""
  std::string job;
  std::int64_t checkpoint_id = 0;
  std::int64_t value = 0;  // kind-specific: tasks deployed, ...
  std::string describe() const override;
};

RpcMessage rpc_message(RpcKind kind, std::string from, std::string session_id, std::string job = "",
                       std::int64_t checkpoint_id = 0, std::int64_t value = 0);

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

 private:
  struct Binding {
    sim::ProcessId process = sim::kNoProcess;
    sim::MailboxId inbox{};
    std::uint32_t incarnation = 0;
  };
  void deliver(sim::ProcessId from, const std::string& to, std::uint32_t incarnation,
               std::shared_ptr<const RpcMessage> message);

  sim::Simulation& sim_;
  sim::Network& net_;
  sim::Prng rng_;
  std::map<std::string, Binding> bindings_;
  std::map<std::pair<sim::ProcessId, std::string>, sim::Instant> last_arrival_;  // per-pair FIFO
  std::uint64_t sent_ = 0;
  std::uint64_t lost_ = 0;
};

}  // namespace model::flink
