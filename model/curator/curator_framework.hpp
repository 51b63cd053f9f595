#pragma once
// The slice of Curator's CuratorFramework that Flink and the recipes use, over the simulated
// ZooKeeper client: connection-state tracking (ConnectionStateManager), foreground operations
// retried by RetryLoop under ExponentialBackoffRetry, protected-mode creates, and per-call
// one-shot watchers. Blocking calls, from fibers of the owning process.
//
// Foreground operations follow RetryLoop.callWithRetry: wait for a connection once, up to the
// connection timeout (CuratorZookeeperClient.internalBlockUntilConnectedOrTimedOut), then try;
// each attempt is handed to the ZooKeeper client as is, which queues it while it connects and
// fails it when that connect attempt fails. A retryable failure (RetryPolicy.allowRetry) sleeps
// the backoff and tries again on whatever handle is current, a new one after an expiry.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/curator/connection_state.hpp"
#include "model/curator/retry_policy.hpp"
#include "model/zookeeper/zk_client.hpp"
#include "model/zookeeper/zk_ops.hpp"
#include "sim/network.hpp"
#include "sim/simulation.hpp"


namespace model::curator {

struct CuratorOptions {
  std::vector<sim::ProcessId> servers;
  sim::Duration session_timeout = sim::seconds(60);
  sim::Duration connection_timeout = sim::seconds(15);
  ExponentialBackoffRetry retry{sim::seconds(5), 3};
  ErrorPolicy error_policy = ErrorPolicy::kStandard;
  // Curator's sessionExpirationPercent: LOST is injected after this share of the negotiated
  // session timeout spent in SUSPENDED. 100 in Curator 5; 0 disables it.
  int session_expiration_percent = 100;
  std::string name = "curator";  // for traces and PRNG streams
};

// A one-shot watcher: called once, on the framework's event fiber, with the event's type and path.
using Watcher = std::function<void(zk::EventType type, const std::string& path)>;
using ConnectionListener = std::function<void(ConnectionState)>;

struct CreateOptions {
  bool protection = false;        // withProtection(): "_c_<uuid>-" name prefix, found again after a lost reply
  bool creating_parents = false;  // creatingParentsIfNeeded()
};

using zk::ChildrenResult;
using zk::CreateResult;
using zk::DataResult;
using zk::MultiResult;
using zk::StatResult;

class CuratorFramework {
 public:
  CuratorFramework(sim::Simulation& sim, sim::Network& net, sim::ProcessId owner, CuratorOptions options);
  ~CuratorFramework();
  CuratorFramework(const CuratorFramework&) = delete;
  CuratorFramework& operator=(const CuratorFramework&) = delete;

  void start();  // from the owning process's boot or fibers
  sim::Simulation& sim() { return sim_; }
  sim::ProcessId owner() const { return owner_; }
  const CuratorOptions& options() const { return options_; }
  ErrorPolicy error_policy() const { return options_.error_policy; }
  std::optional<ConnectionState> last_state() const;
  bool connected() const;
  zk::SessionId session_id() const;
  sim::Duration negotiated_timeout() const;
  std::optional<sim::ProcessId> connected_server() const;
  // ZkClient::last_heard of the current client; nullopt before the first one exists.
  std::optional<sim::Instant> last_heard() const;

  // Called on the event fiber, in the order the states happen.
  void add_connection_listener(ConnectionListener listener) { listeners_.push_back(std::move(listener)); }

  // `created_in`, when given, receives the session of the handle whose attempt produced the
  // answer: for an ephemeral node, the session that owns it.
  CreateResult create(const std::string& path, zk::Data data, zk::CreateMode mode, CreateOptions options = {},
                      zk::SessionId* created_in = nullptr);
  // `committed`, when given, receives the zxid of the last attempt's reply (0 without one).
  zk::Code remove(const std::string& path, std::int32_t version = -1, zk::Zxid* committed = nullptr);
  // ZKPaths.mkdirs: every component of `path` exists as a persistent node afterwards.
  zk::Code ensure_path(const std::string& path);
  DataResult get_data(const std::string& path, Watcher watcher = nullptr);
  ChildrenResult get_children(const std::string& path, Watcher watcher = nullptr);
  StatResult exists(const std::string& path, Watcher watcher = nullptr);
  StatResult set_data(const std::string& path, zk::Data data, std::int32_t version = -1);
  // `attempts`, when given, receives how many times the operation was sent: a NodeExists on a
  // later attempt may be the echo of an earlier attempt whose reply was lost.
  MultiResult multi(const std::vector<zk::MultiOp>& ops, int* attempts = nullptr);

 private:
  struct Impl;
  sim::Simulation& sim_;
  sim::Network& net_;
  sim::ProcessId owner_;
  CuratorOptions options_;
  std::vector<ConnectionListener> listeners_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace model::curator
