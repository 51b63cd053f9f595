#pragma once
// ZooKeeper conformance oracle: runs a sequence of conformance::Op against a REAL ZooKeeper through
// the multi-threaded C client (libzookeeper_mt) and records a conformance::Trace.
//
// Threading and event order. Ops are issued from the calling thread with the C client's synchronous
// calls. Watch and session callbacks run on the C client's completion thread (one per handle) and
// are appended, under a lock, to a per-session pending list. After every op the driver runs a
// barrier: it sends an asynchronous sync("/") on every connected session and waits (bounded) for
// each completion. This makes the recorded grouping deterministic:
//   * ZooKeeper delivers, on each connection, a watch notification before the response to any
//     request that session sends after the triggering write was applied. For a session connected to
//     a follower, sync first makes the follower catch up with the leader, so every notification
//     caused by the op is queued on that connection before the sync response.
//   * The C client puts watch notifications and asynchronous completions (but not synchronous
//     ones) on one FIFO, consumed by the completion thread. So when the sync completion runs, every
//     earlier notification of that session has already been recorded; the completion notes how
//     many, and exactly that many are moved to the trace.
// The trace is therefore: an op's result, then the events each session received up to its barrier,
// session slot 0 first, each session's in arrival order (which ZooKeeper orders per connection).
// Events not caused by an op (session expiry by timeout, connection loss) land after whichever op
// was running when they arrived; use OpKind::kAwaitEvent to wait for them at a chosen point.
//
// Bounds: open/expire/await/barrier waits have explicit timeouts. A synchronous C-client call is
// bounded by the client itself: a request pending on a dead or silent connection fails with
// ZCONNECTIONLOSS / ZOPERATIONTIMEOUT within about the negotiated session timeout.
//
// Driver-level rules (the simulated side must apply the same ones):
//   * an op on a slot that was never opened, or was closed: rc kInvalidState, nothing sent;
//   * open on a slot that is open: rc kBadArguments;
//   * after the server expired a session, the C client answers every op with kInvalidState;
//   * the C client rejects malformed paths itself with kBadArguments;
//   * the C client's multi rc is the first sub-op error other than kRuntimeInconsistency.
// The open's own CONNECTED session event is not recorded (the open result stands for it); every
// later session event is (disconnects, reconnects, expiry), unless record_session_events is false.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/conformance/zk_ops.hpp"

namespace conformance {

struct OracleOptions {
  // "host:port" of each server, in order. Op::server indexes this list.
  std::vector<std::string> servers;
  std::int32_t connect_timeout_ms = 15000;  // open / expire: wait for CONNECTED
  std::int32_t barrier_timeout_ms = 10000;  // each per-op sync barrier
  std::int32_t max_sessions = 64;           // valid slots are 0 .. max_sessions-1
  bool record_session_events = true;
  // C client log level: 0 none, 1 error, 2 warn, 3 info, 4 debug. Process-wide.
  int client_log_level = 1;
};

class OracleClient {
 public:
  explicit OracleClient(OracleOptions options);
  ~OracleClient();  // closes every open session
  OracleClient(const OracleClient&) = delete;
  OracleClient& operator=(const OracleClient&) = delete;

  // Runs one op; appends its result and then the events drained by its barrier to `trace`.
  // `seq` is the op's index in its sequence (recorded in the result).
  void execute(const Op& op, std::int32_t seq, Trace& trace);

  // Runs a whole sequence; sessions left open are closed by the destructor, not recorded.
  Trace run(const std::vector<Op>& ops);

  // The raw session id of a slot (0 if not open), for tools that need to correlate with server logs.
  std::int64_t session_id(std::int32_t slot) const;

  // Deletes every znode except /zookeeper and its subtree, through a private session.
  // Returns a ZooKeeper rc (kOk on success).
  static std::int32_t wipe(const std::string& hosts, std::int32_t timeout_ms = 15000);

 private:
  struct Session;

  Session* slot_session(std::int32_t slot);
  std::string hosts_for(std::int32_t server) const;
  std::int32_t owner_slot(std::int64_t ephemeral_owner) const;
  StatView stat_view(const void* c_stat) const;
  void barrier_and_drain(Trace& trace);
  OpResult run_data_op(Session& s, const Op& op, std::int32_t seq);
  OpResult run_multi(Session& s, const Op& op, std::int32_t seq);
  OpResult run_open(const Op& op, std::int32_t seq);
  OpResult run_close(const Op& op, std::int32_t seq);
  OpResult run_reattach(const Op& op, std::int32_t seq);
  OpResult run_expire(const Op& op, std::int32_t seq);
  OpResult run_await(const Op& op, std::int32_t seq);
  OpResult run_sync(Session& s, const Op& op, std::int32_t seq);

  OracleOptions options_;
  std::vector<std::unique_ptr<Session>> sessions_;       // by slot; null = never opened
  std::map<std::int64_t, std::int32_t> owner_by_session_id_;  // every session ever opened
};

}  // namespace conformance
