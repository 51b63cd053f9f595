#pragma once
// Messages of the simulated ZooKeeper: client <-> server (the jute records a Java client sends)
// and server <-> server (the quorum packets of Leader/Learner and FastLeaderElection). They travel
// as sim::Payload over the simulated network; describe() is what the trace shows.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "model/zookeeper/zk_ops.hpp"
#include "sim/mail.hpp"
#include "sim/time.hpp"

namespace model::zk {

// ---- client <-> server ---------------------------------------------------------------------

// Special xids of the wire protocol (ClientCnxn).
inline constexpr std::int32_t kNotificationXid = -1;
inline constexpr std::int32_t kPingXid = -2;
inline constexpr std::int32_t kSetWatchesXid = -8;

struct ConnectRequest final : sim::Payload {
  Zxid last_zxid_seen = 0;
  sim::Duration timeout;  // requested
  SessionId session = 0;  // 0: a new session
  std::string describe() const override;
};

// timeout 0 means the session is expired (or unknown): the client reports Expired.
struct ConnectResponse final : sim::Payload {
  sim::Duration timeout;
  SessionId session = 0;
  std::string describe() const override;
};

struct GetDataRequest {
  std::string path;
  bool watch = false;
};
struct ExistsRequest {
  std::string path;
  bool watch = false;
};
struct GetChildrenRequest {
  std::string path;
  bool watch = false;
};
struct SyncRequest {
  std::string path;
};
struct PingRequest {};

using ClientOp = std::variant<WriteRequest, GetDataRequest, ExistsRequest, GetChildrenRequest, SyncRequest,
                              PingRequest, SetWatchesRequest>;

struct ClientRequest final : sim::Payload {
  std::int32_t xid = 0;
  ClientOp op;
  std::string describe() const override;
};

struct SyncResponse {
  Code err = Code::Ok;
  std::string path;
};
struct EmptyResponse {
  Code err = Code::Ok;
};

using ClientResult = std::variant<TxnResult, GetDataResponse, ExistsResponse, GetChildrenResponse, SyncResponse,
                                  EmptyResponse>;

struct ClientReply final : sim::Payload {
  std::int32_t xid = 0;
  Zxid zxid = 0;
  Code err = Code::Ok;  // the reply header's error
  ClientResult result;
  std::string describe() const override;
};

struct WatchNotification final : sim::Payload {
  EventType type = EventType::None;
  std::string path;
  std::string describe() const override;
};

// ---- server <-> server ---------------------------------------------------------------------

enum class PeerState : std::uint8_t { kLooking, kFollowing, kLeading };
std::string_view to_string(PeerState state);

// FastLeaderElection notification.
struct Vote final : sim::Payload {
  int from = 0;
  int leader = 0;
  Zxid zxid = 0;
  std::int64_t epoch = 0;   // the proposed leader's epoch (peerEpoch)
  std::int64_t round = 0;   // electionEpoch / logical clock
  PeerState state = PeerState::kLooking;
  std::string describe() const override;
};

// A session-creating transaction; the rest are the data tree's.
struct CreateSessionTxn {
  SessionId session = 0;
  sim::Duration timeout;
};
// Closing goes through the data tree's CloseSessionTxn, with the session in the header.
using LoggedTxn = std::variant<Txn, CreateSessionTxn>;

// Where the answer to a write goes once it commits: the server holding the client's connection.
struct RequestOrigin {
  int server = 0;
  std::uint64_t connection = 0;  // the origin server's connection id (0: none)
  std::int32_t xid = 0;
};

struct LogEntry {
  TxnHeader header;
  LoggedTxn txn;
  RequestOrigin origin;
};

struct FollowerInfo final : sim::Payload {
  int from = 0;
  std::int64_t accepted_epoch = 0;
  Zxid last_zxid = 0;
  std::string describe() const override;
};

// The leader's sync of one follower: truncate the log to `truncate_to`, then append `entries`,
// then take `epoch` as the current epoch (DIFF/TRUNC followed by NEWLEADER, in one packet).
struct NewLeader final : sim::Payload {
  std::int64_t epoch = 0;
  Zxid truncate_to = 0;
  std::vector<LogEntry> entries;
  std::string describe() const override;
};

struct AckNewLeader final : sim::Payload {
  int from = 0;
  std::string describe() const override;
};

struct UpToDate final : sim::Payload {
  Zxid committed = 0;  // the follower may apply its log up to here
  std::string describe() const override { return "UPTODATE"; }
};

struct Proposal final : sim::Payload {
  LogEntry entry;
  std::string describe() const override;
};

struct Ack final : sim::Payload {
  int from = 0;
  Zxid zxid = 0;
  std::string describe() const override;
};

struct Commit final : sim::Payload {
  Zxid zxid = 0;
  std::string describe() const override;
};

// A client's write, session creation, revalidation or sync, forwarded by a follower.
struct ForwardedRequest final : sim::Payload {
  struct Revalidate {
    SessionId session = 0;
  };
  struct Sync {
    std::string path;
  };
  struct CreateSession {
    sim::Duration timeout;
  };
  using Body = std::variant<WriteRequest, CreateSession, Revalidate, Sync>;
  SessionId session = 0;
  RequestOrigin origin;
  Body request;
  std::string describe() const override;
};

// The leader's answer to a revalidation or a sync, addressed to a connection on the follower.
struct ForwardedReply final : sim::Payload {
  enum class Kind : std::uint8_t { kRevalidate, kSync };
  Kind kind = Kind::kRevalidate;
  RequestOrigin origin;
  SessionId session = 0;
  bool session_valid = true;
  sim::Duration timeout;  // for a revalidation: the session's timeout
  Zxid zxid = 0;          // for a sync: the leader's last zxid when it answered
  std::string path;       // for a sync
  std::string describe() const override;
};

// Leader -> follower every tick/2; the follower answers with the sessions its clients touched.
struct LeaderPing final : sim::Payload {
  std::string describe() const override { return "PING"; }
};

struct FollowerPing final : sim::Payload {
  int from = 0;
  std::vector<SessionId> touched;
  std::string describe() const override;
};

}  // namespace model::zk
