#pragma once
// ZooKeeper conformance: the client operations a generated sequence is made of, and the neutral,
// comparable record of what happened. Shared by the oracle (a real ZooKeeper through the C client,
// zk_oracle_client.hpp) and the simulated ensemble. Plain structs and std only: no ZooKeeper C
// client, no simulator types, so both sides can include it.
//
// A sequence is a list of Op. Running it yields a Trace: one OpResult per Op, in order, each
// followed by the watch/session events that reached any session while that op ran (see
// zk_oracle_client.hpp for how the oracle makes that grouping deterministic). Everything recorded
// is something two correct implementations must agree on: no zxids, times, session ids or server
// ids; an ephemeral owner is recorded as the index of the owning session in the sequence.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace conformance {

// ---------------------------------------------------------------------------------------------
// Numeric codes, identical to the ZooKeeper C client's (zookeeper.h) and to the wire protocol.
// The oracle static_asserts / checks that they match.

namespace rc {
inline constexpr std::int32_t kOk = 0;
inline constexpr std::int32_t kSystemError = -1;
inline constexpr std::int32_t kRuntimeInconsistency = -2;  // later ops of a failed multi
inline constexpr std::int32_t kDataInconsistency = -3;
inline constexpr std::int32_t kConnectionLoss = -4;
inline constexpr std::int32_t kMarshallingError = -5;
inline constexpr std::int32_t kUnimplemented = -6;
inline constexpr std::int32_t kOperationTimeout = -7;
inline constexpr std::int32_t kBadArguments = -8;           // C client: invalid path, bad args
inline constexpr std::int32_t kInvalidState = -9;           // C client: handle expired/closed
inline constexpr std::int32_t kApiError = -100;
inline constexpr std::int32_t kNoNode = -101;
inline constexpr std::int32_t kNoAuth = -102;
inline constexpr std::int32_t kBadVersion = -103;
inline constexpr std::int32_t kNoChildrenForEphemerals = -108;
inline constexpr std::int32_t kNodeExists = -110;
inline constexpr std::int32_t kNotEmpty = -111;
inline constexpr std::int32_t kSessionExpired = -112;
inline constexpr std::int32_t kInvalidCallback = -113;
inline constexpr std::int32_t kInvalidAcl = -114;
inline constexpr std::int32_t kAuthFailed = -115;
inline constexpr std::int32_t kClosing = -116;
inline constexpr std::int32_t kNothing = -117;
inline constexpr std::int32_t kSessionMoved = -118;
inline constexpr std::int32_t kNotReadOnly = -119;
inline constexpr std::int32_t kEphemeralOnLocalSession = -120;
inline constexpr std::int32_t kNoWatcher = -121;
inline constexpr std::int32_t kThrottledOp = -127;
}  // namespace rc

inline std::string_view rc_name(std::int32_t code) {
  switch (code) {
    case rc::kOk: return "ZOK";
    case rc::kSystemError: return "ZSYSTEMERROR";
    case rc::kRuntimeInconsistency: return "ZRUNTIMEINCONSISTENCY";
    case rc::kDataInconsistency: return "ZDATAINCONSISTENCY";
    case rc::kConnectionLoss: return "ZCONNECTIONLOSS";
    case rc::kMarshallingError: return "ZMARSHALLINGERROR";
    case rc::kUnimplemented: return "ZUNIMPLEMENTED";
    case rc::kOperationTimeout: return "ZOPERATIONTIMEOUT";
    case rc::kBadArguments: return "ZBADARGUMENTS";
    case rc::kInvalidState: return "ZINVALIDSTATE";
    case rc::kApiError: return "ZAPIERROR";
    case rc::kNoNode: return "ZNONODE";
    case rc::kNoAuth: return "ZNOAUTH";
    case rc::kBadVersion: return "ZBADVERSION";
    case rc::kNoChildrenForEphemerals: return "ZNOCHILDRENFOREPHEMERALS";
    case rc::kNodeExists: return "ZNODEEXISTS";
    case rc::kNotEmpty: return "ZNOTEMPTY";
    case rc::kSessionExpired: return "ZSESSIONEXPIRED";
    case rc::kInvalidCallback: return "ZINVALIDCALLBACK";
    case rc::kInvalidAcl: return "ZINVALIDACL";
    case rc::kAuthFailed: return "ZAUTHFAILED";
    case rc::kClosing: return "ZCLOSING";
    case rc::kNothing: return "ZNOTHING";
    case rc::kSessionMoved: return "ZSESSIONMOVED";
    case rc::kNotReadOnly: return "ZNOTREADONLY";
    case rc::kEphemeralOnLocalSession: return "ZEPHEMERALONLOCALSESSION";
    case rc::kNoWatcher: return "ZNOWATCHER";
    case rc::kThrottledOp: return "ZTHROTTLEDOP";
    default: return "UNKNOWN";
  }
}

// Watch event types (ZOO_*_EVENT) and session states (ZOO_*_STATE), as numbered by the C client.
enum class EventType : std::int32_t {
  kCreated = 1,
  kDeleted = 2,
  kChanged = 3,
  kChild = 4,
  kSession = -1,
  kNotWatching = -2,
};

namespace state {
inline constexpr std::int32_t kClosed = 0;
inline constexpr std::int32_t kConnecting = 1;
inline constexpr std::int32_t kAssociating = 2;
inline constexpr std::int32_t kConnected = 3;
inline constexpr std::int32_t kReadOnly = 5;
inline constexpr std::int32_t kNotConnected = 999;
inline constexpr std::int32_t kExpiredSession = -112;
inline constexpr std::int32_t kAuthFailed = -113;
}  // namespace state

inline std::string_view event_name(EventType t) {
  switch (t) {
    case EventType::kCreated: return "CREATED";
    case EventType::kDeleted: return "DELETED";
    case EventType::kChanged: return "CHANGED";
    case EventType::kChild: return "CHILD";
    case EventType::kSession: return "SESSION";
    case EventType::kNotWatching: return "NOTWATCHING";
  }
  return "UNKNOWN";
}

inline std::string_view state_name(std::int32_t s) {
  switch (s) {
    case state::kClosed: return "CLOSED";
    case state::kConnecting: return "CONNECTING";
    case state::kAssociating: return "ASSOCIATING";
    case state::kConnected: return "CONNECTED";
    case state::kReadOnly: return "READONLY";
    case state::kNotConnected: return "NOTCONNECTED";
    case state::kExpiredSession: return "EXPIRED_SESSION";
    case state::kAuthFailed: return "AUTH_FAILED";
    default: return "UNKNOWN";
  }
}

// Create modes, numbered as the C client's ZOO_PERSISTENT ... flags. TTL modes need the server's
// extendedTypesEnabled and are left out.
enum class CreateMode : std::int32_t {
  kPersistent = 0,
  kEphemeral = 1,
  kPersistentSequential = 2,
  kEphemeralSequential = 3,
  kContainer = 4,  // removed by the server's ContainerManager later (timing: checkIntervalMs)
};

inline std::string_view create_mode_name(CreateMode m) {
  switch (m) {
    case CreateMode::kPersistent: return "persistent";
    case CreateMode::kEphemeral: return "ephemeral";
    case CreateMode::kPersistentSequential: return "persistent_sequential";
    case CreateMode::kEphemeralSequential: return "ephemeral_sequential";
    case CreateMode::kContainer: return "container";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// Operations.

enum class OpKind : std::int32_t {
  kOpen,         // open session slot `session` (connect, wait for CONNECTED)
  kClose,        // close it (server deletes its ephemerals); later ops on the slot: kInvalidState
  kExpire,       // force the server to expire it: a second handle attaches to the same session and
                 // closes it; then wait for the EXPIRED_SESSION event on the original handle
  kCreate,       // path, data, mode                       -> name, stat (create2)
  kDelete,       // path, version
  kExists,       // path, watch (exists watch, also set when the node is missing) -> stat
  kGetData,      // path, watch (data watch)               -> data, stat
  kSetData,      // path, data, version                    -> stat
  kGetChildren,  // path, watch (child watch)              -> children (sorted), stat of the parent
  kSync,         // path
  kCheck,        // only inside kMulti: path, version
  kMulti,        // sub_ops (kCreate / kDelete / kSetData / kCheck) -> rc, per-op results
  kAwaitEvent,   // wait until session `session` has received an event of type `await_type`
                 // (and, if path is not empty, on `path`) or `timeout_ms` passes:
                 // rc kOk or kOperationTimeout
  kSleep,        // let `timeout_ms` of (real or simulated) time pass
  kReattach,     // a second handle, in slot `session`, attaches to the session of slot `from_session`
                 // (zookeeper_init with its client id and password) through server `server`; wait for
                 // CONNECTED. The old slot keeps its connection but no longer reconnects once that
                 // connection ends (as SessionTest.testSessionMove's DisconnectableZooKeeper.dontReconnect),
                 // and is left out of the per-op barriers (a sync through it may itself be refused).
};

inline std::string_view op_kind_name(OpKind k) {
  switch (k) {
    case OpKind::kOpen: return "open";
    case OpKind::kClose: return "close";
    case OpKind::kExpire: return "expire";
    case OpKind::kCreate: return "create";
    case OpKind::kDelete: return "delete";
    case OpKind::kExists: return "exists";
    case OpKind::kGetData: return "get_data";
    case OpKind::kSetData: return "set_data";
    case OpKind::kGetChildren: return "get_children";
    case OpKind::kSync: return "sync";
    case OpKind::kCheck: return "check";
    case OpKind::kMulti: return "multi";
    case OpKind::kAwaitEvent: return "await_event";
    case OpKind::kSleep: return "sleep";
    case OpKind::kReattach: return "reattach";
  }
  return "unknown";
}

struct Op {
  OpKind kind = OpKind::kExists;
  std::int32_t session = 0;               // session slot, 0-based; ignored inside a multi
  std::string path;
  std::optional<std::string> data;        // create / set_data; nullopt = NULL data (length -1)
  CreateMode mode = CreateMode::kPersistent;
  std::int32_t version = -1;              // delete / set_data / check; -1 = any
  bool watch = false;                     // exists / get_data / get_children
  std::vector<Op> sub_ops;                // multi
  // open: requested session timeout; await_event / sleep: how long.
  std::int32_t timeout_ms = 10000;
  // open: which server of the driver's list to connect to; -1 = all of them, in list order.
  std::int32_t server = -1;
  EventType await_type = EventType::kSession;  // await_event
  std::int32_t await_state = state::kExpiredSession;  // await_event on kSession: the state
  std::int32_t from_session = -1;         // reattach: the slot whose session is taken over

  bool operator==(const Op&) const = default;
};

// Convenience constructors, so sequences read like the client calls they stand for.
inline Op open_session(std::int32_t s, std::int32_t timeout_ms = 10000, std::int32_t server = -1) {
  Op o; o.kind = OpKind::kOpen; o.session = s; o.timeout_ms = timeout_ms; o.server = server; return o;
}
inline Op close_session(std::int32_t s) { Op o; o.kind = OpKind::kClose; o.session = s; return o; }
inline Op expire_session(std::int32_t s) { Op o; o.kind = OpKind::kExpire; o.session = s; return o; }
inline Op create(std::int32_t s, std::string path, std::optional<std::string> data,
                 CreateMode mode = CreateMode::kPersistent) {
  Op o; o.kind = OpKind::kCreate; o.session = s; o.path = std::move(path); o.data = std::move(data);
  o.mode = mode; return o;
}
inline Op delete_node(std::int32_t s, std::string path, std::int32_t version = -1) {
  Op o; o.kind = OpKind::kDelete; o.session = s; o.path = std::move(path); o.version = version; return o;
}
inline Op exists(std::int32_t s, std::string path, bool watch = false) {
  Op o; o.kind = OpKind::kExists; o.session = s; o.path = std::move(path); o.watch = watch; return o;
}
inline Op get_data(std::int32_t s, std::string path, bool watch = false) {
  Op o; o.kind = OpKind::kGetData; o.session = s; o.path = std::move(path); o.watch = watch; return o;
}
inline Op set_data(std::int32_t s, std::string path, std::optional<std::string> data,
                   std::int32_t version = -1) {
  Op o; o.kind = OpKind::kSetData; o.session = s; o.path = std::move(path); o.data = std::move(data);
  o.version = version; return o;
}
inline Op get_children(std::int32_t s, std::string path, bool watch = false) {
  Op o; o.kind = OpKind::kGetChildren; o.session = s; o.path = std::move(path); o.watch = watch; return o;
}
inline Op sync_op(std::int32_t s, std::string path) {
  Op o; o.kind = OpKind::kSync; o.session = s; o.path = std::move(path); return o;
}
inline Op check(std::string path, std::int32_t version) {
  Op o; o.kind = OpKind::kCheck; o.path = std::move(path); o.version = version; return o;
}
inline Op multi(std::int32_t s, std::vector<Op> sub_ops) {
  Op o; o.kind = OpKind::kMulti; o.session = s; o.sub_ops = std::move(sub_ops); return o;
}
inline Op await_event(std::int32_t s, EventType type, std::string path, std::int32_t timeout_ms,
                      std::int32_t session_state = state::kExpiredSession) {
  Op o; o.kind = OpKind::kAwaitEvent; o.session = s; o.await_type = type; o.path = std::move(path);
  o.timeout_ms = timeout_ms; o.await_state = session_state; return o;
}
// The session of slot `from` re-attached through server `server` by a new handle in slot `s`.
inline Op reattach_session(std::int32_t s, std::int32_t from, std::int32_t server) {
  Op o; o.kind = OpKind::kReattach; o.session = s; o.from_session = from; o.server = server; return o;
}
inline Op sleep_ms(std::int32_t ms) { Op o; o.kind = OpKind::kSleep; o.timeout_ms = ms; return o; }

// ---------------------------------------------------------------------------------------------
// Results.

inline constexpr std::int32_t kNotEphemeral = -1;
inline constexpr std::int32_t kForeignSession = -2;  // ephemeral owned by a session not in the sequence

// The Stat fields that are the same on every correct server for the same history.
struct StatView {
  std::int32_t version = 0;
  std::int32_t cversion = 0;
  std::int32_t aversion = 0;
  std::int32_t data_length = 0;
  std::int32_t num_children = 0;
  // Session slot owning this ephemeral node, kNotEphemeral, or kForeignSession.
  std::int32_t ephemeral_owner = kNotEphemeral;

  bool operator==(const StatView&) const = default;
};

struct OpResult {
  std::int32_t seq = 0;                      // index of the op in the sequence (multi: sub-op index)
  std::int32_t session = 0;
  OpKind kind = OpKind::kExists;
  std::string path;
  std::int32_t rc = rc::kOk;
  std::optional<std::string> name;           // create: the created path (sequential suffix included)
  std::optional<StatView> stat;
  std::optional<std::vector<std::string>> children;  // get_children: sorted
  // get_data: the bytes; nullopt also when the node's data is NULL (then stat.data_length is 0)
  std::optional<std::string> data;
  bool data_null = false;                    // get_data returned NULL data (length -1)
  std::vector<OpResult> multi;               // multi: one per sub-op, same order
  std::optional<std::int32_t> negotiated_timeout_ms;  // open

  bool operator==(const OpResult&) const = default;
};

struct WatchEvent {
  std::int32_t session = 0;
  EventType type = EventType::kSession;
  std::int32_t state = state::kConnected;    // the session state delivered with the event
  std::string path;                          // empty for session events

  bool operator==(const WatchEvent&) const = default;
};

using Record = std::variant<OpResult, WatchEvent>;
using Trace = std::vector<Record>;

// ---------------------------------------------------------------------------------------------
// JSON lines, for diffing and for the smoke program. One object per record, keys in a fixed order.

namespace detail {
inline void json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {  // bytes outside printable ASCII: \u00XX, one per byte
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

inline void json_result_body(std::string& out, const OpResult& r, bool top) {
  out += "\"seq\":" + std::to_string(r.seq);
  if (top) out += ",\"session\":" + std::to_string(r.session);
  out += ",\"op\":";
  json_string(out, op_kind_name(r.kind));
  if (!r.path.empty()) {
    out += ",\"path\":";
    json_string(out, r.path);
  }
  out += ",\"rc\":" + std::to_string(r.rc) + ",\"rc_name\":";
  json_string(out, rc_name(r.rc));
  if (r.name) {
    out += ",\"name\":";
    json_string(out, *r.name);
  }
  if (r.negotiated_timeout_ms) out += ",\"negotiated_timeout_ms\":" + std::to_string(*r.negotiated_timeout_ms);
  if (r.stat) {
    const StatView& s = *r.stat;
    out += ",\"stat\":{\"version\":" + std::to_string(s.version) + ",\"cversion\":" + std::to_string(s.cversion) +
           ",\"aversion\":" + std::to_string(s.aversion) + ",\"dataLength\":" + std::to_string(s.data_length) +
           ",\"numChildren\":" + std::to_string(s.num_children) +
           ",\"ephemeralOwner\":" + std::to_string(s.ephemeral_owner) + "}";
  }
  if (r.children) {
    out += ",\"children\":[";
    for (std::size_t i = 0; i < r.children->size(); ++i) {
      if (i) out += ',';
      json_string(out, (*r.children)[i]);
    }
    out += ']';
  }
  if (r.data) {
    out += ",\"data\":";
    json_string(out, *r.data);
  } else if (r.data_null) {
    out += ",\"data\":null";
  }
  if (r.kind == OpKind::kMulti) {
    out += ",\"results\":[";
    for (std::size_t i = 0; i < r.multi.size(); ++i) {
      if (i) out += ',';
      out += '{';
      json_result_body(out, r.multi[i], false);
      out += '}';
    }
    out += ']';
  }
}
}  // namespace detail

inline std::string to_json(const OpResult& r) {
  std::string out = "{\"type\":\"result\",";
  detail::json_result_body(out, r, true);
  out += '}';
  return out;
}

inline std::string to_json(const WatchEvent& e) {
  std::string out = "{\"type\":\"event\",\"session\":" + std::to_string(e.session) + ",\"event\":";
  detail::json_string(out, event_name(e.type));
  out += ",\"state\":";
  detail::json_string(out, state_name(e.state));
  out += ",\"path\":";
  detail::json_string(out, e.path);
  out += '}';
  return out;
}

inline std::string to_json(const Record& r) {
  return std::visit([](const auto& x) { return to_json(x); }, r);
}

inline std::string to_json_lines(const Trace& t) {
  std::string out;
  for (const Record& r : t) {
    out += to_json(r);
    out += '\n';
  }
  return out;
}

}  // namespace conformance
