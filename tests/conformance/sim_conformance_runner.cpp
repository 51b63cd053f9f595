// ZooKeeper conformance, simulated side: see sim_conformance_runner.hpp.
#include "tests/conformance/sim_conformance_runner.hpp"

#include <algorithm>
#include <sstream>
#include <utility>

#include "model/zookeeper/ensemble.hpp"

namespace conformance {
namespace zk = model::zk;

namespace {

sim::Duration ms(std::int64_t n) { return sim::milliseconds(n); }

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// The C client sends C strings: whatever follows a NUL never reaches the server.
std::string c_string(const std::string& s) { return s.substr(0, s.find('\0')); }

zk::Data wire_data(const std::optional<std::string>& data) {
  if (!data) return std::nullopt;
  return *data;
}

zk::CreateMode wire_mode(CreateMode mode) { return static_cast<zk::CreateMode>(static_cast<std::int32_t>(mode)); }

bool is_server_answer(std::int32_t rc) { return rc == rc::kOk || rc <= rc::kApiError; }

OpResult base_result(const Op& op, std::int32_t seq) {
  OpResult r;
  r.seq = seq;
  r.session = op.session;
  r.kind = op.kind;
  return r;
}

}  // namespace

bool c_client_valid_path(const std::string& full_path, CreateMode mode) {
  const bool sequential = (static_cast<std::int32_t>(mode) & 2) != 0;  // ZOO_SEQUENCE
  const std::string path = c_string(full_path);
  const std::size_t len = path.size();
  const char* p = path.c_str();  // NUL-terminated: p[len] is readable, as in the C code
  if (len == 0) return false;
  if (p[0] != '/') return false;
  if (len == 1) return true;  // the root
  if (p[len - 1] == '/' && !sequential) return false;
  char last = '/';
  for (std::size_t i = 1; i < len; last = p[i], i++) {
    const auto c = static_cast<signed char>(p[i]);  // `char` is signed on the oracle's x86-64
    if (c == 0) {
      return false;
    } else if (c == '/' && last == '/') {
      return false;
    } else if (c == '.' && last == '.') {
      if (p[i - 2] == '/' && (((i + 1 == len) && !sequential) || p[i + 1] == '/')) return false;
    } else if (c == '.') {
      if (p[i - 1] == '/' && (((i + 1 == len) && !sequential) || p[i + 1] == '/')) return false;
    } else if (c > 0x00 && c < 0x1f) {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Per-slot state: one simulated zhandle_t.

struct SimClientDriver::Slot {
  std::int32_t index = 0;
  SlotState state = SlotState::kNever;
  std::vector<int> hosts;     // indices into servers_, the handle's host list
  std::size_t addr_next = 0;  // addrvec_t.next
  bool delay = false;         // zh->delay: the last failure exhausted the list
  sim::Instant attempt_at{};  // next connection attempt while disconnected
  std::int32_t recv_timeout_ms = 0;
  std::int64_t session = 0;
  bool open_acknowledged = false;
  bool expiring = false;
  bool closing = false;
  // Its session was re-attached by another slot (OpKind::kReattach): no barrier syncs through it, and
  // no reconnect once its connection ends (the oracle routes it through a one-shot forwarder).
  bool detached = false;

  sim::EndpointId ep = sim::kNoEndpoint;
  Phase phase = Phase::kNone;
  int server = -1;
  sim::Instant last_send{};
  sim::Instant last_recv{};
  sim::Instant next_ping{};

  std::int32_t next_xid = 1;
  std::int64_t last_zxid = 0;
  std::vector<std::int32_t> sent;                   // outstanding xids, in send order
  std::map<std::int32_t, zk::ClientReply> replies;  // arrived, not yet taken
  std::map<std::int32_t, std::int32_t> failed;      // xid -> rc (connection loss / timeout)

  std::vector<WatchEvent> pending;  // delivered, not yet moved to the trace
  // Client-side watch registry (zk_hashtable): active_node_watchers, active_exist_watchers,
  // active_child_watchers, by path. The driver has one watcher (the default one).
  std::set<std::string> node_watches, exist_watches, child_watches;

  // Barrier.
  std::optional<std::int32_t> barrier_xid;
  std::optional<std::size_t> barrier_mark;
};

// The second handle of an expire.
struct SimClientDriver::Clone {
  std::int32_t slot = 0;
  std::vector<int> hosts;
  std::size_t host_cursor = 0;
  sim::EndpointId ep = sim::kNoEndpoint;
  Phase phase = Phase::kNone;
  bool connected = false;
  bool dead = false;  // its connection ended
  std::int32_t close_xid = 0;
  bool close_answered = false;
};

SimClientDriver::SimClientDriver(sim::Simulation& sim, sim::Network& net, sim::ProcessId self,
                                 std::vector<sim::ProcessId> servers, SimClientOptions options)
    : sim_(sim), net_(net), self_(self), servers_(std::move(servers)), options_(options) {
  SIM_ASSERT(!servers_.empty());
  box_ = sim_.mailbox_open(self_);
  slots_.resize(static_cast<std::size_t>(options_.max_sessions));
}

SimClientDriver::~SimClientDriver() = default;

SimClientDriver::Slot* SimClientDriver::slot_of(std::int32_t slot) {
  if (slot < 0 || slot >= options_.max_sessions) return nullptr;
  return slots_[static_cast<std::size_t>(slot)].get();
}

const SimClientDriver::Slot* SimClientDriver::slot_of(std::int32_t slot) const {
  if (slot < 0 || slot >= options_.max_sessions) return nullptr;
  return slots_[static_cast<std::size_t>(slot)].get();
}

SimClientDriver::SlotState SimClientDriver::state(std::int32_t slot) const {
  const Slot* s = slot_of(slot);
  return s ? s->state : SlotState::kNever;
}

std::int64_t SimClientDriver::session_id(std::int32_t slot) const {
  const Slot* s = slot_of(slot);
  return s ? s->session : 0;
}

sim::Instant SimClientDriver::last_send(std::int32_t slot) const {
  const Slot* s = slot_of(slot);
  return s ? s->last_send : sim::Instant{};
}

std::optional<std::int32_t> SimClientDriver::connected_server(std::int32_t slot) const {
  const Slot* s = slot_of(slot);
  if (!s || s->phase != Phase::kEstablished) return std::nullopt;
  return s->server;
}

std::vector<int> SimClientDriver::hosts_for(std::int32_t server) const {
  if (server >= 0 && static_cast<std::size_t>(server) < servers_.size()) return {server};
  std::vector<int> all;
  for (std::size_t i = 0; i < servers_.size(); i++) all.push_back(static_cast<int>(i));
  return all;
}

std::int32_t SimClientDriver::owner_slot(std::int64_t ephemeral_owner) const {
  if (ephemeral_owner == 0) return kNotEphemeral;
  auto it = owner_by_session_id_.find(ephemeral_owner);
  return it == owner_by_session_id_.end() ? kForeignSession : it->second;
}

StatView SimClientDriver::stat_view(const zk::Stat& st) const {
  StatView v;
  v.version = st.version;
  v.cversion = st.cversion;
  v.aversion = st.aversion;
  v.data_length = st.data_length;
  v.num_children = st.num_children;
  v.ephemeral_owner = owner_slot(st.ephemeral_owner);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Connection machinery (zookeeper_interest / handle_error / check_events).

void SimClientDriver::send(Slot& s, std::shared_ptr<const sim::Payload> payload) {
  if (s.ep == sim::kNoEndpoint || !net_.send(s.ep, std::move(payload))) return;  // the loss shows up as mail
  s.last_send = sim_.now();
  s.next_ping = s.last_send + ms(s.recv_timeout_ms / 3);
}

void SimClientDriver::start_attempt(Slot& s) {
  // zoo_cycle_next_server: addrvec_next, wrapping at the end.
  if (s.addr_next >= s.hosts.size()) s.addr_next = 0;
  s.server = s.hosts[s.addr_next++];
  s.ep = net_.connect(self_, servers_[static_cast<std::size_t>(s.server)], zk::kClientPort, box_);
  endpoint_slot_[s.ep] = s.index;
  s.phase = Phase::kTcp;
  s.last_recv = s.last_send = sim_.now();
}

void SimClientDriver::push_session_event(Slot& s, std::int32_t session_state) {
  if (s.closing) return;
  if (s.expiring && session_state != state::kExpiredSession) return;
  WatchEvent e{s.index, EventType::kSession, session_state, ""};
  event_log_.push_back({e, sim_.now()});
  s.pending.push_back(std::move(e));
}

// handle_error: close the socket, report the session event, fail what was sent, move on to the
// next server (delaying when the whole list has been tried).
void SimClientDriver::connection_failed(Slot& s, std::int32_t rc) {
  if (s.ep != sim::kNoEndpoint) {
    net_.close(s.ep);
    endpoint_slot_.erase(s.ep);
  }
  const bool was_connected = s.phase == Phase::kEstablished;
  s.ep = sim::kNoEndpoint;
  s.phase = Phase::kNone;
  if (s.state == SlotState::kExpired) {
    // is_unrecoverable: the expired event was pushed by the caller.
  } else if (was_connected) {
    push_session_event(s, state::kConnecting);
  }
  for (const std::int32_t xid : s.sent) s.failed[xid] = rc;
  s.sent.clear();
  if (s.state == SlotState::kExpired || s.state == SlotState::kClosed || s.closing) return;
  s.state = SlotState::kConnecting;
  if (s.detached) {
    s.attempt_at = sim::Instant{sim::Duration::max().ns};  // every reconnect is refused: never connects
    return;
  }
  s.delay = s.addr_next >= s.hosts.size();  // addrvec_atend
  if (s.addr_next >= s.hosts.size()) s.addr_next = 0;
  s.addr_next++;  // addrvec_next: handle_error consumes an address as well
  s.attempt_at = s.delay ? sim_.now() + ms(s.recv_timeout_ms / 60) : sim_.now();
}

void SimClientDriver::deliver_event(Slot& s, const zk::WatchNotification& n) {
  if (s.closing) return;  // zookeeper_close has stopped the completion thread
  const EventType type = static_cast<EventType>(static_cast<std::int32_t>(n.type));
  // collectWatchers: the event reaches the watcher only through a registration, which it consumes.
  bool registered = false;
  auto take = [&](std::set<std::string>& table) { registered |= table.erase(n.path) != 0; };
  switch (type) {
    case EventType::kCreated:
    case EventType::kChanged:
      take(s.node_watches);
      take(s.exist_watches);
      break;
    case EventType::kChild: take(s.child_watches); break;
    case EventType::kDeleted:
      take(s.node_watches);
      take(s.exist_watches);
      take(s.child_watches);
      break;
    default: break;
  }
  if (!registered) {
    protocol_notes_.push_back("session " + std::to_string(s.index) + ": notification " + std::string(event_name(type)) +
                              " " + n.path + " without a client-side watch");
    return;
  }
  WatchEvent e{s.index, type, state::kConnected, n.path};
  event_log_.push_back({e, sim_.now()});
  s.pending.push_back(std::move(e));
}

void SimClientDriver::on_mail(const sim::Mail& mail) {
  const sim::EndpointId ep = mail.channel;
  if (clone_ && clone_->ep == ep) {
    on_clone_mail(*clone_, mail);
    return;
  }
  auto it = endpoint_slot_.find(ep);
  if (it == endpoint_slot_.end()) return;  // a connection we already gave up
  Slot* s = slot_of(it->second);
  if (!s || s->ep != ep) return;
  on_slot_mail(*s, mail);
}

void SimClientDriver::on_slot_mail(Slot& s, const sim::Mail& mail) {
  switch (mail.tag) {
    case sim::NetTag::kConnected: {
      if (s.phase != Phase::kTcp) return;
      s.phase = Phase::kHandshake;
      s.last_recv = sim_.now();
      auto request = std::make_shared<zk::ConnectRequest>();
      request->last_zxid_seen = s.last_zxid;
      request->timeout = ms(s.recv_timeout_ms);  // prime_connection: zh->recv_timeout
      request->session = s.session;
      send(s, request);
      return;
    }
    case sim::NetTag::kRefused:
    case sim::NetTag::kClosed:
    case sim::NetTag::kReset: connection_failed(s, rc::kConnectionLoss); return;
    case sim::NetTag::kData: break;
    default: return;
  }
  s.last_recv = sim_.now();
  if (const auto* response = sim::payload_as<zk::ConnectResponse>(mail)) {
    if (s.phase != Phase::kHandshake) {
      protocol_notes_.push_back("session " + std::to_string(s.index) + ": ConnectResponse outside the handshake");
      return;
    }
    const std::int64_t old_id = s.session;
    const std::int32_t negotiated = static_cast<std::int32_t>(response->timeout.to_ms());
    if (negotiated <= 0 || (old_id != 0 && response->session != old_id)) {
      s.state = SlotState::kExpired;
      push_session_event(s, state::kExpiredSession);
      connection_failed(s, rc::kSessionExpired);
      return;
    }
    s.recv_timeout_ms = negotiated;
    s.session = response->session;
    owner_by_session_id_.emplace(s.session, s.index);  // a re-attaching slot keeps the first owner
    s.phase = Phase::kEstablished;
    s.state = SlotState::kConnected;
    s.next_ping = s.last_send + ms(s.recv_timeout_ms / 3);
    if (!s.node_watches.empty() || !s.exist_watches.empty() || !s.child_watches.empty()) {
      auto request = std::make_shared<zk::ClientRequest>();
      request->xid = zk::kSetWatchesXid;
      request->op = zk::SetWatchesRequest{s.last_zxid,
                                          {s.node_watches.begin(), s.node_watches.end()},
                                          {s.exist_watches.begin(), s.exist_watches.end()},
                                          {s.child_watches.begin(), s.child_watches.end()}};
      send(s, request);
    }
    if (!s.open_acknowledged) {
      s.open_acknowledged = true;  // the open's own CONNECTED is not recorded
    } else {
      push_session_event(s, state::kConnected);
    }
    return;
  }
  if (const auto* n = sim::payload_as<zk::WatchNotification>(mail)) {
    deliver_event(s, *n);
    return;
  }
  if (const auto* reply = sim::payload_as<zk::ClientReply>(mail)) {
    if (reply->xid == zk::kPingXid || reply->xid == zk::kSetWatchesXid) return;
    if (s.sent.empty() || s.sent.front() != reply->xid) {
      protocol_notes_.push_back("session " + std::to_string(s.index) + ": reply xid " + std::to_string(reply->xid) +
                                " out of order");
      connection_failed(s, rc::kRuntimeInconsistency);
      return;
    }
    s.sent.erase(s.sent.begin());
    if (reply->zxid > 0) s.last_zxid = reply->zxid;
    if (s.barrier_xid && *s.barrier_xid == reply->xid) s.barrier_mark = s.pending.size();
    s.replies[reply->xid] = *reply;
    return;
  }
  protocol_notes_.push_back("session " + std::to_string(s.index) + ": unexpected payload " +
                            (mail.payload ? mail.payload->describe() : std::string("(none)")));
}

void SimClientDriver::on_clone_mail(Clone& c, const sim::Mail& mail) {
  switch (mail.tag) {
    case sim::NetTag::kConnected: {
      if (c.phase != Phase::kTcp) return;
      c.phase = Phase::kHandshake;
      const Slot* s = slot_of(c.slot);
      auto request = std::make_shared<zk::ConnectRequest>();
      request->last_zxid_seen = s ? s->last_zxid : 0;
      request->timeout = ms(s ? s->recv_timeout_ms : 10000);
      request->session = s ? s->session : 0;
      net_.send(c.ep, request);
      return;
    }
    case sim::NetTag::kRefused:
    case sim::NetTag::kClosed:
    case sim::NetTag::kReset:
      net_.close(c.ep);
      c.dead = true;
      c.phase = Phase::kNone;
      return;
    case sim::NetTag::kData: break;
    default: return;
  }
  if (const auto* response = sim::payload_as<zk::ConnectResponse>(mail)) {
    if (response->timeout.ns > 0) {
      c.connected = true;
      c.phase = Phase::kEstablished;
    } else {
      net_.close(c.ep);
      c.dead = true;
    }
    return;
  }
  if (const auto* reply = sim::payload_as<zk::ClientReply>(mail)) {
    if (c.close_xid != 0 && reply->xid == c.close_xid) c.close_answered = true;
  }
}

void SimClientDriver::service_timers() {
  const sim::Instant now = sim_.now();
  for (auto& up : slots_) {
    if (!up) continue;
    Slot& s = *up;
    if (s.state == SlotState::kConnecting && s.ep == sim::kNoEndpoint && now >= s.attempt_at) {
      s.delay = false;
      start_attempt(s);
      continue;
    }
    if (s.ep == sim::kNoEndpoint) continue;
    // The receive timeout: 2/3 of recv_timeout without hearing anything.
    if (now >= s.last_recv + ms(s.recv_timeout_ms * 2 / 3)) {
      connection_failed(s, rc::kOperationTimeout);
      continue;
    }
    if (s.phase == Phase::kEstablished && now >= s.next_ping) {
      if (s.sent.empty()) {
        auto ping = std::make_shared<zk::ClientRequest>();
        ping->xid = zk::kPingXid;
        ping->op = zk::PingRequest{};
        send(s, ping);
      } else {
        s.next_ping = now + ms(s.recv_timeout_ms / 3);
      }
    }
  }
}

sim::Instant SimClientDriver::next_timer() const {
  sim::Instant next{sim::Duration::max().ns};
  for (const auto& up : slots_) {
    if (!up) continue;
    const Slot& s = *up;
    if (s.state == SlotState::kConnecting && s.ep == sim::kNoEndpoint) next = std::min(next, s.attempt_at);
    if (s.ep == sim::kNoEndpoint) continue;
    next = std::min(next, s.last_recv + ms(s.recv_timeout_ms * 2 / 3));
    if (s.phase == Phase::kEstablished) next = std::min(next, s.next_ping);
  }
  return next;
}

template <typename Done>
bool SimClientDriver::pump_until(sim::Instant deadline, Done done) {
  for (;;) {
    service_timers();
    if (done()) return true;
    const sim::Instant now = sim_.now();
    if (now >= deadline) return false;
    const sim::Instant wake = std::min(deadline, std::max(next_timer(), now + sim::nanoseconds(1)));
    if (auto mail = sim_.receive(box_, wake - now)) on_mail(*mail);
  }
}

// ---------------------------------------------------------------------------------------------
// Requests.

std::optional<std::int32_t> SimClientDriver::send_request(Slot& s, zk::ClientOp op) {
  if (s.phase != Phase::kEstablished) return std::nullopt;
  auto request = std::make_shared<zk::ClientRequest>();
  request->xid = s.next_xid++;
  request->op = std::move(op);
  const std::int32_t xid = request->xid;
  s.sent.push_back(xid);
  send(s, request);
  return xid;
}

std::optional<zk::ClientReply> SimClientDriver::await_reply(Slot& s, std::int32_t xid, std::int32_t& rc) {
  const std::int32_t index = s.index;
  const bool answered = pump_until(sim_.now() + ms(options_.request_timeout_ms), [&] {
    const Slot* slot = slot_of(index);
    return slot == nullptr || slot->replies.count(xid) != 0 || slot->failed.count(xid) != 0;
  });
  Slot* slot = slot_of(index);
  if (!answered || slot == nullptr) {
    rc = rc::kOperationTimeout;
    return std::nullopt;
  }
  if (auto f = slot->failed.find(xid); f != slot->failed.end()) {
    rc = f->second;
    slot->failed.erase(f);
    return std::nullopt;
  }
  auto it = slot->replies.find(xid);
  zk::ClientReply reply = std::move(it->second);
  slot->replies.erase(it);
  rc = static_cast<std::int32_t>(reply.err);
  return reply;
}

void SimClientDriver::barrier_and_drain(Trace& trace) {
  // Send every barrier first, then wait: the sessions' round trips overlap.
  std::vector<std::int32_t> waiting;
  for (auto& up : slots_) {
    if (!up) continue;
    Slot& s = *up;
    s.barrier_xid.reset();
    s.barrier_mark.reset();
    if (s.state == SlotState::kConnected && s.phase == Phase::kEstablished && !s.detached) {
      s.barrier_xid = send_request(s, zk::SyncRequest{"/"});
      if (s.barrier_xid) waiting.push_back(s.index);
    }
  }
  pump_until(sim_.now() + ms(options_.barrier_timeout_ms), [&] {
    return std::all_of(waiting.begin(), waiting.end(), [&](std::int32_t index) {
      const Slot* s = slot_of(index);
      return s == nullptr || !s->barrier_xid || s->replies.count(*s->barrier_xid) != 0 ||
             s->failed.count(*s->barrier_xid) != 0;
    });
  });
  for (auto& up : slots_) {
    if (!up) continue;
    Slot& s = *up;
    bool barrier_ok = false;
    if (s.barrier_xid) {
      auto reply = s.replies.find(*s.barrier_xid);
      barrier_ok = reply != s.replies.end() && reply->second.err == zk::Code::Ok && s.barrier_mark.has_value();
      if (reply != s.replies.end()) s.replies.erase(reply);
      s.failed.erase(*s.barrier_xid);
      if (!barrier_ok) protocol_notes_.push_back("barrier on session " + std::to_string(s.index) + " did not complete");
    }
    // Without a completed barrier (disconnected, closed, or timed out) take all that has arrived.
    const std::size_t take = barrier_ok ? std::min(*s.barrier_mark, s.pending.size()) : s.pending.size();
    for (std::size_t i = 0; i < take; i++) {
      const WatchEvent& e = s.pending[i];
      if (e.type == EventType::kSession && !options_.record_session_events) continue;
      trace.emplace_back(e);
    }
    s.pending.erase(s.pending.begin(), s.pending.begin() + static_cast<std::ptrdiff_t>(take));
    s.barrier_xid.reset();
    s.barrier_mark.reset();
  }
}

OpResult SimClientDriver::run_open(const Op& op, std::int32_t seq) {
  OpResult r = base_result(op, seq);
  if (op.session < 0 || op.session >= options_.max_sessions) {
    r.rc = rc::kBadArguments;
    return r;
  }
  auto& up = slots_[static_cast<std::size_t>(op.session)];
  if (up && up->state != SlotState::kClosed) {
    r.rc = rc::kBadArguments;  // slot already open (an expired handle is open until closed)
    return r;
  }
  up = std::make_unique<Slot>();
  Slot& s = *up;
  s.index = op.session;
  s.hosts = hosts_for(op.server);
  s.recv_timeout_ms = op.timeout_ms;
  s.state = SlotState::kConnecting;
  start_attempt(s);
  const std::int32_t index = op.session;
  const bool connected = pump_until(sim_.now() + ms(options_.connect_timeout_ms), [&] {
    const Slot* slot = slot_of(index);
    return slot != nullptr && slot->open_acknowledged;
  });
  if (!connected) {
    if (s.ep != sim::kNoEndpoint) {
      net_.close(s.ep);
      endpoint_slot_.erase(s.ep);
    }
    up.reset();
    r.rc = rc::kOperationTimeout;
    return r;
  }
  r.negotiated_timeout_ms = s.recv_timeout_ms;
  r.rc = rc::kOk;
  return r;
}

// zookeeper_init with the client id (id + password) of slot `from_session`, through one server. The
// old slot stays as it is (its connection open) but is detached: see OpKind::kReattach.
OpResult SimClientDriver::run_reattach(const Op& op, std::int32_t seq) {
  OpResult r = base_result(op, seq);
  Slot* from = slot_of(op.from_session);
  if (!from || from->state != SlotState::kConnected) {
    r.rc = rc::kInvalidState;  // nothing to take over
    return r;
  }
  if (op.session < 0 || op.session >= options_.max_sessions || op.session == op.from_session ||
      from->hosts.size() != 1 || op.server < 0 || static_cast<std::size_t>(op.server) >= servers_.size()) {
    r.rc = rc::kBadArguments;  // driver rule: the oracle can only reroute a one-server handle
    return r;
  }
  auto& up = slots_[static_cast<std::size_t>(op.session)];
  if (up && up->state != SlotState::kClosed) {
    r.rc = rc::kBadArguments;  // slot already open
    return r;
  }
  from->detached = true;
  const std::int64_t session = from->session;
  const std::int32_t timeout = from->recv_timeout_ms;
  const std::int64_t last_zxid = from->last_zxid;
  up = std::make_unique<Slot>();
  Slot& s = *up;
  s.index = op.session;
  s.hosts = hosts_for(op.server);
  s.recv_timeout_ms = timeout;
  s.session = session;
  s.last_zxid = last_zxid;
  s.state = SlotState::kConnecting;
  start_attempt(s);
  const std::int32_t index = op.session;
  const bool connected = pump_until(sim_.now() + ms(options_.connect_timeout_ms), [&] {
    const Slot* slot = slot_of(index);
    return slot != nullptr && slot->open_acknowledged;
  });
  if (!connected) {
    if (s.ep != sim::kNoEndpoint) {
      net_.close(s.ep);
      endpoint_slot_.erase(s.ep);
    }
    up.reset();
    r.rc = rc::kOperationTimeout;
    return r;
  }
  r.negotiated_timeout_ms = s.recv_timeout_ms;
  r.rc = rc::kOk;
  return r;
}

OpResult SimClientDriver::run_close(const Op& op, std::int32_t seq) {
  OpResult r = base_result(op, seq);
  Slot* s = slot_of(op.session);
  if (!s || s->state == SlotState::kClosed) {
    r.rc = rc::kInvalidState;
    return r;
  }
  // zookeeper_close: the completion thread is stopped first (nothing more is delivered), then, if
  // connected, the close request is sent and the server given 1.5 s to end the session. The caller
  // always gets ZOK.
  s->closing = true;
  if (s->phase == Phase::kEstablished) {
    const std::int32_t index = s->index;
    if (auto xid = send_request(*s, zk::WriteRequest{zk::CloseSessionRequest{}})) {
      pump_until(sim_.now() + ms(1500), [&] {
        const Slot* slot = slot_of(index);
        return slot == nullptr || slot->replies.count(*xid) != 0 || slot->ep == sim::kNoEndpoint;
      });
    }
  }
  if (s->ep != sim::kNoEndpoint) {
    net_.close(s->ep);
    endpoint_slot_.erase(s->ep);
  }
  s->ep = sim::kNoEndpoint;
  s->phase = Phase::kNone;
  s->state = SlotState::kClosed;
  s->sent.clear();
  s->replies.clear();
  s->failed.clear();
  s->node_watches.clear();
  s->exist_watches.clear();
  s->child_watches.clear();
  r.rc = rc::kOk;
  return r;
}

OpResult SimClientDriver::run_expire(const Op& op, std::int32_t seq) {
  OpResult r = base_result(op, seq);
  Slot* s = slot_of(op.session);
  if (!s || s->state != SlotState::kConnected) {
    r.rc = rc::kInvalidState;  // closed, never opened, expired, or not connected
    return r;
  }
  const std::int32_t index = s->index;
  const std::int32_t timeout = s->recv_timeout_ms;
  s->expiring = true;
  const sim::Instant deadline = sim_.now() + ms(options_.connect_timeout_ms + 2 * timeout);
  auto expired_seen = [this, index] {
    const Slot* slot = slot_of(index);
    return slot != nullptr && std::any_of(slot->pending.begin(), slot->pending.end(), [](const WatchEvent& e) {
             return e.type == EventType::kSession && e.state == state::kExpiredSession;
           });
  };
  bool expired = false;
  for (int attempt = 0; !expired && attempt < 20 && sim_.now() < deadline; attempt++) {
    // A second handle attaches to the same session: zookeeper_init with the client id, hosts
    // tried in list order.
    clone_ = std::make_unique<Clone>();
    Clone& c = *clone_;
    c.slot = index;
    c.hosts = s->hosts;
    while (!c.connected && sim_.now() < deadline && c.host_cursor < 4 * c.hosts.size()) {
      c.dead = false;
      c.phase = Phase::kTcp;
      const int host = c.hosts[c.host_cursor++ % c.hosts.size()];
      c.ep = net_.connect(self_, servers_[static_cast<std::size_t>(host)], zk::kClientPort, box_);
      pump_until(std::min(deadline, sim_.now() + ms(timeout * 2 / 3)), [&] { return c.connected || c.dead; });
      if (!c.connected && !c.dead) net_.close(c.ep);
    }
    if (c.connected) {
      // zookeeper_close of the clone: the close request, up to 1.5 s for the session to end.
      auto request = std::make_shared<zk::ClientRequest>();
      request->xid = c.close_xid = 1;
      request->op = zk::WriteRequest{zk::CloseSessionRequest{}};
      if (net_.send(c.ep, request)) {
        pump_until(std::min(deadline, sim_.now() + ms(1500)), [&] { return c.close_answered || c.dead; });
      }
    }
    if (c.ep != sim::kNoEndpoint) net_.close(c.ep);
    clone_.reset();
    expired = pump_until(std::min(deadline, sim_.now() + ms(2000)), expired_seen);
  }
  if (Slot* after = slot_of(index)) after->expiring = false;
  r.rc = expired ? rc::kOk : rc::kOperationTimeout;
  return r;
}

OpResult SimClientDriver::run_await(const Op& op, std::int32_t seq) {
  OpResult r = base_result(op, seq);
  r.path = op.path;
  if (!slot_of(op.session)) {
    r.rc = rc::kInvalidState;
    return r;
  }
  const std::int32_t index = op.session;
  const bool seen = pump_until(sim_.now() + ms(op.timeout_ms), [&] {
    const Slot* s = slot_of(index);
    return s != nullptr && std::any_of(s->pending.begin(), s->pending.end(), [&](const WatchEvent& e) {
             if (e.type != op.await_type) return false;
             if (e.type == EventType::kSession) return e.state == op.await_state;
             return op.path.empty() || e.path == op.path;
           });
  });
  r.rc = seen ? rc::kOk : rc::kOperationTimeout;
  return r;
}

OpResult SimClientDriver::run_sync(Slot& s, const Op& op, std::int32_t seq) {
  OpResult r = base_result(op, seq);
  r.path = op.path;
  if (!c_client_valid_path(op.path)) {
    r.rc = rc::kBadArguments;
    return r;
  }
  if (s.state == SlotState::kExpired) {
    r.rc = rc::kInvalidState;
    return r;
  }
  auto xid = send_request(s, zk::SyncRequest{c_string(op.path)});
  if (!xid) {
    r.rc = rc::kConnectionLoss;
    return r;
  }
  std::int32_t code = 0;
  await_reply(s, *xid, code);
  r.rc = code;
  return r;
}

OpResult SimClientDriver::run_multi(Slot& s, const Op& op, std::int32_t seq) {
  OpResult r = base_result(op, seq);
  zk::MultiRequest request;
  for (const Op& sub : op.sub_ops) {
    switch (sub.kind) {
      case OpKind::kCreate:
        request.ops.emplace_back(zk::CreateRequest{c_string(sub.path), wire_data(sub.data), wire_mode(sub.mode)});
        break;
      case OpKind::kDelete: request.ops.emplace_back(zk::DeleteRequest{c_string(sub.path), sub.version}); break;
      case OpKind::kSetData:
        request.ops.emplace_back(zk::SetDataRequest{c_string(sub.path), wire_data(sub.data), sub.version});
        break;
      case OpKind::kCheck: request.ops.emplace_back(zk::CheckRequest{c_string(sub.path), sub.version}); break;
      default:
        r.rc = rc::kBadArguments;  // driver rule: only create/delete/set_data/check inside a multi
        return r;
    }
  }
  // zoo_amulti: each sub-op goes through Request_path_init; the first failure makes the whole call
  // ZMARSHALLINGERROR (nonblocking_send(zh, rc < 0)) and nothing is sent.
  for (const Op& sub : op.sub_ops) {
    const CreateMode mode = sub.kind == OpKind::kCreate ? sub.mode : CreateMode::kPersistent;
    if (!c_client_valid_path(sub.path, mode) || s.state == SlotState::kExpired) {
      r.rc = rc::kMarshallingError;
      return r;
    }
  }
  auto xid = send_request(s, zk::WriteRequest{std::move(request)});
  if (!xid) {
    r.rc = rc::kConnectionLoss;
    return r;
  }
  std::int32_t code = 0;
  auto reply = await_reply(s, *xid, code);
  if (!reply) {
    r.rc = code;
    return r;
  }
  const auto* txn = std::get_if<zk::TxnResult>(&reply->result);
  const std::size_t n = op.sub_ops.size();
  if (txn == nullptr || txn->multi.size() != n) {
    // No per-op results (e.g. the session expired): the header's code, and what the oracle then
    // records of the untouched zoo_op_result_t entries.
    if (txn != nullptr && !txn->multi.empty()) {
      protocol_notes_.push_back("multi of " + std::to_string(n) + " answered with " +
                                std::to_string(txn->multi.size()) + " results");
    }
    r.rc = static_cast<std::int32_t>(reply->err);
    if (!is_server_answer(r.rc)) return r;
    for (std::size_t i = 0; i < n; i++) {
      const Op& sub = op.sub_ops[i];
      OpResult sr;
      sr.seq = static_cast<std::int32_t>(i);
      sr.session = op.session;
      sr.kind = sub.kind;
      sr.path = sub.path;
      if (sub.kind == OpKind::kCreate) sr.name = std::string();
      if (sub.kind == OpKind::kSetData) sr.stat = StatView{};
      r.multi.push_back(std::move(sr));
    }
    return r;
  }
  // ZooKeeper answers a multi with header error 0 and puts the codes in the per-op results
  // (FinalRequestProcessor leaves err OK for OpCode.multi).
  if (reply->err != zk::Code::Ok) {
    protocol_notes_.push_back("multi reply header err " + std::to_string(static_cast<int>(reply->err)) +
                              " (real ZooKeeper sends 0; a Java client would not read the per-op results)");
  }
  // deserialize_multi: the first error other than ZOK and ZRUNTIMEINCONSISTENCY.
  r.rc = rc::kOk;
  for (std::size_t i = 0; i < n; i++) {
    const Op& sub = op.sub_ops[i];
    const zk::OpResult& result = txn->multi[i];
    OpResult sr;
    sr.seq = static_cast<std::int32_t>(i);
    sr.session = op.session;
    sr.kind = sub.kind;
    sr.path = sub.path;
    sr.rc = static_cast<std::int32_t>(result.err);
    if (r.rc == rc::kOk && sr.rc != rc::kOk && sr.rc != rc::kRuntimeInconsistency) r.rc = sr.rc;
    // Only typed results carry payloads; a failed multi's entries are all ErrorResults.
    if (sr.rc == rc::kOk && sub.kind == OpKind::kCreate && result.type == zk::OpType::Create) sr.name = result.path;
    if (sr.rc == rc::kOk && sub.kind == OpKind::kSetData && result.type == zk::OpType::SetData && result.stat) {
      sr.stat = stat_view(*result.stat);
    }
    r.multi.push_back(std::move(sr));
  }
  // The oracle records per-op results only for a server answer (ZOK or an API error <= -100): a
  // multi that failed with, say, a server-side ZBADARGUMENTS shows no per-op results.
  if (!is_server_answer(r.rc)) r.multi.clear();
  return r;
}

// activateWatcher: a watch is registered client-side only when the call succeeded (exists also
// when the node is missing, in the exist table).
void SimClientDriver::register_watch(Slot& s, const Op& op, std::int32_t code) {
  if (!op.watch) return;
  const std::string path = c_string(op.path);
  switch (op.kind) {
    case OpKind::kExists:
      if (code == rc::kOk) s.node_watches.insert(path);
      if (code == rc::kNoNode) s.exist_watches.insert(path);
      break;
    case OpKind::kGetData:
      if (code == rc::kOk) s.node_watches.insert(path);
      break;
    case OpKind::kGetChildren:
      if (code == rc::kOk) s.child_watches.insert(path);
      break;
    default: break;
  }
}

OpResult SimClientDriver::run_data_op(Slot& s, const Op& op, std::int32_t seq) {
  OpResult r = base_result(op, seq);
  r.path = op.path;
  const CreateMode mode = op.kind == OpKind::kCreate ? op.mode : CreateMode::kPersistent;
  if (!c_client_valid_path(op.path, mode)) {
    r.rc = rc::kBadArguments;
    return r;
  }
  if (s.state == SlotState::kExpired) {
    r.rc = rc::kInvalidState;
    return r;
  }
  const std::string path = c_string(op.path);
  zk::ClientOp request;
  switch (op.kind) {
    case OpKind::kCreate:
      request = zk::WriteRequest{zk::CreateRequest{path, wire_data(op.data), wire_mode(op.mode)}};
      break;
    case OpKind::kDelete: request = zk::WriteRequest{zk::DeleteRequest{path, op.version}}; break;
    case OpKind::kSetData: request = zk::WriteRequest{zk::SetDataRequest{path, wire_data(op.data), op.version}}; break;
    case OpKind::kExists: request = zk::ExistsRequest{path, op.watch}; break;
    case OpKind::kGetData: request = zk::GetDataRequest{path, op.watch}; break;
    case OpKind::kGetChildren: request = zk::GetChildrenRequest{path, op.watch}; break;
    default: r.rc = rc::kBadArguments; return r;
  }
  auto xid = send_request(s, std::move(request));
  if (!xid) {
    r.rc = rc::kConnectionLoss;
    return r;
  }
  std::int32_t code = 0;
  auto reply = await_reply(s, *xid, code);
  r.rc = code;
  if (!reply) return r;
  Slot* slot = slot_of(op.session);
  if (slot) register_watch(*slot, op, code);
  if (code != rc::kOk) return r;
  std::visit(Overloaded{
                 [&](const zk::TxnResult& t) {
                   if (op.kind == OpKind::kCreate) {
                     r.name = t.path;
                     if (t.stat) r.stat = stat_view(*t.stat);
                   } else if (op.kind == OpKind::kSetData && t.stat) {
                     r.stat = stat_view(*t.stat);
                   }
                 },
                 [&](const zk::GetDataResponse& g) {
                   r.stat = stat_view(g.stat);
                   if (g.data) {
                     r.data = *g.data;
                   } else {
                     r.data_null = true;
                   }
                 },
                 [&](const zk::ExistsResponse& e) { r.stat = stat_view(e.stat); },
                 [&](const zk::GetChildrenResponse& g) {
                   std::vector<std::string> children = g.children;
                   std::sort(children.begin(), children.end());
                   r.children = std::move(children);
                   r.stat = stat_view(g.stat);
                 },
                 [&](const zk::SyncResponse&) {},
                 [&](const zk::EmptyResponse&) {},
             },
             reply->result);
  return r;
}

void SimClientDriver::execute(const Op& op, std::int32_t seq, Trace& trace) {
  OpResult r;
  switch (op.kind) {
    case OpKind::kOpen: r = run_open(op, seq); break;
    case OpKind::kClose: r = run_close(op, seq); break;
    case OpKind::kExpire: r = run_expire(op, seq); break;
    case OpKind::kReattach: r = run_reattach(op, seq); break;
    case OpKind::kAwaitEvent: r = run_await(op, seq); break;
    case OpKind::kSleep:
      pump_until(sim_.now() + ms(op.timeout_ms), [] { return false; });
      r = base_result(op, seq);
      r.rc = rc::kOk;
      break;
    default: {
      Slot* s = slot_of(op.session);
      if (!s || s->state == SlotState::kClosed) {
        r = base_result(op, seq);
        r.path = op.path;
        r.rc = rc::kInvalidState;  // driver rule: slot not open
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
  trace.emplace_back(std::move(r));
  barrier_and_drain(trace);
}

Trace SimClientDriver::run(const std::vector<Op>& ops) {
  Trace trace;
  for (std::size_t i = 0; i < ops.size(); i++) execute(ops[i], static_cast<std::int32_t>(i), trace);
  return trace;
}

void SimClientDriver::close_all() {
  for (std::int32_t i = 0; i < options_.max_sessions; i++) {
    Slot* s = slot_of(i);
    if (s && s->state != SlotState::kClosed) run_close(close_session(i), 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Runs.

SimRunResult run_on_simulation(const std::vector<Op>& ops, const SimRunOptions& options) {
  SimRunResult result;
  sim::Simulation sim(sim::SimConfig{options.seed, {}});
  sim::Network net(sim, sim::NetworkConfig{options.latency, ms(1), 10000});
  zk::EnsembleConfig config = zk::default_ensemble(options.servers, options.tick);
  config.min_session_timeout = options.min_session_timeout;
  config.max_session_timeout = options.max_session_timeout;
  zk::Ensemble ensemble(sim, net, config);
  ensemble.start();

  bool done = false;
  std::unique_ptr<SimClientDriver> driver;
  const sim::ProcessId client = sim.add_process(
      "conformance-client", sim::ProcessHooks{[&](sim::ProcessId pid) {
                                                sim.spawn(pid, "driver", [&, pid] {
                                                  // Every server serving: a leader and its followers.
                                                  const sim::Instant settle_end = sim.now() + options.settle_max;
                                                  auto all_serving = [&] {
                                                    for (int i = 0; i < ensemble.size(); i++) {
                                                      const auto v = ensemble.view(i);
                                                      if (!v || !v->serving) return false;
                                                    }
                                                    return ensemble.leader() >= 0;
                                                  };
                                                  while (!all_serving() && sim.now() < settle_end) sim.sleep(ms(100));
                                                  if (!all_serving()) {
                                                    result.error = "the ensemble did not serve within settle_max";
                                                    done = true;
                                                    return;
                                                  }
                                                  driver = std::make_unique<SimClientDriver>(
                                                      sim, net, pid, ensemble.pids(), options.client);
                                                  result.trace = driver->run(ops);
                                                  driver->close_all();
                                                  result.protocol_notes = driver->protocol_notes();
                                                  result.finished_at = sim.now();
                                                  done = true;
                                                });
                                              },
                                              nullptr});
  sim.start(client);
  const sim::Instant bound = sim.now() + options.run_max;
  while (!done && sim.now() < bound) {
    const sim::RunOutcome outcome = sim.run_until(std::min(bound, sim.now() + sim::seconds(10)));
    if (sim::is_limit(outcome)) {
      result.error = "simulation limit: " + std::string(sim::to_string(outcome));
      break;
    }
  }
  if (!done && result.error.empty()) result.error = "the sequence did not finish within run_max";
  sim.shutdown();
  return result;
}

std::vector<Op> spread_sessions(std::vector<Op> ops, int servers) {
  if (servers <= 1) return ops;
  for (Op& op : ops) {
    if (op.kind == OpKind::kOpen) op.server = op.session % servers;
  }
  return ops;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string first_difference_lines(const std::vector<std::string>& expected, const std::vector<std::string>& actual,
                                   const std::string& expected_name, const std::string& actual_name) {
  const std::size_t n = std::max(expected.size(), actual.size());
  for (std::size_t i = 0; i < n; i++) {
    const std::string* e = i < expected.size() ? &expected[i] : nullptr;
    const std::string* a = i < actual.size() ? &actual[i] : nullptr;
    if (e && a && *e == *a) continue;
    std::ostringstream out;
    out << "first difference at record " << i << " (" << expected.size() << " vs " << actual.size() << " records)\n";
    if (i > 0) out << "  previous (equal): " << expected[i - 1] << "\n";
    out << "  " << expected_name << ": " << (e ? *e : std::string("(none)")) << "\n";
    out << "  " << actual_name << ": " << (a ? *a : std::string("(none)")) << "\n";
    return out.str();
  }
  return "";
}

std::string first_difference(const Trace& expected, const Trace& actual, const std::string& expected_name,
                             const std::string& actual_name) {
  return first_difference_lines(split_lines(to_json_lines(expected)), split_lines(to_json_lines(actual)), expected_name,
                                actual_name);
}

}  // namespace conformance
