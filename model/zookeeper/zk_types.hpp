#pragma once
// ZooKeeper 3.8 wire-level vocabulary: result codes, create modes, the client-visible Stat, watch
// event types. The numeric values are the real ones (KeeperException.Code, CreateMode flags,
// Watcher.Event.EventType, ZooDefs.Perms) because the model is compared op-by-op against a real
// server through the C client, which reports exactly these integers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace model::zk {

using SessionId = std::int64_t;
using Zxid = std::int64_t;
// A server-side watcher is a client connection (ServerCnxn), not a session: after a reconnect the
// client re-registers its watches with SetWatches. The ensemble decides how to number connections.
using WatcherId = std::int64_t;
// Milliseconds of wall-clock time as the leader stamped the txn header (ctime/mtime).
using WallTimeMs = std::int64_t;

// A znode's payload. nullopt is jute's null buffer: the server stores it as null, reports
// dataLength 0 and returns null again (the C client then sees buffer_len -1).
using Data = std::optional<std::string>;

// KeeperException.Code.
enum class Code : std::int32_t {
  Ok = 0,
  SystemError = -1,
  RuntimeInconsistency = -2,
  DataInconsistency = -3,
  ConnectionLoss = -4,
  MarshallingError = -5,
  Unimplemented = -6,
  OperationTimeout = -7,
  BadArguments = -8,
  UnknownSession = -12,
  NewConfigNoQuorum = -13,
  ReconfigInProgress = -14,
  ApiError = -100,
  NoNode = -101,
  NoAuth = -102,
  BadVersion = -103,
  NoChildrenForEphemerals = -108,
  NodeExists = -110,
  NotEmpty = -111,
  SessionExpired = -112,
  InvalidCallback = -113,
  InvalidAcl = -114,
  AuthFailed = -115,
  SessionMoved = -118,
  NotReadOnly = -119,
  EphemeralOnLocalSession = -120,
  NoWatcher = -121,
  RequestTimeout = -122,
  ReconfigDisabled = -123,
  SessionClosedRequireSaslAuth = -124,
  QuotaExceeded = -125,
  ThrottledOp = -127,
};

std::string_view to_string(Code code);

// CreateMode flags as sent on the wire (CreateMode.fromFlag).
enum class CreateMode : std::int32_t {
  Persistent = 0,
  Ephemeral = 1,
  PersistentSequential = 2,
  EphemeralSequential = 3,
  Container = 4,
  PersistentWithTtl = 5,
  PersistentSequentialWithTtl = 6,
};

constexpr bool is_ephemeral(CreateMode mode) {
  return mode == CreateMode::Ephemeral || mode == CreateMode::EphemeralSequential;
}
constexpr bool is_sequential(CreateMode mode) {
  return mode == CreateMode::PersistentSequential || mode == CreateMode::EphemeralSequential ||
         mode == CreateMode::PersistentSequentialWithTtl;
}
constexpr bool is_container(CreateMode mode) { return mode == CreateMode::Container; }
constexpr bool is_ttl(CreateMode mode) {
  return mode == CreateMode::PersistentWithTtl || mode == CreateMode::PersistentSequentialWithTtl;
}

// The Stat a client sees (zookeeper.jute `Stat`, field order as on the wire).
struct Stat {
  Zxid czxid = 0;
  Zxid mzxid = 0;
  WallTimeMs ctime = 0;
  WallTimeMs mtime = 0;
  std::int32_t version = 0;
  std::int32_t cversion = 0;
  std::int32_t aversion = 0;
  SessionId ephemeral_owner = 0;
  std::int32_t data_length = 0;
  std::int32_t num_children = 0;
  Zxid pzxid = 0;
  bool operator==(const Stat&) const = default;
};

// Watcher.Event.EventType.
enum class EventType : std::int32_t {
  None = -1,
  NodeCreated = 1,
  NodeDeleted = 2,
  NodeDataChanged = 3,
  NodeChildrenChanged = 4,
};

std::string_view to_string(EventType type);

// Watcher.WatcherType, used by removeWatches/checkWatches.
enum class WatcherType : std::int32_t { Children = 1, Data = 2, Any = 3 };

// One notification the server sends to a connection (xid -1, state SyncConnected).
struct WatchEvent {
  WatcherId watcher = 0;
  EventType type = EventType::None;
  std::string path;
  bool operator==(const WatchEvent&) const = default;
};

// ZooDefs.Perms. Only the world:anyone permissions of a node are modelled (see DataTree).
namespace perms {
inline constexpr std::uint8_t kRead = 1 << 0;
inline constexpr std::uint8_t kWrite = 1 << 1;
inline constexpr std::uint8_t kCreate = 1 << 2;
inline constexpr std::uint8_t kDelete = 1 << 3;
inline constexpr std::uint8_t kAdmin = 1 << 4;
inline constexpr std::uint8_t kAll = kRead | kWrite | kCreate | kDelete | kAdmin;
}  // namespace perms

}  // namespace model::zk
