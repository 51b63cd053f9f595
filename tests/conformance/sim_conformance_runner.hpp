#pragma once
// ZooKeeper conformance: the simulated side. Runs a sequence of conformance::Op against a simulated
// ensemble (model::zk::Ensemble) and records a conformance::Trace with exactly the conventions of the
// real-server driver (zk_oracle_client.hpp), so the two traces can be compared record by record.
//
// SimClientDriver is a client written directly against the simulated wire protocol
// (model/zookeeper/protocol.hpp), not through a client library: what it records is what the
// simulated servers said, interpreted the way the ZooKeeper C client 3.8 interprets the real
// servers' answers. It runs in ONE fiber of its process and owns one mailbox; every session slot
// has its own connection (its own endpoint, demultiplexed by Mail::channel), its own pending-event
// list, pings and reconnects. Everything is event-driven and every wait is bounded in simulated
// time, so a run is deterministic for a given seed.
//
// C-client behaviour reproduced (libzookeeper_mt 3.8.0, src/zookeeper.c and mt_adaptor.c):
//   * Request_path_init: the path is checked first (isValidPath, mode-dependent for create:
//     a sequential create may end in '/' or '.'), -8 ZBADARGUMENTS; then an expired handle gives
//     -9 ZINVALIDSTATE. A multi whose sub-op fails that check returns -5 ZMARSHALLINGERROR
//     (zoo_amulti -> nonblocking_send), nothing sent.
//   * a slot never opened or closed: -9 (driver rule); open on an open/expired slot: -8.
//   * ops while disconnected (reconnecting) fail at once with -4 ZCONNECTIONLOSS (the C client
//     queues them and fails them on the next connection failure, which is immediate when servers
//     refuse or drop connections).
//   * pings when idle for recv_timeout/3; a connection silent for 2/3 recv_timeout is dropped
//     (outstanding requests fail with -7); reconnect to the next server at once, after a full
//     cycle of the list wait recv_timeout/60; SetWatches with the client-side watch registry on
//     reconnect.
//   * session events: CONNECTING when an established connection is lost, CONNECTED on reconnect,
//     EXPIRED_SESSION when a reconnect is told the session expired. The open's own CONNECTED is
//     not recorded.
//   * watch events are delivered only if the client registered a watch for them (collectWatchers)
//     and at most once per notification; a closing handle delivers nothing (zookeeper_close joins
//     the completion thread before the close request is even sent), close always returns ZOK.
//   * multi: rc = the first per-op error other than ZOK and ZRUNTIMEINCONSISTENCY
//     (deserialize_multi); ZOK per-op results of a failed multi carry no name/stat; a successful
//     create sub-op carries its name, a set_data sub-op its stat.
//   * expire: a second connection attaches to the session (ConnectRequest with its id) and closes
//     it; meanwhile the original's session events other than EXPIRED_SESSION are not recorded.
//   * reattach: a new slot connects with the session id of another (OpKind::kReattach); the old
//     slot is detached: no barrier syncs through it, no reconnect once its connection ends.
//
// Wire-level checks that a trace cannot show are collected in protocol_notes() (e.g. a multi
// reply whose header error is not 0: real ZooKeeper sends 0 and puts the codes in the per-op
// results; a C client would then ignore the per-op results).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/zookeeper/ensemble_config.hpp"
#include "model/zookeeper/protocol.hpp"
#include "sim/latency.hpp"
#include "sim/network.hpp"
#include "sim/simulation.hpp"
#include "tests/conformance/zk_ops.hpp"

namespace conformance {

// The C client's isValidPath (zookeeper.c), byte for byte: `mode` matters only through the
// sequential flag.
bool c_client_valid_path(const std::string& path, CreateMode mode = CreateMode::kPersistent);

struct SimClientOptions {
  std::int32_t connect_timeout_ms = 15000;  // open / expire attach
  std::int32_t barrier_timeout_ms = 10000;  // each per-op sync barrier
  std::int32_t request_timeout_ms = 60000;  // hard bound on any single request wait
  std::int32_t max_sessions = 64;
  bool record_session_events = true;
};

class SimClientDriver {
 public:
  enum class SlotState { kNever, kClosed, kConnecting, kConnected, kExpired };

  struct TimedEvent {
    WatchEvent event;
    sim::Instant at;
  };

  // `servers`: the client ports' processes, in the order Op::server indexes them. Construct and
  // use from a fiber of `self` (the driver opens its mailbox there).
  SimClientDriver(sim::Simulation& sim, sim::Network& net, sim::ProcessId self, std::vector<sim::ProcessId> servers,
                  SimClientOptions options = {});
  ~SimClientDriver();
  SimClientDriver(const SimClientDriver&) = delete;
  SimClientDriver& operator=(const SimClientDriver&) = delete;

  // Runs one op; appends its result and then the events drained by its barrier.
  void execute(const Op& op, std::int32_t seq, Trace& trace);
  Trace run(const std::vector<Op>& ops);
  // Closes every open session (not recorded), as the oracle's destructor does.
  void close_all();

  // Inspection, for the timing tests.
  SlotState state(std::int32_t slot) const;
  std::int64_t session_id(std::int32_t slot) const;                        // 0 if never connected
  sim::Instant last_send(std::int32_t slot) const;                         // last message sent on the slot's connection
  std::optional<std::int32_t> connected_server(std::int32_t slot) const;   // index into `servers`
  const std::vector<TimedEvent>& event_log() const { return event_log_; }  // every delivered event
  const std::vector<std::string>& protocol_notes() const { return protocol_notes_; }

 private:
  struct Slot;
  struct Clone;
  enum class Phase : std::uint8_t { kNone, kTcp, kHandshake, kEstablished };

  Slot* slot_of(std::int32_t slot);
  const Slot* slot_of(std::int32_t slot) const;
  std::vector<int> hosts_for(std::int32_t server) const;
  std::int32_t owner_slot(std::int64_t ephemeral_owner) const;
  StatView stat_view(const model::zk::Stat& stat) const;

  // Connection machinery.
  void start_attempt(Slot& s);
  void connection_failed(Slot& s, std::int32_t rc);
  void on_mail(const sim::Mail& mail);
  void on_slot_mail(Slot& s, const sim::Mail& mail);
  void on_clone_mail(Clone& c, const sim::Mail& mail);
  void deliver_event(Slot& s, const model::zk::WatchNotification& n);
  void push_session_event(Slot& s, std::int32_t state);
  void service_timers();
  sim::Instant next_timer() const;
  // Processes mail and timers until `done()` or `deadline`; returns done().
  template <typename Done>
  bool pump_until(sim::Instant deadline, Done done);
  void send(Slot& s, std::shared_ptr<const sim::Payload> payload);

  // Ops.
  std::optional<std::int32_t> send_request(Slot& s, model::zk::ClientOp op);
  // nullopt: connection lost or timed out (rc in `rc`).
  std::optional<model::zk::ClientReply> await_reply(Slot& s, std::int32_t xid, std::int32_t& rc);
  void barrier_and_drain(Trace& trace);
  OpResult run_open(const Op& op, std::int32_t seq);
  OpResult run_reattach(const Op& op, std::int32_t seq);
  OpResult run_close(const Op& op, std::int32_t seq);
  OpResult run_expire(const Op& op, std::int32_t seq);
  OpResult run_await(const Op& op, std::int32_t seq);
  OpResult run_sync(Slot& s, const Op& op, std::int32_t seq);
  OpResult run_multi(Slot& s, const Op& op, std::int32_t seq);
  OpResult run_data_op(Slot& s, const Op& op, std::int32_t seq);
  void register_watch(Slot& s, const Op& op, std::int32_t rc);

  sim::Simulation& sim_;
  sim::Network& net_;
  sim::ProcessId self_;
  std::vector<sim::ProcessId> servers_;
  SimClientOptions options_;
  sim::MailboxId box_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::unique_ptr<Clone> clone_;
  std::map<sim::EndpointId, std::int32_t> endpoint_slot_;  // live main connections
  std::map<std::int64_t, std::int32_t> owner_by_session_id_;
  std::vector<TimedEvent> event_log_;
  std::vector<std::string> protocol_notes_;
};

// ---------------------------------------------------------------------------------------------
// A whole run: fresh simulation, ensemble, one client process with one driver.

struct SimRunOptions {
  int servers = 1;
  std::uint64_t seed = 1;
  sim::Duration tick = sim::milliseconds(2000);
  sim::Duration min_session_timeout{-1};  // negative: 2 ticks
  sim::Duration max_session_timeout{-1};  // negative: 20 ticks
  sim::LatencyModel latency = sim::LatencyModel::uniform(sim::microseconds(200), sim::milliseconds(2));
  SimClientOptions client;
  // Waits for every server to serve before the first op (bounded).
  sim::Duration settle_max = sim::seconds(60);
  // Bound on the whole run in simulated time.
  sim::Duration run_max = sim::minutes(60);
};

struct SimRunResult {
  Trace trace;
  std::vector<std::string> protocol_notes;
  std::string error;  // non-empty: the run did not complete (ensemble never served, time bound)
  sim::Instant finished_at{};
};

SimRunResult run_on_simulation(const std::vector<Op>& ops, const SimRunOptions& options = {});

// Session slot k connects to server k % servers only (what zk_oracle_smoke does with 3 servers).
std::vector<Op> spread_sessions(std::vector<Op> ops, int servers);

// Record-by-record comparison. Empty when equal; otherwise names the first differing record and
// shows both sides.
std::string first_difference(const Trace& expected, const Trace& actual, const std::string& expected_name = "expected",
                             const std::string& actual_name = "actual");

// The same on JSON lines (e.g. a golden file against to_json_lines of a trace).
std::string first_difference_lines(const std::vector<std::string>& expected, const std::vector<std::string>& actual,
                                   const std::string& expected_name = "expected",
                                   const std::string& actual_name = "actual");
std::vector<std::string> split_lines(const std::string& text);

}  // namespace conformance
