#include "model/curator/curator_framework.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include "model/curator/connection_state_manager.hpp"
#include "model/probes.hpp"

namespace model::curator {
namespace {

// Mail tags on the framework's event mailbox.
constexpr std::uint32_t kZkStateTag = 0x4301;
constexpr std::uint32_t kWatchTag = 0x4302;
constexpr std::uint32_t kConnectionEventTag = 0x4304;  // wakes a caller blocked until connected

// internalBlockUntilConnectedOrTimedOut charges >= 1 ms a round, so it ends after at most
// connection_timeout / 1 ms rounds; this bounds it whatever the options say.
constexpr int kMaxBlockRounds = 1'000'000;

struct WatchPayload final : sim::Payload {
  zk::EventType type;
  std::string path;
  WatchPayload(zk::EventType t, std::string p) : type(t), path(std::move(p)) {}
  std::string describe() const override { return "watch " + path; }
};

// RetryPolicy.allowRetry(Throwable): the KeeperException codes worth another attempt.
bool retryable(zk::Code code) {
  return code == zk::Code::ConnectionLoss || code == zk::Code::OperationTimeout || code == zk::Code::SessionMoved ||
         code == zk::Code::SessionExpired;
}

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

struct CuratorFramework::Impl {
  CuratorFramework& self;
  sim::Prng rng;
  ConnectionStateManager states;
  std::unique_ptr<zk::ZkClient> client;
  std::vector<std::unique_ptr<zk::ZkClient>> retired;  // kept alive: calls may still be unwinding in them
  std::uint64_t handle_generation = 0;
  sim::MailboxId events;
  std::map<std::string, std::vector<Watcher>> data_watchers;
  std::map<std::string, std::vector<Watcher>> child_watchers;
  // ConnectionState.isConnected: set by the connection events of the current handle as they are
  // processed, cleared when a new handle is made (ConnectionState.reset).
  bool curator_connected = false;
  std::vector<sim::MailboxId> connection_waiters;  // one per caller in block_until_connected_or_timed_out
  std::vector<sim::MailboxId> free_waiter_boxes;
  std::optional<ConnectionState> last_posted;  // for probes only: the state posted before this one

  Impl(CuratorFramework& owner, sim::Prng stream) : self(owner), rng(stream) {}

  void new_handle() {
    if (client) retired.push_back(std::move(client));
    curator_connected = false;
    const std::uint64_t generation = ++handle_generation;
    sim::Simulation* sim = &self.sim_;
    const sim::MailboxId box = events;
    zk::ZkClientConfig config{self.options_.servers, self.options_.session_timeout};
    client = std::make_unique<zk::ZkClient>(
        self.sim_, self.net_, self.owner_, config,
        [sim, box, generation](const zk::WatchedEvent& event) {
          // Curator's watcher runs on the ZooKeeper event thread; here it only hands over.
          if (event.type == zk::EventType::None) {
            sim->mailbox_post(box, sim::Mail{kZkStateTag, (generation << 8) | static_cast<std::uint64_t>(event.state), nullptr});
          } else {
            sim->mailbox_post(box, sim::Mail{kWatchTag, generation, std::make_shared<WatchPayload>(event.type, event.path)});
          }
        },
        sim::Prng::stream(rng.next_u64(), "zk-handle"));
  }

  void run() {
    for (;;) {
      const auto due = states.expiration_due(client->negotiated_timeout().ns > 0 ? client->negotiated_timeout()
                                                                                : self.options_.session_timeout,
                                             self.options_.session_expiration_percent);
      const sim::Duration wait = due ? std::max(sim::Duration{}, *due - self.sim_.now()) : sim::Duration::max();
      const auto mail = self.sim_.receive(events, wait);
      if (!mail) {
        inject_expiration();
        continue;
      }
      if (mail->tag == kZkStateTag && (mail->channel >> 8) == handle_generation) {
        on_zk_state(static_cast<zk::KeeperState>(mail->channel & 0xff));
      } else if (mail->tag == kWatchTag && mail->channel == handle_generation) {
        const auto* watch = sim::payload_as<WatchPayload>(*mail);
        dispatch_watch(watch->type, watch->path);
      }
    }
  }

  void on_zk_state(zk::KeeperState state) {
    const ZkConnectionEvent event = state == zk::KeeperState::kSyncConnected ? ZkConnectionEvent::kSyncConnected
                                    : state == zk::KeeperState::kDisconnected ? ZkConnectionEvent::kDisconnected
                                                                               : ZkConnectionEvent::kExpired;
    const auto posted = states.on_zk_event(event, self.sim_.now());
    curator_connected = state == zk::KeeperState::kSyncConnected;
    // ConnectionState.handleExpiredSession: a new ZooKeeper handle, so a new session.
    if (state == zk::KeeperState::kExpired) new_handle();
    // ConnectionState.process runs the parent watchers, the blocked callers' among them.
    wake_connection_waiters();
    if (posted) post_state(*posted);
  }

  void inject_expiration() {
    model::probe(self.sim_, model::Probe::kCuratorInjectedSessionExpiration);
    states.expiration_injected(self.sim_.now());
    self.sim_.record("curator", "inject-session-expiration", self.owner_, {{"session", client->session_id()}});
    client->inject_session_expiration();
  }

  void post_state(ConnectionState state) {
    probe_transition(state);
    self.sim_.record("curator", std::string(to_string(state)), self.owner_, {{"session", client->session_id()}});
    for (const auto& listener : self.listeners_) listener(state);
  }

  // Which way a SUSPENDED ended: the session survived the blip, or it did not.
  void probe_transition(ConnectionState state) {
    if (last_posted == ConnectionState::kSuspended && state == ConnectionState::kReconnected) {
      model::probe(self.sim_, model::Probe::kCuratorReconnectedAfterSuspended);
    }
    if (last_posted == ConnectionState::kSuspended && state == ConnectionState::kLost) {
      model::probe(self.sim_, model::Probe::kCuratorLostAfterSuspended);
    }
    last_posted = state;
  }

  void dispatch_watch(zk::EventType type, const std::string& path) {
    std::vector<Watcher> fired;
    auto take = [&](std::map<std::string, std::vector<Watcher>>& table) {
      auto found = table.find(path);
      if (found == table.end()) return;
      for (auto& watcher : found->second) fired.push_back(std::move(watcher));
      table.erase(found);
    };
    if (type == zk::EventType::NodeChildrenChanged || type == zk::EventType::NodeDeleted) take(child_watchers);
    if (type != zk::EventType::NodeChildrenChanged) take(data_watchers);
    for (const auto& watcher : fired) watcher(type, path);
  }

  // CuratorZookeeperClient.internalBlockUntilConnectedOrTimedOut: while ConnectionState says
  // not connected and time is left, wait for any connection event (its temporary parent watcher)
  // or 1 s, whichever comes first, and charge at least 1 ms per round. It never fails: once the
  // time is up the operation is tried anyway.
  void block_until_connected_or_timed_out() {
    sim::Duration left = self.options_.connection_timeout;
    int rounds = 0;
    while (!curator_connected && left > sim::Duration{}) {
      SIM_ASSERT_MSG(++rounds <= kMaxBlockRounds, "connection wait did not progress");
      const sim::MailboxId box = acquire_waiter_box();
      connection_waiters.push_back(box);
      const sim::Instant started = self.sim_.now();
      self.sim_.receive(box, std::min(left, sim::seconds(1)));
      std::erase(connection_waiters, box);  // no more wakes into it: it is empty again
      free_waiter_boxes.push_back(box);
      left = left - std::max(sim::milliseconds(1), self.sim_.now() - started);
    }
  }

  // Capacity 1: a second wake before the waiter runs is dropped, which loses nothing.
  sim::MailboxId acquire_waiter_box() {
    if (free_waiter_boxes.empty()) return self.sim_.mailbox_open(self.owner_, 1);
    const sim::MailboxId box = free_waiter_boxes.back();
    free_waiter_boxes.pop_back();
    SIM_ASSERT(self.sim_.mailbox_size(box) == 0);
    return box;
  }

  void wake_connection_waiters() {
    for (const sim::MailboxId box : connection_waiters) self.sim_.mailbox_post(box, sim::Mail{kConnectionEventTag, 0, nullptr});
  }

  // RetryLoop.callWithRetry with RetryLoopImpl.takeException: block for a connection once, then
  // attempt; on a retryable code let the policy decide and sleep (SleepingRetry.allowRetry).
  template <typename Result, typename Operation>
  Result with_retry(Operation operation) {
    block_until_connected_or_timed_out();
    const zk::SessionId first_session = client->session_id();
    for (int retry = 0;; retry++) {
      // The blind retry FLINK-10333 never fenced: the same operation in another session. (0 is a
      // handle still connecting: its session is not known yet.)
      const zk::SessionId session = client->session_id();
      if (retry > 0 && first_session != 0 && session != 0 && session != first_session) {
        model::probe(self.sim_, model::Probe::kCuratorRetryAcrossSessionChange);
      }
      Result result = operation(*client, retry);
      if (!retryable(result.code) || !self.options_.retry.allow_retry(retry)) return result;
      self.sim_.sleep(self.options_.retry.sleep_for(retry, rng));
    }
  }

  std::string protection_prefix() {
    char uuid[40];
    const std::uint64_t a = rng.next_u64(), b = rng.next_u64();
    std::snprintf(uuid, sizeof uuid, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                  static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(b & 0xffffffffffffULL));
    return std::string("_c_") + uuid + "-";
  }

  // CreateBuilderImpl.findProtectedNodeInForeground: its own RetryLoop.callWithRetry (so it first
  // blocks until connected) around getChildren of the parent. A failure that outlasts that loop
  // comes back as its code; NoNode means nothing was created.
  struct FoundNode {
    zk::Code code = zk::Code::Ok;
    std::optional<std::string> path;
  };
  FoundNode find_protected(const std::string& parent, const std::string& prefix) {
    const zk::ChildrenResult children =
        with_retry<zk::ChildrenResult>([&](zk::ZkClient& zk, int) { return zk.get_children(parent); });
    if (children.code == zk::Code::NoNode) return {};
    if (children.code != zk::Code::Ok) return {children.code, std::nullopt};
    for (const auto& child : children.children) {
      if (child.rfind(prefix, 0) == 0) return {zk::Code::Ok, (parent == "/" ? "" : parent) + "/" + child};
    }
    return {};
  }

  zk::Code create_parents(zk::ZkClient& zk, const std::string& path) {
    const std::string parent = parent_of(path);
    if (parent == "/") return zk::Code::Ok;
    const zk::Code code = create_parents(zk, parent);
    if (code != zk::Code::Ok) return code;
    const zk::CreateResult created = zk.create(parent, std::nullopt, zk::CreateMode::Persistent);
    return created.code == zk::Code::NodeExists ? zk::Code::Ok : created.code;
  }
};

CuratorFramework::CuratorFramework(sim::Simulation& sim, sim::Network& net, sim::ProcessId owner, CuratorOptions options)
    : sim_(sim), net_(net), owner_(owner), options_(std::move(options)) {
  SIM_ASSERT(!options_.servers.empty());
  impl_ = std::make_unique<Impl>(*this, sim.rng_stream("curator/" + options_.name + "/" + sim.process_name(owner) + "/" +
                                                       std::to_string(sim.incarnation(owner))));
}

CuratorFramework::~CuratorFramework() = default;

void CuratorFramework::start() {
  impl_->events = sim_.mailbox_open(owner_);
  impl_->new_handle();
  Impl* impl = impl_.get();
  sim_.spawn(owner_, "curator-events", [impl] { impl->run(); });
}

std::optional<ConnectionState> CuratorFramework::last_state() const { return impl_->states.current(); }
bool CuratorFramework::connected() const { return impl_->client && impl_->client->state() == zk::ClientState::kConnected; }
zk::SessionId CuratorFramework::session_id() const { return impl_->client ? impl_->client->session_id() : 0; }
sim::Duration CuratorFramework::negotiated_timeout() const {
  return impl_->client ? impl_->client->negotiated_timeout() : sim::Duration{};
}

std::optional<sim::ProcessId> CuratorFramework::connected_server() const {
  return impl_->client ? impl_->client->connected_server() : std::nullopt;
}

std::optional<sim::Instant> CuratorFramework::last_heard() const {
  if (!impl_->client) return std::nullopt;
  return impl_->client->last_heard();
}

CreateResult CuratorFramework::create(const std::string& path, zk::Data data, zk::CreateMode mode, CreateOptions options,
                                      zk::SessionId* created_in) {
  const std::string parent = parent_of(path);
  const std::string prefix = options.protection ? impl_->protection_prefix() : "";
  const std::string full = options.protection ? (parent == "/" ? "" : parent) + "/" + prefix + path.substr(path.rfind('/') + 1) : path;
  // ProtectedMode.sessionId: the session of the first attempt that had one (checkSetSessionId).
  zk::SessionId protected_session = 0;
  auto attempt = [&](zk::ZkClient& zk, int retry) {
    const bool ephemeral_protected = options.protection && zk::is_ephemeral(mode);
    if (ephemeral_protected && protected_session == 0) protected_session = zk.session_id();
    if (retry > 0 && options.protection) {
      // A failed search is the attempt's failure: the create is not sent (CreateBuilderImpl
      // rethrows it in the foreground, answers CONNECTIONLOSS in the background). Sending it
      // anyway would leave a second node of ours behind the one the lost reply created.
      const Impl::FoundNode found = impl_->find_protected(parent, prefix);
      if (found.code != zk::Code::Ok) return CreateResult{found.code, ""};
      std::optional<std::string> node = found.path;
      // ProtectedMode.validateFoundNode: after a session change a found node is the old
      // session's; it is deleted (Curator: a guaranteed background delete) and a new one made.
      if (ephemeral_protected && protected_session != impl_->client->session_id()) {
        if (node) impl_->client->remove(*node);
        node.reset();
        protected_session = impl_->client->session_id();
      }
      if (node) {
        model::probe(sim_, model::Probe::kCuratorProtectedCreateFoundOwnNode);
        if (created_in != nullptr) *created_in = impl_->client->session_id();
        return CreateResult{zk::Code::Ok, *node};
      }
    }
    // The search may have waited through a session change: create with the current handle.
    zk::ZkClient& handle = retry > 0 && options.protection ? *impl_->client : zk;
    CreateResult created = handle.create(full, data, mode);
    if (created.code == zk::Code::NoNode && options.creating_parents) {
      const zk::Code parents = impl_->create_parents(handle, full);
      if (parents != zk::Code::Ok) return CreateResult{parents, ""};
      created = handle.create(full, data, mode);
    }
    // The handle's session once the attempt is answered: a handle keeps its one session.
    if (created_in != nullptr) *created_in = handle.session_id();
    return created;
  };
  return impl_->with_retry<CreateResult>(attempt);
}

zk::Code CuratorFramework::remove(const std::string& path, std::int32_t version, zk::Zxid* committed) {
  struct CodeOnly {
    zk::Code code = zk::Code::SystemError;
  };
  return impl_->with_retry<CodeOnly>([&](zk::ZkClient& zk, int) { return CodeOnly{zk.remove(path, version, committed)}; }).code;
}

zk::Code CuratorFramework::ensure_path(const std::string& path) {
  struct CodeOnly {
    zk::Code code = zk::Code::SystemError;
  };
  return impl_
      ->with_retry<CodeOnly>([&](zk::ZkClient& zk, int) {
        const zk::Code parents = impl_->create_parents(zk, path + "/x");
        return CodeOnly{parents};
      })
      .code;
}

DataResult CuratorFramework::get_data(const std::string& path, Watcher watcher) {
  DataResult result = impl_->with_retry<DataResult>([&](zk::ZkClient& zk, int) { return zk.get_data(path, watcher != nullptr); });
  if (watcher && result.code == zk::Code::Ok) impl_->data_watchers[path].push_back(std::move(watcher));
  return result;
}

ChildrenResult CuratorFramework::get_children(const std::string& path, Watcher watcher) {
  ChildrenResult result =
      impl_->with_retry<ChildrenResult>([&](zk::ZkClient& zk, int) { return zk.get_children(path, watcher != nullptr); });
  if (watcher && result.code == zk::Code::Ok) impl_->child_watchers[path].push_back(std::move(watcher));
  return result;
}

StatResult CuratorFramework::exists(const std::string& path, Watcher watcher) {
  StatResult result = impl_->with_retry<StatResult>([&](zk::ZkClient& zk, int) { return zk.exists(path, watcher != nullptr); });
  // An exists watch is left on a missing node too: that is how one waits for a create.
  if (watcher && (result.code == zk::Code::Ok || result.code == zk::Code::NoNode)) {
    impl_->data_watchers[path].push_back(std::move(watcher));
  }
  return result;
}

StatResult CuratorFramework::set_data(const std::string& path, zk::Data data, std::int32_t version) {
  return impl_->with_retry<StatResult>([&](zk::ZkClient& zk, int) { return zk.set_data(path, data, version); });
}

MultiResult CuratorFramework::multi(const std::vector<zk::MultiOp>& ops, int* attempts) {
  return impl_->with_retry<MultiResult>([&](zk::ZkClient& zk, int retry) {
    if (attempts != nullptr) *attempts = retry + 1;
    return zk.multi(ops);
  });
}

}  // namespace model::curator
