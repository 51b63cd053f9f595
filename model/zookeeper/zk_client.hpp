#pragma once
// The ZooKeeper 3.8 Java client (ZooKeeper + ClientCnxn), as Flink uses it through Curator,
// running inside one simulated process. See README.md in this folder for the timing rules it
// follows; each is taken from ClientCnxn.SendThread, ClientCnxnSocketNIO and StaticHostProvider.
//
// Two fibers of the owning process do the work, as the two Java threads do:
//   - the send thread owns the connection: it picks servers, connects, establishes or
//     revalidates the session, pings, notices a lost connection, fails what was in flight and
//     reconnects;
//   - the event thread hands connection-state and watch events, in the order they happened, to
//     the watcher. Because it is a fiber of its own, a watcher may make blocking calls on the
//     client without stalling the connection.
// The blocking calls (create, get_data, ...) are made from any fiber of the owning process.
// None has a timeout of its own (zookeeper.request.timeout = 0, the default): a call returns
// when its reply arrives or when the connection it was sent on is declared lost, which the
// connection's own timeouts bound.
//
// Not modelled: read-only mode, SASL and auth packets, chroot, persistent watches, the session
// password (the simulated server does not check one), the Closed event of close(), removeWatches.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/zookeeper/zk_ops.hpp"
#include "model/zookeeper/zk_types.hpp"
#include "sim/network.hpp"
#include "sim/prng.hpp"
#include "sim/simulation.hpp"

namespace model::zk {

// ZooKeeper.States, without the ones this model never enters (NOT_CONNECTED, CONNECTEDREADONLY,
// AUTH_FAILED).
enum class ClientState : std::uint8_t { kConnecting, kConnected, kClosed };
std::string_view to_string(ClientState state);

// Watcher.Event.KeeperState, the ones this model produces.
enum class KeeperState : std::uint8_t { kDisconnected, kSyncConnected, kExpired };
std::string_view to_string(KeeperState state);

// WatchedEvent: a connection-state change has type None and no path; a watch event has state
// SyncConnected, its type and the path it fired on.
struct WatchedEvent {
  EventType type = EventType::None;
  KeeperState state = KeeperState::kSyncConnected;
  std::string path;
  bool operator==(const WatchedEvent&) const = default;
};

// The client's default watcher: every connection-state event, and every watch set with
// `watch = true`. Called on the client's event fiber, one event at a time.
using ClientWatcher = std::function<void(const WatchedEvent&)>;

struct CreateResult {
  Code code = Code::SystemError;
  std::string path;  // the created path, sequence suffix included
};
struct StatResult {
  Code code = Code::SystemError;
  Stat stat;
};
struct DataResult {
  Code code = Code::SystemError;
  Data data;
  Stat stat;
};
struct ChildrenResult {
  Code code = Code::SystemError;
  std::vector<std::string> children;
  Stat stat;
};
struct MultiResult {
  // The first failing op's code, as ZooKeeper.multi reports it; Ok when all succeeded.
  Code code = Code::SystemError;
  std::vector<OpResult> results;  // empty when the multi never reached a server
  Zxid zxid = 0;                  // the reply header's: the transaction's place in ZooKeeper's order
};

struct ZkClientConfig {
  std::vector<sim::ProcessId> servers;  // the connect string, in the order written
  sim::Duration session_timeout = sim::seconds(60);  // requested; the server negotiates it
};

class ZkClient {
 public:
  // Starts both fibers on `owner`, which must be running. `rng` defaults to the stream
  // "zkclient/<process name>/<incarnation>"; a process that makes several clients in one
  // incarnation should pass distinct streams.
  ZkClient(sim::Simulation& sim, sim::Network& net, sim::ProcessId owner, ZkClientConfig config,
           ClientWatcher watcher = nullptr, std::optional<sim::Prng> rng = std::nullopt);
  // Safe after the owner's crash, after sim.shutdown(), and after close(). Destroyed while its
  // fibers still run, the client is abandoned: the watcher is never called again, pending calls
  // fail, and the send thread drops the connection without closing the session, which the
  // ensemble then expires.
  ~ZkClient();
  ZkClient(const ZkClient&) = delete;
  ZkClient& operator=(const ZkClient&) = delete;

  // --- blocking calls, from fibers of the owning process ---
  CreateResult create(const std::string& path, Data data, CreateMode mode);
  // ZooKeeper.delete. `committed`, when given, receives the reply header's zxid (0 without a reply).
  Code remove(const std::string& path, std::int32_t version = -1, Zxid* committed = nullptr);
  StatResult set_data(const std::string& path, Data data, std::int32_t version = -1);
  DataResult get_data(const std::string& path, bool watch = false);
  // Ok with the stat, or NoNode; a watch is left on either answer.
  StatResult exists(const std::string& path, bool watch = false);
  ChildrenResult get_children(const std::string& path, bool watch = false);  // getChildren2
  MultiResult multi(const std::vector<MultiOp>& ops);
  Code sync(const std::string& path);
  // Sends closeSession and waits for its reply or for the connection's loss, then stops both
  // fibers. Every later call fails with SessionExpired. A no-op once closed.
  void close();

  // ZooKeeper.getTestable().injectSessionExpiration(), which Curator 5 calls when it decides
  // the session is lost: Expired is queued, the state becomes CLOSED and the send thread drops
  // the connection without telling the server, so the session lives on there until it expires.
  void inject_session_expiration();

  // --- observation (any context) ---
  ClientState state() const;
  SessionId session_id() const;                // 0 before the first session is established
  sim::Duration negotiated_timeout() const;    // zero before the first session is established
  Zxid last_zxid_seen() const;
  // The server of the established connection; nullopt unless CONNECTED.
  std::optional<sim::ProcessId> connected_server() const;
  // When the connection last brought anything (a reply, a ping's answer, an event): the start of
  // the silence the read timeout measures.
  sim::Instant last_heard() const;
  sim::ProcessId owner() const;

  struct Core;  // the state both fibers share; defined in zk_client.cpp

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace model::zk
