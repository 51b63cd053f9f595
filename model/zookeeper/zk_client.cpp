// The simulated ZooKeeper Java client. Facts followed, each from the 3.8 source:
//   - ClientCnxn.SendThread.run: connectTimeout = T / #servers and readTimeout = 2T/3, both
//     recomputed from the negotiated T in onConnected; while connecting, the attempt is abandoned
//     when nothing was heard for connectTimeout (counted from the attempt's start and again from
//     the TCP handshake); while connected, for readTimeout. A ping goes out when
//     readTimeout/2 - idleSend (less 1 s when idleSend > 1 s) is due, or idleSend > 10 s.
//   - startConnect sleeps a random 0..999 ms before every attempt once a TCP connection has
//     ever been made (isFirstConnect is cleared in primeConnection).
//   - StaticHostProvider: the list shuffled once, round-robin; next(1000) sleeps 1 s when it comes
//     back round to the server it last connected to (or the first one, before any connection).
//   - cleanAndNotifyState: close the socket, sleep 100 ms (ClientCnxnSocketNIO.cleanup), fail
//     the pending then the outgoing packets (ConnectionLoss, or SessionExpired once CLOSED), then
//     queue Disconnected while the state is alive. EventThread.queueEvent drops a state event
//     equal to the last queued state, which starts as Disconnected: so a failed attempt that
//     follows another failure, or the very first attempt, reports nothing.
//   - onConnected with timeout <= 0: CLOSED, Expired, event of death.
//   - primeConnection: ConnectRequest(lastZxid, requested timeout, session id), then SetWatches
//     with every data/exist/child watch still held and relative zxid lastZxid, then the packets
//     queued meanwhile. lastZxid only follows replies matched to a request (not pings, not
//     notifications).
//   - readResponse: replies are matched to the head of the pending queue; any other xid is
//     "Xid out of order", a lost connection.
//   - ZKWatchManager.materialize: a watch event removes the client's registrations it fires
//     (data+exist for created/changed, child for children, all three for deleted); an event no
//     registration matches reaches no watcher. A read registers its watch only on success (and
//     exists also on NoNode, as an exist watch).
//   - ZooKeeperTestable.injectSessionExpiration: Expired, event of death, CLOSED, wake the send
//     thread; no closeSession is sent.
#include "model/zookeeper/zk_client.hpp"

#include <algorithm>
#include <deque>
#include <limits>
#include <set>
#include <utility>

#include "model/zookeeper/protocol.hpp"
#include "model/zookeeper/zk_server.hpp"
#include "model/probes.hpp"

namespace model::zk {
namespace {

// Mail tags on the client's own mailboxes; NetTag values arrive on the send thread's box too.
constexpr std::uint32_t kKickTag = 0x5c01;     // to the send thread: look at the state again
constexpr std::uint32_t kEventWakeTag = 0x5c02;
constexpr std::uint32_t kReplyTag = 0x5c03;    // to a caller: its ClientReply
constexpr std::uint32_t kStoppedTag = 0x5c04;  // to close(): the send thread has finished

constexpr sim::Duration kSpinDelay = sim::milliseconds(1000);       // hostProvider.next(1000)
constexpr std::int64_t kReconnectDelayBoundMs = 1000;               // nextLong(1000)
constexpr sim::Duration kCleanupSleep = sim::milliseconds(100);     // ClientCnxnSocketNIO.cleanup
constexpr sim::Duration kMaxSendPingInterval = sim::seconds(10);    // MAX_SEND_PING_INTERVAL
constexpr sim::Duration kPingSlack = sim::milliseconds(1000);

enum class WatchKind : std::uint8_t { kNone, kData, kExists, kChild };

// One request: queued (outgoing), then sent and awaiting its reply (pending).
struct Call {
  ClientOp op;               // moved into the wire request when sent
  sim::MailboxId reply_box;  // invalid for the client's own SetWatches
  std::int32_t xid = 0;
  WatchKind watch = WatchKind::kNone;
  std::string watch_path;
};

std::string join_names(const sim::Simulation& sim, const std::vector<sim::ProcessId>& pids) {
  std::string names;
  for (const sim::ProcessId pid : pids) names += (names.empty() ? "" : ",") + sim.process_name(pid);
  return names;
}

// StaticHostProvider without reconfiguration: shuffled once, then round-robin.
class HostProvider {
 public:
  HostProvider(std::vector<sim::ProcessId> servers, sim::Prng& rng) : servers_(std::move(servers)) {
    SIM_ASSERT_MSG(!servers_.empty(), "a HostProvider may not be empty");
    rng.shuffle(servers_);
  }
  std::size_t size() const { return servers_.size(); }
  const std::vector<sim::ProcessId>& order() const { return servers_; }

  // The next server, and whether to spin-wait first: coming back round to the server last
  // connected to (or to the first one before any connection) means every server failed.
  std::pair<sim::ProcessId, bool> next() {
    current_ = (current_ + 1) % static_cast<int>(servers_.size());
    const bool spin = current_ == last_;
    if (last_ == -1) last_ = 0;  // no spin before the very first attempt
    return {servers_[static_cast<std::size_t>(current_)], spin};
  }
  void on_connected() { last_ = current_; }

 private:
  std::vector<sim::ProcessId> servers_;
  int current_ = -1;
  int last_ = -1;
};

std::shared_ptr<const ClientReply> failure_reply(std::int32_t xid, Code code) {
  auto reply = std::make_shared<ClientReply>();
  reply->xid = xid;
  reply->err = code;
  return reply;
}

}  // namespace

std::string_view to_string(ClientState state) {
  switch (state) {
    case ClientState::kConnecting: return "CONNECTING";
    case ClientState::kConnected: return "CONNECTED";
    case ClientState::kClosed: return "CLOSED";
  }
  return "?";
}

std::string_view to_string(KeeperState state) {
  switch (state) {
    case KeeperState::kDisconnected: return "Disconnected";
    case KeeperState::kSyncConnected: return "SyncConnected";
    case KeeperState::kExpired: return "Expired";
  }
  return "?";
}

struct ZkClient::Core {
  Core(sim::Simulation& sim_in, sim::Network& net_in, sim::ProcessId owner_in, ZkClientConfig config_in,
       ClientWatcher watcher_in, sim::Prng rng_in)
      : sim(sim_in),
        net(net_in),
        owner(owner_in),
        incarnation(sim_in.incarnation(owner_in)),
        config(std::move(config_in)),
        watcher(std::move(watcher_in)),
        rng(rng_in),
        hosts(config.servers, rng) {
    SIM_ASSERT(config.session_timeout.ns > 0);
    connect_timeout = sim::milliseconds(config.session_timeout.to_ms() / static_cast<std::int64_t>(hosts.size()));
    read_timeout = sim::milliseconds(config.session_timeout.to_ms() * 2 / 3);
    io_box = sim.mailbox_open(owner);
    event_box = sim.mailbox_open(owner);
  }

  sim::Simulation& sim;
  sim::Network& net;
  const sim::ProcessId owner;
  const std::uint32_t incarnation;
  const ZkClientConfig config;
  ClientWatcher watcher;
  sim::Prng rng;
  HostProvider hosts;

  // Session.
  ClientState state = ClientState::kConnecting;
  SessionId session = 0;
  sim::Duration negotiated{};
  Zxid last_zxid = 0;
  sim::Duration connect_timeout{};
  sim::Duration read_timeout{};
  bool first_connect = true;  // isFirstConnect
  bool closing = false;       // a closeSession has been queued: never reconnect
  bool abandoned = false;     // the ZkClient handle is gone

  // Connection (the send thread's).
  sim::EndpointId endpoint = sim::kNoEndpoint;
  sim::ProcessId server = sim::kNoProcess;
  sim::Instant last_heard;
  sim::Instant last_send;
  sim::MailboxId io_box;
  bool kick_pending = false;

  // Requests.
  std::int32_t next_xid = 1;
  std::deque<Call> outgoing;  // waiting for an established connection
  std::deque<Call> pending;   // sent, in the order the replies must come back
  std::vector<sim::MailboxId> free_reply_boxes;

  // Watches the client holds (ZKWatchManager), by path.
  std::set<std::string> data_watches;
  std::set<std::string> exist_watches;
  std::set<std::string> child_watches;

  // Events (EventThread).
  std::deque<WatchedEvent> events;
  KeeperState last_queued_state = KeeperState::kDisconnected;
  bool event_death = false;
  sim::MailboxId event_box;
  bool event_wake_pending = false;

  // Fibers.
  int fibers_alive = 0;
  bool send_thread_done = false;
  std::vector<sim::MailboxId> stop_waiters;

  // --- plumbing
  void trace(const char* what, std::vector<sim::TraceField> fields = {}) {
    fields.insert(fields.begin(), sim::TraceField{"session", session});
    sim.record("zkclient", what, owner, std::move(fields));
  }
  std::string server_name() const { return server == sim::kNoProcess ? "" : sim.process_name(server); }
  void check_caller() const {
    SIM_ASSERT_MSG(sim.in_fiber() && sim.current_process() == owner, "a ZkClient call from outside its process");
    SIM_ASSERT_MSG(sim.incarnation(owner) == incarnation, "a ZkClient used after its process crashed");
  }
  void kick() {
    if (kick_pending) return;
    kick_pending = sim.mailbox_post(io_box, sim::Mail{kKickTag, 0, nullptr});
  }
  sim::MailboxId acquire_box() {
    if (free_reply_boxes.empty()) return sim.mailbox_open(owner, 4);
    const sim::MailboxId box = free_reply_boxes.back();
    free_reply_boxes.pop_back();
    return box;
  }
  void release_box(sim::MailboxId box) {
    SIM_ASSERT(sim.mailbox_size(box) == 0);
    free_reply_boxes.push_back(box);
  }

  // --- events
  void queue_event(WatchedEvent event) {
    if (abandoned || event_death) return;
    if (event.type == EventType::None && event.state == last_queued_state) return;
    last_queued_state = event.state;
    events.push_back(std::move(event));
    wake_event_thread();
  }
  void queue_event_of_death() {
    event_death = true;
    wake_event_thread();
  }
  void wake_event_thread() {
    if (event_wake_pending) return;
    event_wake_pending = sim.mailbox_post(event_box, sim::Mail{kEventWakeTag, 0, nullptr});
  }
  void event_thread() {
    for (;;) {
      while (!events.empty()) {
        const WatchedEvent event = std::move(events.front());
        events.pop_front();
        // A copy: the watcher may abandon the client, which clears `watcher`.
        const ClientWatcher deliver = watcher;
        if (deliver) deliver(event);
      }
      if (event_death) return;
      sim.receive(event_box);
      event_wake_pending = false;
    }
  }

  // --- requests (caller side)
  std::shared_ptr<const ClientReply> call(ClientOp op, WatchKind watch = WatchKind::kNone, std::string path = {}) {
    check_caller();
    if (state == ClientState::kClosed) return failure_reply(0, Code::SessionExpired);
    if (closing) return failure_reply(0, Code::ConnectionLoss);
    if (const auto* write = std::get_if<WriteRequest>(&op); write && std::holds_alternative<CloseSessionRequest>(*write)) {
      closing = true;
    }
    const sim::MailboxId box = acquire_box();
    Call entry{std::move(op), box, 0, watch, std::move(path)};
    if (state == ClientState::kConnected) {
      send_call(std::move(entry));
    } else {
      outgoing.push_back(std::move(entry));  // sent once connected, failed if the attempt fails
    }
    // No timeout here: the send thread answers every call when its reply arrives or when the
    // connection is declared lost, which its connect and read timeouts bound.
    const std::optional<sim::Mail> mail = sim.receive(box);
    SIM_ASSERT(mail.has_value() && mail->tag == kReplyTag);
    release_box(box);
    auto reply = std::dynamic_pointer_cast<const ClientReply>(mail->payload);
    SIM_ASSERT(reply != nullptr);
    return reply;
  }

  std::int32_t take_xid() {
    const std::int32_t xid = next_xid;
    next_xid = next_xid == std::numeric_limits<std::int32_t>::max() ? 1 : next_xid + 1;
    return xid;
  }

  // Only while CONNECTED. A send on a connection that has just broken is lost with it: the
  // network has already posted the close or reset, and the send thread fails the call then.
  void send_call(Call call) {
    SIM_ASSERT(state == ClientState::kConnected && endpoint != sim::kNoEndpoint);
    auto request = std::make_shared<ClientRequest>();
    request->xid = std::holds_alternative<SetWatchesRequest>(call.op) ? kSetWatchesXid : take_xid();
    request->op = std::move(call.op);
    call.xid = request->xid;
    net.send(endpoint, std::move(request));
    last_send = sim.now();
    pending.push_back(std::move(call));
  }

  void register_watch(const Call& call, Code err) {
    switch (call.watch) {
      case WatchKind::kNone: return;
      case WatchKind::kData:
        if (err == Code::Ok) data_watches.insert(call.watch_path);
        return;
      case WatchKind::kExists:
        if (err == Code::Ok) data_watches.insert(call.watch_path);
        if (err == Code::NoNode) exist_watches.insert(call.watch_path);
        return;
      case WatchKind::kChild:
        if (err == Code::Ok) child_watches.insert(call.watch_path);
        return;
    }
  }

  // finishPacket: the watch is registered before the caller sees the reply.
  void finish(const Call& call, std::shared_ptr<const ClientReply> reply) {
    register_watch(call, reply->err);
    if (!call.reply_box.valid()) return;
    const bool posted = sim.mailbox_post(call.reply_box, sim::Mail{kReplyTag, 0, std::move(reply)});
    SIM_ASSERT_MSG(posted, "a ZkClient caller's reply box is gone");
  }

  void fail_everything() {
    const Code code = state == ClientState::kClosed ? Code::SessionExpired : Code::ConnectionLoss;
    while (!pending.empty()) {
      const Call call = std::move(pending.front());
      pending.pop_front();
      finish(call, failure_reply(call.xid, code));
    }
    while (!outgoing.empty()) {
      const Call call = std::move(outgoing.front());
      outgoing.pop_front();
      finish(call, failure_reply(0, code));
    }
  }

  // --- the send thread
  void send_thread() {
    trace("start", {{"servers", join_names(sim, hosts.order())},
                    {"session_timeout_ms", config.session_timeout.to_ms()}});
    while (state != ClientState::kClosed && !closing) {
      const auto [next_server, spin] = hosts.next();
      if (spin) sim.sleep(kSpinDelay);
      if (!first_connect) sim.sleep(sim::milliseconds(static_cast<std::int64_t>(rng.below(kReconnectDelayBoundMs))));
      // Java would still start this attempt; a client closed meanwhile has no use for it.
      if (state == ClientState::kClosed || closing) break;
      const char* reason = run_connection(next_server);
      if (state == ClientState::kClosed || closing) break;
      clean_and_notify(reason);
    }
    cleanup();
    if (state != ClientState::kClosed) queue_event({EventType::None, KeeperState::kDisconnected, {}});
    send_thread_done = true;
    for (const sim::MailboxId box : stop_waiters) sim.mailbox_post(box, sim::Mail{kStoppedTag, 0, nullptr});
    stop_waiters.clear();
    if (abandoned) queue_event_of_death();
  }

  // One connection, from startConnect until it is given up. Returns why it ended.
  const char* run_connection(sim::ProcessId target) {
    state = ClientState::kConnecting;
    server = target;
    endpoint = net.connect(owner, target, kClientPort, io_box);
    last_heard = last_send = sim.now();
    if (const char* failure = await_tcp()) return failure;
    first_connect = false;
    last_heard = last_send = sim.now();
    send_connect_request();
    if (const char* failure = await_session()) return failure;
    return serve();
  }

  void send_connect_request() {
    auto request = std::make_shared<ConnectRequest>();
    request->last_zxid_seen = last_zxid;
    request->timeout = config.session_timeout;  // the requested timeout, every time
    request->session = session;
    net.send(endpoint, std::move(request));
  }

  // The next mail of the current connection, or nullopt on timeout or a kick. Mail of a
  // connection already given up is dropped.
  std::optional<sim::Mail> wait_io(sim::Duration timeout) {
    std::optional<sim::Mail> mail = sim.receive(io_box, std::max(timeout, sim::Duration{}));
    if (!mail) return std::nullopt;
    if (mail->tag == kKickTag) {
      kick_pending = false;
      return std::nullopt;
    }
    if (mail->channel != endpoint) return wait_io(sim::Duration{});  // what is already here, if any
    return mail;
  }

  static const char* lost_reason(std::uint32_t tag) {
    switch (tag) {
      case sim::NetTag::kRefused: return "refused";
      case sim::NetTag::kReset: return "reset";
      case sim::NetTag::kClosed: return "closed-by-server";
      default: return nullptr;
    }
  }

  const char* await_tcp() {
    for (;;) {
      if (state == ClientState::kClosed) return "client-closed";
      const sim::Duration left = connect_timeout - (sim.now() - last_heard);
      if (left.ns <= 0) return "connect-timeout";
      const std::optional<sim::Mail> mail = wait_io(left);
      if (!mail) continue;
      if (mail->tag == sim::NetTag::kConnected) return nullptr;
      if (const char* reason = lost_reason(mail->tag)) return reason;
    }
  }

  const char* await_session() {
    for (;;) {
      if (state == ClientState::kClosed) return "client-closed";
      const sim::Duration left = connect_timeout - (sim.now() - last_heard);
      if (left.ns <= 0) return "connect-timeout";
      const std::optional<sim::Mail> mail = wait_io(left);
      if (!mail) continue;
      if (const char* reason = lost_reason(mail->tag)) return reason;
      if (mail->tag != sim::NetTag::kData) continue;
      last_heard = sim.now();
      if (const auto* response = sim::payload_as<ConnectResponse>(*mail)) {
        on_connected(*response);
        return state == ClientState::kClosed ? "session-expired" : nullptr;
      }
    }
  }

  void on_connected(const ConnectResponse& response) {
    negotiated = response.timeout;
    if (response.timeout.ns <= 0) {
      state = ClientState::kClosed;
      trace("expired", {{"server", server_name()}});
      model::probe(sim, model::Probe::kZkSessionExpiredWhileDisconnected);
      queue_event({EventType::None, KeeperState::kExpired, {}});
      queue_event_of_death();
      return;
    }
    read_timeout = sim::milliseconds(negotiated.to_ms() * 2 / 3);
    connect_timeout = sim::milliseconds(negotiated.to_ms() / static_cast<std::int64_t>(hosts.size()));
    hosts.on_connected();
    const bool new_session = session == 0;
    session = response.session;
    state = ClientState::kConnected;
    trace("connected", {{"server", server_name()},
                        {"timeout_ms", negotiated.to_ms()},
                        {"new_session", std::int64_t{new_session}}});
    queue_event({EventType::None, KeeperState::kSyncConnected, {}});
    rearm_watches();
    while (!outgoing.empty()) {
      Call call = std::move(outgoing.front());
      outgoing.pop_front();
      send_call(std::move(call));
    }
  }

  void rearm_watches() {
    if (data_watches.empty() && exist_watches.empty() && child_watches.empty()) return;
    SetWatchesRequest request;
    request.relative_zxid = last_zxid;
    request.data_watches.assign(data_watches.begin(), data_watches.end());
    request.exist_watches.assign(exist_watches.begin(), exist_watches.end());
    request.child_watches.assign(child_watches.begin(), child_watches.end());
    send_call(Call{std::move(request), sim::MailboxId{}, 0, WatchKind::kNone, {}});
  }

  const char* serve() {
    for (;;) {
      if (state == ClientState::kClosed) return "client-closed";
      sim::Duration left = read_timeout - (sim.now() - last_heard);
      if (left.ns <= 0) return "read-timeout";
      const sim::Duration idle_send = sim.now() - last_send;
      const sim::Duration to_ping = sim::milliseconds(read_timeout.to_ms() / 2) - idle_send -
                                    (idle_send > kPingSlack ? kPingSlack : sim::Duration{});
      if (to_ping.ns <= 0 || idle_send > kMaxSendPingInterval) {
        send_ping();
      } else {
        left = std::min(left, to_ping);
      }
      const std::optional<sim::Mail> mail = wait_io(left);
      if (!mail) continue;
      if (const char* reason = lost_reason(mail->tag)) return reason;
      if (mail->tag != sim::NetTag::kData) continue;
      last_heard = sim.now();
      if (const char* failure = on_data(*mail)) return failure;
    }
  }

  void send_ping() {
    auto request = std::make_shared<ClientRequest>();
    request->xid = kPingXid;
    request->op = PingRequest{};
    net.send(endpoint, std::move(request));
    last_send = sim.now();
  }

  // readResponse. Returns why the connection must be dropped, or nullptr.
  const char* on_data(const sim::Mail& mail) {
    if (const auto* notification = sim::payload_as<WatchNotification>(mail)) {
      on_notification(*notification);
      return nullptr;
    }
    auto reply = std::dynamic_pointer_cast<const ClientReply>(mail.payload);
    if (reply == nullptr || reply->xid == kPingXid) return nullptr;
    if (pending.empty()) return "reply-without-request";
    const Call call = std::move(pending.front());
    pending.pop_front();
    if (call.xid != reply->xid) {
      trace("xid-out-of-order", {{"expected", std::int64_t{call.xid}}, {"got", std::int64_t{reply->xid}}});
      finish(call, failure_reply(call.xid, Code::ConnectionLoss));
      return "xid-out-of-order";
    }
    if (reply->zxid > 0) last_zxid = reply->zxid;
    finish(call, std::move(reply));
    return nullptr;
  }

  void on_notification(const WatchNotification& notification) {
    const std::string& path = notification.path;
    bool watched = false;
    switch (notification.type) {
      case EventType::NodeCreated:
      case EventType::NodeDataChanged:
        watched |= data_watches.erase(path) > 0;
        watched |= exist_watches.erase(path) > 0;
        break;
      case EventType::NodeChildrenChanged: watched |= child_watches.erase(path) > 0; break;
      case EventType::NodeDeleted:
        watched |= data_watches.erase(path) > 0;
        watched |= exist_watches.erase(path) > 0;
        watched |= child_watches.erase(path) > 0;
        break;
      case EventType::None: break;
    }
    if (watched) queue_event({notification.type, KeeperState::kSyncConnected, path});
  }

  void drop_connection() {
    if (endpoint != sim::kNoEndpoint) net.close(endpoint);
    endpoint = sim::kNoEndpoint;
    if (state == ClientState::kConnected) state = ClientState::kConnecting;
  }

  // ClientCnxnSocketNIO.cleanup and SendThread.cleanup.
  void cleanup() {
    drop_connection();
    sim.sleep(kCleanupSleep);
    fail_everything();
  }

  void clean_and_notify(const char* reason) {
    const bool was_connected = state == ClientState::kConnected;
    trace(was_connected ? "disconnected" : "connect-failed", {{"server", server_name()}, {"reason", std::string(reason)}});
    server = sim::kNoProcess;
    cleanup();
    if (state != ClientState::kClosed) queue_event({EventType::None, KeeperState::kDisconnected, {}});
    last_heard = last_send = sim.now();
  }

  // --- closing
  void close() {
    check_caller();
    if (state == ClientState::kClosed) return;
    if (!closing) {
      trace("close");
      const auto reply = call(WriteRequest{CloseSessionRequest{}});
      if (state != ClientState::kClosed) {
        state = ClientState::kClosed;
        trace("closed", {{"close_reply", std::int64_t{static_cast<std::int32_t>(reply->err)}}});
      }
      kick();
    }
    await_send_thread();
    queue_event_of_death();
  }

  void await_send_thread() {
    if (send_thread_done) return;
    const sim::MailboxId box = acquire_box();
    stop_waiters.push_back(box);
    const std::optional<sim::Mail> mail = sim.receive(box);
    SIM_ASSERT(mail.has_value() && mail->tag == kStoppedTag);
    release_box(box);
  }

  void inject_session_expiration() {
    if (state == ClientState::kClosed) return;
    trace("expiration-injected");
    queue_event({EventType::None, KeeperState::kExpired, {}});
    queue_event_of_death();
    state = ClientState::kClosed;
    kick();
  }

  // The handle is gone while the fibers still run: stop them without touching the watcher.
  void abandon() {
    abandoned = true;
    watcher = nullptr;
    events.clear();
    queue_event_of_death();
    if (state != ClientState::kClosed) {
      state = ClientState::kClosed;
      trace("abandoned");
    }
    kick();
  }
};

namespace {

// Keeps the core alive for a fiber and counts the fiber while its body exists, however the body
// ends: returned, unwound by FiberKilled, or dropped before it ever started.
struct FiberLease {
  explicit FiberLease(std::shared_ptr<ZkClient::Core> core_in) : core(std::move(core_in)) { core->fibers_alive++; }
  FiberLease(const FiberLease&) = delete;
  FiberLease& operator=(const FiberLease&) = delete;
  ~FiberLease() { core->fibers_alive--; }
  std::shared_ptr<ZkClient::Core> core;
};

}  // namespace

ZkClient::ZkClient(sim::Simulation& sim, sim::Network& net, sim::ProcessId owner, ZkClientConfig config,
                   ClientWatcher watcher, std::optional<sim::Prng> rng) {
  SIM_ASSERT(!config.servers.empty());
  SIM_ASSERT(config.session_timeout.ns > 0);
  const sim::ProcessState process_state = sim.process_state(owner);
  SIM_ASSERT_MSG(process_state == sim::ProcessState::kUp || process_state == sim::ProcessState::kPaused,
                 "a ZkClient on a process that is not running");
  sim::Prng stream = rng ? *rng
                         : sim.rng_stream("zkclient/" + sim.process_name(owner) + "/" +
                                          std::to_string(sim.incarnation(owner)));
  core_ = std::make_shared<Core>(sim, net, owner, std::move(config), std::move(watcher), stream);
  auto send_lease = std::make_shared<FiberLease>(core_);
  sim.spawn(owner, "zkclient-send", [send_lease] { send_lease->core->send_thread(); });
  auto event_lease = std::make_shared<FiberLease>(core_);
  sim.spawn(owner, "zkclient-event", [event_lease] { event_lease->core->event_thread(); });
}

ZkClient::~ZkClient() {
  // No fiber alive means the process crashed or the simulation shut down (or the client
  // finished): then the kernel must not be touched, it may be going away.
  if (core_->fibers_alive > 0) core_->abandon();
}

// Each call holds the core, so that a handle destroyed by another fiber meanwhile cannot free
// it under a blocked caller.
CreateResult ZkClient::create(const std::string& path, Data data, CreateMode mode) {
  const std::shared_ptr<Core> core = core_;
  const auto reply = core->call(WriteRequest{CreateRequest{path, std::move(data), mode}});
  CreateResult result{reply->err, {}};
  if (const auto* txn = std::get_if<TxnResult>(&reply->result); txn && reply->err == Code::Ok) result.path = txn->path;
  return result;
}

Code ZkClient::remove(const std::string& path, std::int32_t version, Zxid* committed) {
  const std::shared_ptr<Core> core = core_;
  const auto reply = core->call(WriteRequest{DeleteRequest{path, version}});
  if (committed != nullptr) *committed = reply->zxid;
  return reply->err;
}

StatResult ZkClient::set_data(const std::string& path, Data data, std::int32_t version) {
  const std::shared_ptr<Core> core = core_;
  const auto reply = core->call(WriteRequest{SetDataRequest{path, std::move(data), version}});
  StatResult result{reply->err, {}};
  if (const auto* txn = std::get_if<TxnResult>(&reply->result); txn && txn->stat) result.stat = *txn->stat;
  return result;
}

DataResult ZkClient::get_data(const std::string& path, bool watch) {
  const std::shared_ptr<Core> core = core_;
  const auto reply = core->call(GetDataRequest{path, watch}, watch ? WatchKind::kData : WatchKind::kNone, path);
  DataResult result{reply->err, {}, {}};
  if (const auto* response = std::get_if<GetDataResponse>(&reply->result); response && reply->err == Code::Ok) {
    result.data = response->data;
    result.stat = response->stat;
  }
  return result;
}

StatResult ZkClient::exists(const std::string& path, bool watch) {
  const std::shared_ptr<Core> core = core_;
  const auto reply = core->call(ExistsRequest{path, watch}, watch ? WatchKind::kExists : WatchKind::kNone, path);
  StatResult result{reply->err, {}};
  if (const auto* response = std::get_if<ExistsResponse>(&reply->result); response && reply->err == Code::Ok) {
    result.stat = response->stat;
  }
  return result;
}

ChildrenResult ZkClient::get_children(const std::string& path, bool watch) {
  const std::shared_ptr<Core> core = core_;
  const auto reply =
      core->call(GetChildrenRequest{path, watch}, watch ? WatchKind::kChild : WatchKind::kNone, path);
  ChildrenResult result{reply->err, {}, {}};
  if (const auto* response = std::get_if<GetChildrenResponse>(&reply->result); response && reply->err == Code::Ok) {
    result.children = response->children;
    result.stat = response->stat;
  }
  return result;
}

MultiResult ZkClient::multi(const std::vector<MultiOp>& ops) {
  const std::shared_ptr<Core> core = core_;
  const auto reply = core->call(WriteRequest{MultiRequest{ops}});
  // ZooKeeper.multiInternal: a non-zero header code is the answer (e.g. SessionExpired); otherwise
  // the first per-op ErrorResult whose code is not OK is, and the per-op results come with it.
  MultiResult result{reply->err, {}, reply->zxid};
  if (reply->err != Code::Ok) return result;
  if (const auto* txn = std::get_if<TxnResult>(&reply->result)) {
    result.results = txn->multi;
    for (const OpResult& op : txn->multi) {
      if (op.type == OpType::Error && op.err != Code::Ok) {
        result.code = op.err;
        break;
      }
    }
  }
  return result;
}

Code ZkClient::sync(const std::string& path) {
  const std::shared_ptr<Core> core = core_;
  const auto reply = core->call(SyncRequest{path});
  if (const auto* response = std::get_if<SyncResponse>(&reply->result); response && reply->err == Code::Ok) {
    return response->err;
  }
  return reply->err;
}

void ZkClient::close() {
  const std::shared_ptr<Core> core = core_;
  core->close();
}

void ZkClient::inject_session_expiration() { core_->inject_session_expiration(); }

ClientState ZkClient::state() const { return core_->state; }
SessionId ZkClient::session_id() const { return core_->session; }
sim::Duration ZkClient::negotiated_timeout() const { return core_->negotiated; }
Zxid ZkClient::last_zxid_seen() const { return core_->last_zxid; }
sim::ProcessId ZkClient::owner() const { return core_->owner; }
sim::Instant ZkClient::last_heard() const { return core_->last_heard; }

std::optional<sim::ProcessId> ZkClient::connected_server() const {
  if (core_->state != ClientState::kConnected) return std::nullopt;
  return core_->server;
}

}  // namespace model::zk
