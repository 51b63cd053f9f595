// ZooKeeper conformance oracle: see zk_oracle_client.hpp.
#ifndef THREADED
#define THREADED  // the synchronous API needs the multi-threaded client (link zookeeper_mt)
#endif
#include "tests/conformance/zk_oracle_client.hpp"

#include <zookeeper/zookeeper.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

namespace conformance {

// The neutral codes in zk_ops.hpp are the C client's numbers.
static_assert(rc::kOk == ZOK);
static_assert(rc::kSystemError == ZSYSTEMERROR);
static_assert(rc::kRuntimeInconsistency == ZRUNTIMEINCONSISTENCY);
static_assert(rc::kConnectionLoss == ZCONNECTIONLOSS);
static_assert(rc::kOperationTimeout == ZOPERATIONTIMEOUT);
static_assert(rc::kBadArguments == ZBADARGUMENTS);
static_assert(rc::kInvalidState == ZINVALIDSTATE);
static_assert(rc::kApiError == ZAPIERROR);
static_assert(rc::kNoNode == ZNONODE);
static_assert(rc::kNoAuth == ZNOAUTH);
static_assert(rc::kBadVersion == ZBADVERSION);
static_assert(rc::kNoChildrenForEphemerals == ZNOCHILDRENFOREPHEMERALS);
static_assert(rc::kNodeExists == ZNODEEXISTS);
static_assert(rc::kNotEmpty == ZNOTEMPTY);
static_assert(rc::kSessionExpired == ZSESSIONEXPIRED);
static_assert(rc::kClosing == ZCLOSING);
static_assert(rc::kSessionMoved == ZSESSIONMOVED);
static_assert(rc::kNotReadOnly == ZNOTREADONLY);
static_assert(rc::kThrottledOp == ZTHROTTLEDOP);

namespace {

using Clock = std::chrono::steady_clock;

// The event/state/mode numbers are `extern const int` in the C client: checked once at run time.
void check_c_client_numbering() {
  const bool ok = ZOO_CREATED_EVENT == static_cast<int>(EventType::kCreated) &&
                  ZOO_DELETED_EVENT == static_cast<int>(EventType::kDeleted) &&
                  ZOO_CHANGED_EVENT == static_cast<int>(EventType::kChanged) &&
                  ZOO_CHILD_EVENT == static_cast<int>(EventType::kChild) &&
                  ZOO_SESSION_EVENT == static_cast<int>(EventType::kSession) &&
                  ZOO_NOTWATCHING_EVENT == static_cast<int>(EventType::kNotWatching) &&
                  ZOO_CONNECTING_STATE == state::kConnecting && ZOO_ASSOCIATING_STATE == state::kAssociating &&
                  ZOO_CONNECTED_STATE == state::kConnected && ZOO_EXPIRED_SESSION_STATE == state::kExpiredSession &&
                  ZOO_AUTH_FAILED_STATE == state::kAuthFailed && ZOO_READONLY_STATE == state::kReadOnly &&
                  ZOO_NOTCONNECTED_STATE == state::kNotConnected &&
                  ZOO_PERSISTENT == static_cast<int>(CreateMode::kPersistent) &&
                  ZOO_EPHEMERAL == static_cast<int>(CreateMode::kEphemeral) &&
                  ZOO_PERSISTENT_SEQUENTIAL == static_cast<int>(CreateMode::kPersistentSequential) &&
                  ZOO_EPHEMERAL_SEQUENTIAL == static_cast<int>(CreateMode::kEphemeralSequential) &&
                  ZOO_CONTAINER == static_cast<int>(CreateMode::kContainer);
  if (!ok) throw std::logic_error("zk_ops.hpp numbering differs from the ZooKeeper C client's");
}

ZooLogLevel to_log_level(int level) {
  switch (level) {
    case 0: return static_cast<ZooLogLevel>(0);
    case 1: return ZOO_LOG_LEVEL_ERROR;
    case 2: return ZOO_LOG_LEVEL_WARN;
    case 3: return ZOO_LOG_LEVEL_INFO;
    default: return ZOO_LOG_LEVEL_DEBUG;
  }
}

bool is_server_answer(int rc) { return rc == ZOK || rc <= ZAPIERROR; }

// Data bytes as (pointer, length) for the C client; nullopt is NULL data, length -1.
std::pair<const char*, int> c_data(const std::optional<std::string>& data) {
  if (!data) return {nullptr, -1};
  return {data->data(), static_cast<int>(data->size())};
}

// An asynchronous completion's rendezvous. Owned jointly by the waiter and the completion, so a
// waiter that gives up (timeout) leaves it alive for a completion that runs later.
struct Waiter {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int rc = 0;
  std::size_t mark = 0;  // barrier: events of the session recorded when the completion ran
  std::function<std::size_t()> on_complete;  // run on the completion thread before `done`
};

// A loopback TCP forwarder that serves exactly one connection: it accepts one client, stops
// listening at once (so every later connect is refused), and relays bytes to `target_port` until
// either side closes. A handle routed through it cannot reconnect once its connection ends, which
// is what the C client lacks and ZooKeeper's own SessionTest gets from
// DisconnectableZooKeeper.dontReconnect(): otherwise the old handle of a moved session would
// reconnect at once and take the session back.
class OneShotForwarder {
 public:
  explicit OneShotForwarder(int target_port) : target_port_(target_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    // 127.0.0.2, not .1: the C client compares addresses without their ports (addrvec_contains),
    // so a forwarder on 127.0.0.1 would look like the server the handle is already connected to.
    addr.sin_addr.s_addr = htonl(kForwarderAddress);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 1) != 0 || ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        ::pipe(wake_) != 0) {
      throw std::runtime_error("OneShotForwarder: cannot listen on loopback");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~OneShotForwarder() {
    const char stop = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_[1], &stop, 1);
    thread_.join();
    ::close(wake_[0]);
    ::close(wake_[1]);
  }
  OneShotForwarder(const OneShotForwarder&) = delete;
  OneShotForwarder& operator=(const OneShotForwarder&) = delete;
  int port() const { return port_; }
  static constexpr std::uint32_t kForwarderAddress = 0x7f000002;  // 127.0.0.2

 private:
  static bool send_all(int fd, const char* data, ssize_t n) {
    while (n > 0) {
      const ssize_t sent = ::send(fd, data, static_cast<std::size_t>(n), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      data += sent;
      n -= sent;
    }
    return true;
  }
  void run() {
    int client = -1;
    {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      while (client < 0) {
        if (::poll(fds, 2, -1) < 0) continue;
        if (fds[1].revents != 0) break;
        if (fds[0].revents != 0) client = ::accept(listen_fd_, nullptr, nullptr);
      }
      ::close(listen_fd_);  // one connection only: reconnects are refused from now on
    }
    if (client < 0) return;
    const int upstream = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(target_port_));
    if (upstream >= 0 && ::connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      std::array<char, 65536> buf{};
      pollfd fds[3] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      for (bool open = true; open;) {
        if (::poll(fds, 3, -1) < 0) continue;
        if (fds[2].revents != 0) break;
        for (int i = 0; i < 2 && open; ++i) {
          if (fds[i].revents == 0) continue;
          const ssize_t n = ::recv(fds[i].fd, buf.data(), buf.size(), 0);
          open = n > 0 && send_all(fds[1 - i].fd, buf.data(), n);
        }
      }
    }
    if (upstream >= 0) ::close(upstream);
    ::close(client);
  }

  int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  int wake_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace

struct OracleClient::Session {
  std::int32_t slot = 0;
  std::string hosts;
  zhandle_t* zh = nullptr;  // null: closed (or never connected)
  std::int64_t session_id = 0;

  std::mutex mu;
  std::condition_variable cv;
  bool open_acknowledged = false;   // the CONNECTED event that completes the open has arrived
  bool expiring = false;            // run_expire in progress: drop its artifact session events
  bool rerouting = false;           // run_reattach moving it onto its forwarder: drop session events
  int reroute_connected = 0;        // CONNECTED events seen while rerouting
  bool detached = false;            // its session was re-attached elsewhere (OpKind::kReattach)
  std::unique_ptr<OneShotForwarder> forwarder;
  int last_state = 0;
  std::vector<WatchEvent> pending;  // arrived, not yet moved to the trace

  static void watcher(zhandle_t*, int type, int state, const char* path, void* ctx) {
    auto* s = static_cast<Session*>(ctx);
    std::lock_guard lock(s->mu);
    s->last_state = state;
    if (type == ZOO_SESSION_EVENT && !s->open_acknowledged) {
      // The first session event completes (or fails) the open; it is not recorded.
      if (state == ZOO_CONNECTED_STATE) s->open_acknowledged = true;
      s->cv.notify_all();
      return;
    }
    if (type == ZOO_SESSION_EVENT && s->rerouting) {
      if (state == ZOO_CONNECTED_STATE) ++s->reroute_connected;
      s->cv.notify_all();
      return;
    }
    if (type == ZOO_SESSION_EVENT && s->expiring && state != ZOO_EXPIRED_SESSION_STATE) {
      s->cv.notify_all();
      return;
    }
    s->pending.push_back(WatchEvent{s->slot, static_cast<EventType>(type), state, path ? path : ""});
    s->cv.notify_all();
  }
};

namespace {

void waiter_string_completion(int rc, const char* /*value*/, const void* data) {
  auto* holder = static_cast<std::shared_ptr<Waiter>*>(const_cast<void*>(data));
  std::shared_ptr<Waiter> w = std::move(*holder);
  delete holder;
  std::size_t mark = w->on_complete ? w->on_complete() : 0;
  {
    std::lock_guard lock(w->mu);
    w->rc = rc;
    w->mark = mark;
    w->done = true;
  }
  w->cv.notify_all();
}

// Starts an asynchronous sync(path); returns the waiter, or null (with `rc`) if it was not sent.
std::shared_ptr<Waiter> start_sync(zhandle_t* zh, const char* path, std::function<std::size_t()> on_complete,
                                   int& rc) {
  auto w = std::make_shared<Waiter>();
  w->on_complete = std::move(on_complete);
  auto* holder = new std::shared_ptr<Waiter>(w);
  rc = zoo_async(zh, path, waiter_string_completion, holder);
  if (rc != ZOK) {
    delete holder;  // the completion will never run
    return nullptr;
  }
  return w;
}

bool wait_done(Waiter& w, Clock::time_point deadline) {
  std::unique_lock lock(w.mu);
  return w.cv.wait_until(lock, deadline, [&] { return w.done; });
}

}  // namespace

OracleClient::OracleClient(OracleOptions options) : options_(std::move(options)) {
  check_c_client_numbering();
  if (options_.servers.empty()) throw std::invalid_argument("OracleOptions::servers is empty");
  zoo_set_debug_level(to_log_level(options_.client_log_level));
  zoo_deterministic_conn_order(1);  // connect to the servers in list order, not shuffled
  sessions_.resize(static_cast<std::size_t>(options_.max_sessions));
}

OracleClient::~OracleClient() {
  for (auto& s : sessions_) {
    if (s && s->zh) {
      zookeeper_close(s->zh);
      s->zh = nullptr;
    }
  }
}

std::string OracleClient::hosts_for(std::int32_t server) const {
  if (server >= 0 && static_cast<std::size_t>(server) < options_.servers.size()) return options_.servers[server];
  std::string hosts;
  for (const auto& h : options_.servers) {
    if (!hosts.empty()) hosts += ',';
    hosts += h;
  }
  return hosts;
}

OracleClient::Session* OracleClient::slot_session(std::int32_t slot) {
  if (slot < 0 || slot >= options_.max_sessions) return nullptr;
  return sessions_[static_cast<std::size_t>(slot)].get();
}

std::int64_t OracleClient::session_id(std::int32_t slot) const {
  if (slot < 0 || slot >= options_.max_sessions) return 0;
  const auto& s = sessions_[static_cast<std::size_t>(slot)];
  return s && s->zh ? s->session_id : 0;
}

std::int32_t OracleClient::owner_slot(std::int64_t ephemeral_owner) const {
  if (ephemeral_owner == 0) return kNotEphemeral;
  auto it = owner_by_session_id_.find(ephemeral_owner);
  return it == owner_by_session_id_.end() ? kForeignSession : it->second;
}

StatView OracleClient::stat_view(const void* c_stat) const {
  const auto& st = *static_cast<const struct Stat*>(c_stat);
  StatView v;
  v.version = st.version;
  v.cversion = st.cversion;
  v.aversion = st.aversion;
  v.data_length = st.dataLength;
  v.num_children = st.numChildren;
  v.ephemeral_owner = owner_slot(st.ephemeralOwner);
  return v;
}

void OracleClient::barrier_and_drain(Trace& trace) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(options_.barrier_timeout_ms);
  struct Pending {
    Session* s;
    std::shared_ptr<Waiter> w;
  };
  std::vector<Pending> pending;
  // Send every barrier first, then wait: the sessions' round trips overlap.
  for (auto& up : sessions_) {
    Session* s = up.get();
    if (!s) continue;
    std::shared_ptr<Waiter> w;
    if (s->zh && zoo_state(s->zh) == ZOO_CONNECTED_STATE && !s->detached) {
      int rc = 0;
      w = start_sync(s->zh, "/", [s] {
        std::lock_guard lock(s->mu);
        return s->pending.size();
      }, rc);
    }
    pending.push_back({s, std::move(w)});
  }
  for (auto& [s, w] : pending) {
    std::size_t take;
    {
      bool barrier_ok = w && wait_done(*w, deadline) && w->rc == ZOK;
      std::lock_guard lock(s->mu);
      // Without a completed barrier (disconnected, closed, or timed out) take all that has arrived.
      take = barrier_ok ? std::min(w->mark, s->pending.size()) : s->pending.size();
      if (w && !barrier_ok) {
        std::fprintf(stderr, "zk_oracle: barrier on session %d did not complete (rc %d)\n", s->slot,
                     w->done ? w->rc : ZOPERATIONTIMEOUT);
      }
      for (std::size_t i = 0; i < take; ++i) {
        const WatchEvent& e = s->pending[i];
        if (e.type == EventType::kSession && !options_.record_session_events) continue;
        trace.emplace_back(e);
      }
      s->pending.erase(s->pending.begin(), s->pending.begin() + static_cast<std::ptrdiff_t>(take));
    }
  }
}

OpResult OracleClient::run_open(const Op& op, std::int32_t seq) {
  OpResult r;
  r.seq = seq;
  r.session = op.session;
  r.kind = op.kind;
  if (op.session < 0 || op.session >= options_.max_sessions) {
    r.rc = ZBADARGUMENTS;
    return r;
  }
  auto& up = sessions_[static_cast<std::size_t>(op.session)];
  if (up && up->zh) {
    r.rc = ZBADARGUMENTS;  // slot already open
    return r;
  }
  up = std::make_unique<Session>();
  Session& s = *up;
  s.slot = op.session;
  s.hosts = hosts_for(op.server);
  zhandle_t* zh = zookeeper_init(s.hosts.c_str(), &Session::watcher, op.timeout_ms, nullptr, &s, 0);
  if (!zh) {
    r.rc = ZSYSTEMERROR;
    up.reset();
    return r;
  }
  bool connected;
  {
    std::unique_lock lock(s.mu);
    connected = s.cv.wait_for(lock, std::chrono::milliseconds(options_.connect_timeout_ms),
                              [&] { return s.open_acknowledged; });
  }
  if (!connected) {
    zookeeper_close(zh);  // joins the client's threads: no callback runs after this
    up.reset();
    r.rc = ZOPERATIONTIMEOUT;
    return r;
  }
  s.zh = zh;
  s.session_id = zoo_client_id(zh)->client_id;
  owner_by_session_id_[s.session_id] = op.session;
  r.negotiated_timeout_ms = zoo_recv_timeout(zh);
  r.rc = ZOK;
  return r;
}

// zookeeper_init with the client id (id + password) of slot `from_session`, through one server. First
// the old handle is moved onto a one-shot forwarder to the same server (zoo_set_servers with a list
// that does not hold its current server: update_addrs drops the connection and the handle reconnects
// to the new list, re-attaching the session to the same server; the session events of that move are
// not recorded), so that it cannot reconnect once the server drops it.
OpResult OracleClient::run_reattach(const Op& op, std::int32_t seq) {
  OpResult r;
  r.seq = seq;
  r.session = op.session;
  r.kind = op.kind;
  Session* from = slot_session(op.from_session);
  if (!from || !from->zh || from->detached || zoo_state(from->zh) != ZOO_CONNECTED_STATE) {
    r.rc = ZINVALIDSTATE;  // nothing to take over
    return r;
  }
  const std::size_t colon = from->hosts.rfind(':');
  if (op.session < 0 || op.session >= options_.max_sessions || op.session == op.from_session ||
      from->hosts.find(',') != std::string::npos || colon == std::string::npos || op.server < 0 ||
      static_cast<std::size_t>(op.server) >= options_.servers.size()) {
    r.rc = ZBADARGUMENTS;  // driver rule: only a one-server handle can be rerouted
    return r;
  }
  auto& up = sessions_[static_cast<std::size_t>(op.session)];
  if (up && up->zh) {
    r.rc = ZBADARGUMENTS;  // slot already open
    return r;
  }
  from->forwarder = std::make_unique<OneShotForwarder>(std::stoi(from->hosts.substr(colon + 1)));
  const std::string via = "127.0.0.2:" + std::to_string(from->forwarder->port());
  {
    std::lock_guard lock(from->mu);
    from->rerouting = true;
    from->reroute_connected = 0;
  }
  const int set_rc = zoo_set_servers(from->zh, via.c_str());
  bool rerouted = set_rc == ZOK;
  // update_addrs closes the socket from this thread, which does not wake the IO thread's poll (it
  // would notice at its next ping, T/3 later); queueing a request does (adaptor_send_queue ->
  // wakeup_io_thread). Its completion is awaited too, so it cannot reach the server after the
  // re-attach below (it would be refused as moved and drop the old connection early).
  int wake_rc = 0;
  const std::shared_ptr<Waiter> wake = rerouted ? start_sync(from->zh, "/", nullptr, wake_rc) : nullptr;
  const auto reroute_deadline = Clock::now() + std::chrono::milliseconds(options_.connect_timeout_ms);
  if (rerouted) {
    std::unique_lock lock(from->mu);
    rerouted = from->cv.wait_until(lock, reroute_deadline, [&] { return from->reroute_connected > 0; });
  }
  if (wake) rerouted = wait_done(*wake, reroute_deadline) && rerouted;
  {
    std::lock_guard lock(from->mu);
    from->rerouting = false;
  }
  from->detached = true;
  if (!rerouted || zoo_state(from->zh) != ZOO_CONNECTED_STATE) {
    std::fprintf(stderr, "zk_oracle: reattach could not move session %d onto its forwarder (zoo_set_servers %d)\n",
                 from->slot, set_rc);
    r.rc = ZOPERATIONTIMEOUT;
    return r;
  }
  clientid_t cid = *zoo_client_id(from->zh);
  up = std::make_unique<Session>();
  Session& s = *up;
  s.slot = op.session;
  s.hosts = hosts_for(op.server);
  zhandle_t* zh = zookeeper_init(s.hosts.c_str(), &Session::watcher, zoo_recv_timeout(from->zh), &cid, &s, 0);
  if (!zh) {
    r.rc = ZSYSTEMERROR;
    up.reset();
    return r;
  }
  bool connected;
  {
    std::unique_lock lock(s.mu);
    connected = s.cv.wait_for(lock, std::chrono::milliseconds(options_.connect_timeout_ms),
                              [&] { return s.open_acknowledged; });
  }
  if (!connected) {
    zookeeper_close(zh);
    up.reset();
    r.rc = ZOPERATIONTIMEOUT;
    return r;
  }
  s.zh = zh;
  s.session_id = zoo_client_id(zh)->client_id;  // the same id: ephemerals stay owned by the first slot
  r.negotiated_timeout_ms = zoo_recv_timeout(zh);
  r.rc = ZOK;
  return r;
}

OpResult OracleClient::run_close(const Op& op, std::int32_t seq) {
  OpResult r;
  r.seq = seq;
  r.session = op.session;
  r.kind = op.kind;
  Session* s = slot_session(op.session);
  if (!s || !s->zh) {
    r.rc = ZINVALIDSTATE;
    return r;
  }
  // Blocks until the server acknowledged the close (C client: up to 3 s to send, 1.5 s to answer),
  // then joins the client's threads. The server deletes the session's ephemerals before answering.
  r.rc = zookeeper_close(s->zh);
  s->zh = nullptr;
  return r;
}

OpResult OracleClient::run_expire(const Op& op, std::int32_t seq) {
  OpResult r;
  r.seq = seq;
  r.session = op.session;
  r.kind = op.kind;
  Session* s = slot_session(op.session);
  if (!s || !s->zh) {
    r.rc = ZINVALIDSTATE;
    return r;
  }
  if (zoo_state(s->zh) != ZOO_CONNECTED_STATE) {
    r.rc = ZINVALIDSTATE;
    return r;
  }
  // A second handle attaches to the same session (id + password) and closes it: the server ends the
  // session and drops the original's connection; the original's reconnect is told it expired.
  // The original reconnects at once when dropped, which can take the session back from the second
  // handle before its close is sent; so this is retried (bounded). The disconnect/reconnect session
  // events this causes on the original are artifacts of the technique and are not recorded: while
  // expiring, only the EXPIRED_SESSION event is.
  clientid_t cid = *zoo_client_id(s->zh);
  const int timeout = zoo_recv_timeout(s->zh);
  {
    std::lock_guard lock(s->mu);
    s->expiring = true;
  }
  const auto deadline = Clock::now() + std::chrono::milliseconds(options_.connect_timeout_ms + 2 * timeout);
  auto expired_seen = [s] {
    return std::any_of(s->pending.begin(), s->pending.end(), [](const WatchEvent& e) {
      return e.type == EventType::kSession && e.state == ZOO_EXPIRED_SESSION_STATE;
    });
  };
  bool expired = false;
  for (int attempt = 0; !expired && attempt < 20 && Clock::now() < deadline; ++attempt) {
    struct CloneState {
      std::mutex mu;
      std::condition_variable cv;
      int state = 0;
    } clone;
    auto clone_watcher = [](zhandle_t*, int type, int state, const char*, void* ctx) {
      auto* c = static_cast<CloneState*>(ctx);
      if (type != ZOO_SESSION_EVENT) return;
      std::lock_guard lock(c->mu);
      c->state = state;
      c->cv.notify_all();
    };
    zhandle_t* z2 = zookeeper_init(s->hosts.c_str(), clone_watcher, timeout, &cid, &clone, 0);
    if (!z2) break;
    {
      std::unique_lock lock(clone.mu);
      clone.cv.wait_until(lock, deadline, [&] { return clone.state == ZOO_CONNECTED_STATE; });
    }
    zookeeper_close(z2);  // sends closeSession if (still) connected
    std::unique_lock lock(s->mu);
    expired = s->cv.wait_until(lock, std::min(deadline, Clock::now() + std::chrono::milliseconds(2000)),
                               expired_seen);
  }
  {
    std::lock_guard lock(s->mu);
    s->expiring = false;
  }
  r.rc = expired ? ZOK : ZOPERATIONTIMEOUT;
  return r;
}

OpResult OracleClient::run_await(const Op& op, std::int32_t seq) {
  OpResult r;
  r.seq = seq;
  r.session = op.session;
  r.kind = op.kind;
  r.path = op.path;
  Session* s = slot_session(op.session);
  if (!s) {
    r.rc = ZINVALIDSTATE;
    return r;
  }
  std::unique_lock lock(s->mu);
  const bool seen = s->cv.wait_for(lock, std::chrono::milliseconds(op.timeout_ms), [&] {
    return std::any_of(s->pending.begin(), s->pending.end(), [&](const WatchEvent& e) {
      if (e.type != op.await_type) return false;
      if (e.type == EventType::kSession) return e.state == op.await_state;
      return op.path.empty() || e.path == op.path;
    });
  });
  r.rc = seen ? ZOK : ZOPERATIONTIMEOUT;
  return r;
}

OpResult OracleClient::run_sync(Session& s, const Op& op, std::int32_t seq) {
  OpResult r;
  r.seq = seq;
  r.session = op.session;
  r.kind = op.kind;
  r.path = op.path;
  int rc = 0;
  auto w = start_sync(s.zh, op.path.c_str(), nullptr, rc);
  if (!w) {
    r.rc = rc;
    return r;
  }
  const auto deadline = Clock::now() + std::chrono::milliseconds(options_.barrier_timeout_ms);
  r.rc = wait_done(*w, deadline) ? w->rc : ZOPERATIONTIMEOUT;
  return r;
}

OpResult OracleClient::run_multi(Session& s, const Op& op, std::int32_t seq) {
  OpResult r;
  r.seq = seq;
  r.session = op.session;
  r.kind = op.kind;
  const std::size_t n = op.sub_ops.size();
  std::vector<zoo_op_t> ops(n);
  std::vector<zoo_op_result_t> results(n);
  std::vector<std::array<char, 1024>> names(n);
  std::vector<struct Stat> stats(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Op& sub = op.sub_ops[i];
    auto [data, len] = c_data(sub.data);
    switch (sub.kind) {
      case OpKind::kCreate:
        zoo_create_op_init(&ops[i], sub.path.c_str(), data, len, &ZOO_OPEN_ACL_UNSAFE, static_cast<int>(sub.mode),
                           names[i].data(), static_cast<int>(names[i].size()));
        break;
      case OpKind::kDelete:
        zoo_delete_op_init(&ops[i], sub.path.c_str(), sub.version);
        break;
      case OpKind::kSetData:
        zoo_set_op_init(&ops[i], sub.path.c_str(), data, len, sub.version, &stats[i]);
        break;
      case OpKind::kCheck:
        zoo_check_op_init(&ops[i], sub.path.c_str(), sub.version);
        break;
      default:
        r.rc = ZBADARGUMENTS;  // driver rule: only create/delete/set_data/check inside a multi
        return r;
    }
    results[i] = zoo_op_result_t{};
  }
  r.rc = zoo_multi(s.zh, static_cast<int>(n), ops.data(), results.data());
  // Per-op results only exist if the server answered.
  if (!is_server_answer(r.rc)) return r;
  for (std::size_t i = 0; i < n; ++i) {
    const Op& sub = op.sub_ops[i];
    OpResult sr;
    sr.seq = static_cast<std::int32_t>(i);
    sr.session = op.session;
    sr.kind = sub.kind;
    sr.path = sub.path;
    sr.rc = results[i].err;
    if (sr.rc == ZOK && sub.kind == OpKind::kCreate && results[i].value) sr.name = std::string(results[i].value);
    if (sr.rc == ZOK && sub.kind == OpKind::kSetData && results[i].stat) sr.stat = stat_view(results[i].stat);
    r.multi.push_back(std::move(sr));
  }
  return r;
}

OpResult OracleClient::run_data_op(Session& s, const Op& op, std::int32_t seq) {
  OpResult r;
  r.seq = seq;
  r.session = op.session;
  r.kind = op.kind;
  r.path = op.path;
  struct Stat st {};
  const char* path = op.path.c_str();
  switch (op.kind) {
    case OpKind::kCreate: {
      std::array<char, 1024> name{};
      auto [data, len] = c_data(op.data);
      r.rc = zoo_create2(s.zh, path, data, len, &ZOO_OPEN_ACL_UNSAFE, static_cast<int>(op.mode), name.data(),
                         static_cast<int>(name.size()), &st);
      if (r.rc == ZOK) {
        r.name = std::string(name.data());
        r.stat = stat_view(&st);
      }
      break;
    }
    case OpKind::kDelete:
      r.rc = zoo_delete(s.zh, path, op.version);
      break;
    case OpKind::kExists:
      r.rc = zoo_exists(s.zh, path, op.watch ? 1 : 0, &st);
      if (r.rc == ZOK) r.stat = stat_view(&st);
      break;
    case OpKind::kGetData: {
      std::vector<char> buf((1 << 20) + 64);  // jute.maxbuffer is 1 MiB - 1
      int len = static_cast<int>(buf.size());
      r.rc = zoo_get(s.zh, path, op.watch ? 1 : 0, buf.data(), &len, &st);
      if (r.rc == ZOK) {
        r.stat = stat_view(&st);
        if (len < 0) {
          r.data_null = true;
        } else {
          r.data = std::string(buf.data(), static_cast<std::size_t>(len));
        }
      }
      break;
    }
    case OpKind::kSetData: {
      auto [data, len] = c_data(op.data);
      r.rc = zoo_set2(s.zh, path, data, len, op.version, &st);
      if (r.rc == ZOK) r.stat = stat_view(&st);
      break;
    }
    case OpKind::kGetChildren: {
      struct String_vector sv {};
      r.rc = zoo_get_children2(s.zh, path, op.watch ? 1 : 0, &sv, &st);
      if (r.rc == ZOK) {
        std::vector<std::string> children;
        children.reserve(static_cast<std::size_t>(sv.count));
        for (int i = 0; i < sv.count; ++i) children.emplace_back(sv.data[i]);
        std::sort(children.begin(), children.end());
        r.children = std::move(children);
        r.stat = stat_view(&st);
        deallocate_String_vector(&sv);
      }
      break;
    }
    default:
      r.rc = ZBADARGUMENTS;
      break;
  }
  return r;
}

void OracleClient::execute(const Op& op, std::int32_t seq, Trace& trace) {
  OpResult r;
  switch (op.kind) {
    case OpKind::kOpen: r = run_open(op, seq); break;
    case OpKind::kClose: r = run_close(op, seq); break;
    case OpKind::kExpire: r = run_expire(op, seq); break;
    case OpKind::kReattach: r = run_reattach(op, seq); break;
    case OpKind::kAwaitEvent: r = run_await(op, seq); break;
    case OpKind::kSleep:
      std::this_thread::sleep_for(std::chrono::milliseconds(op.timeout_ms));
      r.seq = seq;
      r.session = op.session;
      r.kind = op.kind;
      r.rc = ZOK;
      break;
    default: {
      Session* s = slot_session(op.session);
      if (!s || !s->zh) {
        r.seq = seq;
        r.session = op.session;
        r.kind = op.kind;
        r.path = op.path;
        r.rc = ZINVALIDSTATE;  // driver rule: slot not open
      } else if (op.kind == OpKind::kMulti) {
        r = run_multi(*s, op, seq);
      } else if (op.kind == OpKind::kSync) {
        r = run_sync(*s, op, seq);
      } else {
        r = run_data_op(*s, op, seq);
      }
      break;
    }
  }
  // A detached handle whose request failed on a lost connection: the C client queues the CONNECTING
  // session event (handle_error) before it fails the request, but the synchronous call can return
  // before the completion thread has delivered the event; wait for it (bounded) so the drain sees it.
  if (Session* s = slot_session(op.session); s && s->detached && r.rc == ZCONNECTIONLOSS) {
    std::unique_lock lock(s->mu);
    s->cv.wait_for(lock, std::chrono::milliseconds(2000), [&] {
      return std::any_of(s->pending.begin(), s->pending.end(), [](const WatchEvent& e) {
        return e.type == EventType::kSession && e.state == ZOO_CONNECTING_STATE;
      });
    });
  }
  trace.emplace_back(std::move(r));
  barrier_and_drain(trace);
}

Trace OracleClient::run(const std::vector<Op>& ops) {
  Trace trace;
  for (std::size_t i = 0; i < ops.size(); ++i) execute(ops[i], static_cast<std::int32_t>(i), trace);
  return trace;
}

namespace {

int delete_subtree(zhandle_t* zh, const std::string& path) {
  struct String_vector sv {};
  int rc = zoo_get_children(zh, path.c_str(), 0, &sv);
  if (rc == ZNONODE) return ZOK;
  if (rc != ZOK) return rc;
  std::vector<std::string> children;
  for (int i = 0; i < sv.count; ++i) children.emplace_back(sv.data[i]);
  deallocate_String_vector(&sv);
  for (const auto& c : children) {
    const std::string child = path == "/" ? "/" + c : path + "/" + c;
    if (child == "/zookeeper") continue;
    rc = delete_subtree(zh, child);
    if (rc != ZOK) return rc;
  }
  if (path == "/") return ZOK;
  rc = zoo_delete(zh, path.c_str(), -1);
  return rc == ZNONODE ? ZOK : rc;
}

}  // namespace

std::int32_t OracleClient::wipe(const std::string& hosts, std::int32_t timeout_ms) {
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool connected = false;
  } st;
  auto watcher = [](zhandle_t*, int type, int state, const char*, void* ctx) {
    auto* s = static_cast<State*>(ctx);
    if (type == ZOO_SESSION_EVENT && state == ZOO_CONNECTED_STATE) {
      std::lock_guard lock(s->mu);
      s->connected = true;
      s->cv.notify_all();
    }
  };
  zhandle_t* zh = zookeeper_init(hosts.c_str(), watcher, 10000, nullptr, &st, 0);
  if (!zh) return ZSYSTEMERROR;
  bool ok;
  {
    std::unique_lock lock(st.mu);
    ok = st.cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return st.connected; });
  }
  const int rc = ok ? delete_subtree(zh, "/") : ZOPERATIONTIMEOUT;
  zookeeper_close(zh);
  return rc;
}

}  // namespace conformance
