// See zk_sequence_gen.hpp.
#include "tests/conformance/zk_sequence_gen.hpp"

#include <map>
#include <sstream>

#include "tests/conformance/sim_conformance_runner.hpp"

namespace conformance {

std::vector<Op> make_safe(std::vector<Op> ops) {
  enum class Slot { kNever, kOpen, kExpired, kClosed };
  std::map<std::int32_t, Slot> slots;
  auto state = [&](std::int32_t s) {
    auto it = slots.find(s);
    return it == slots.end() ? Slot::kNever : it->second;
  };
  for (Op& op : ops) {
    switch (op.kind) {
      case OpKind::kOpen:
        if (state(op.session) == Slot::kNever || state(op.session) == Slot::kClosed) slots[op.session] = Slot::kOpen;
        break;
      case OpKind::kClose:
        if (state(op.session) != Slot::kNever) slots[op.session] = Slot::kClosed;
        break;
      case OpKind::kExpire:
        if (state(op.session) == Slot::kOpen) slots[op.session] = Slot::kExpired;
        break;
      case OpKind::kMulti: {
        if (op.sub_ops.empty()) {
          op.sub_ops.push_back(check("/a", -1));  // an empty multi on an expired handle never completes
        }
        for (Op& sub : op.sub_ops) {
          if (sub.kind == OpKind::kCreate && sub.mode == CreateMode::kContainer) sub.mode = CreateMode::kPersistent;
        }
        if (state(op.session) == Slot::kExpired) {
          op.sub_ops.resize(1);
          break;
        }
        for (std::size_t i = 0; i < op.sub_ops.size(); i++) {
          const Op& sub = op.sub_ops[i];
          const CreateMode mode = sub.kind == OpKind::kCreate ? sub.mode : CreateMode::kPersistent;
          if (!c_client_valid_path(sub.path, mode)) {
            op.sub_ops.resize(i + 1);
            break;
          }
        }
        break;
      }
      default: break;
    }
  }
  return ops;
}

namespace {

std::string quoted(const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  bool hex_escape = false;
  for (unsigned char c : s) {
    const bool hex_digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (hex_escape && hex_digit) out += "\" \"";  // "\x01" "a": keep the escape from eating the digit
    hex_escape = false;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
          hex_escape = true;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string data_cpp(const std::optional<std::string>& d) { return d ? quoted(*d) : std::string("std::nullopt"); }

std::string mode_cpp(CreateMode m) {
  switch (m) {
    case CreateMode::kPersistent: return "CreateMode::kPersistent";
    case CreateMode::kEphemeral: return "CreateMode::kEphemeral";
    case CreateMode::kPersistentSequential: return "CreateMode::kPersistentSequential";
    case CreateMode::kEphemeralSequential: return "CreateMode::kEphemeralSequential";
    case CreateMode::kContainer: return "CreateMode::kContainer";
  }
  return "CreateMode::kPersistent";
}

std::string event_cpp(EventType t) {
  switch (t) {
    case EventType::kCreated: return "EventType::kCreated";
    case EventType::kDeleted: return "EventType::kDeleted";
    case EventType::kChanged: return "EventType::kChanged";
    case EventType::kChild: return "EventType::kChild";
    case EventType::kSession: return "EventType::kSession";
    case EventType::kNotWatching: return "EventType::kNotWatching";
  }
  return "EventType::kSession";
}

}  // namespace

std::string to_cpp(const Op& op) {
  const std::string s = std::to_string(op.session);
  switch (op.kind) {
    case OpKind::kOpen:
      return "open_session(" + s + ", " + std::to_string(op.timeout_ms) +
             (op.server >= 0 ? ", " + std::to_string(op.server) : std::string()) + ")";
    case OpKind::kClose: return "close_session(" + s + ")";
    case OpKind::kExpire: return "expire_session(" + s + ")";
    case OpKind::kCreate:
      return "create(" + s + ", " + quoted(op.path) + ", " + data_cpp(op.data) + ", " + mode_cpp(op.mode) + ")";
    case OpKind::kDelete: return "delete_node(" + s + ", " + quoted(op.path) + ", " + std::to_string(op.version) + ")";
    case OpKind::kExists: return "exists(" + s + ", " + quoted(op.path) + (op.watch ? ", true" : ", false") + ")";
    case OpKind::kGetData: return "get_data(" + s + ", " + quoted(op.path) + (op.watch ? ", true" : ", false") + ")";
    case OpKind::kSetData:
      return "set_data(" + s + ", " + quoted(op.path) + ", " + data_cpp(op.data) + ", " + std::to_string(op.version) +
             ")";
    case OpKind::kGetChildren:
      return "get_children(" + s + ", " + quoted(op.path) + (op.watch ? ", true" : ", false") + ")";
    case OpKind::kSync: return "sync_op(" + s + ", " + quoted(op.path) + ")";
    case OpKind::kCheck: return "check(" + quoted(op.path) + ", " + std::to_string(op.version) + ")";
    case OpKind::kMulti: {
      std::string out = "multi(" + s + ", {";
      for (std::size_t i = 0; i < op.sub_ops.size(); i++) out += (i ? ", " : "") + to_cpp(op.sub_ops[i]);
      return out + "})";
    }
    case OpKind::kAwaitEvent:
      return "await_event(" + s + ", " + event_cpp(op.await_type) + ", " + quoted(op.path) + ", " +
             std::to_string(op.timeout_ms) + ")";
    case OpKind::kSleep: return "sleep_ms(" + std::to_string(op.timeout_ms) + ")";
    case OpKind::kReattach:
      return "reattach_session(" + s + ", " + std::to_string(op.from_session) + ", " + std::to_string(op.server) + ")";
  }
  return "?";
}

std::string to_cpp(const std::vector<Op>& ops) {
  std::string out = "{\n";
  for (const Op& op : ops) out += "    " + to_cpp(op) + ",\n";
  return out + "}";
}

void showValue(const Op& op, std::ostream& os) { os << to_cpp(op); }

}  // namespace conformance
