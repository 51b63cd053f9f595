#include "model/zookeeper/data_tree.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "sim/assert.hpp"

namespace model::zk {

namespace {

// KeeperException inside prep and apply. It never crosses the public API: prepare turns it into an
// ErrorTxn, apply into a result code.
struct KeeperError {
  Code code;
};

[[noreturn]] void fail(Code code) { throw KeeperError{code}; }

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

// Java int arithmetic wraps; C++ signed overflow would be undefined.
std::int32_t wrapping_add(std::int32_t value, std::int32_t delta) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(value) + static_cast<std::uint32_t>(delta));
}

enum class EphemeralType { Void, Normal, Container };

// EphemeralType.get with extendedTypesEnabled=false (the default): TTL owners do not exist.
EphemeralType ephemeral_type(SessionId owner) {
  if (owner == kContainerEphemeralOwner) return EphemeralType::Container;
  return owner == 0 ? EphemeralType::Void : EphemeralType::Normal;
}

StatPersisted new_stat(Zxid zxid, WallTimeMs time, SessionId owner) {
  StatPersisted stat;
  stat.czxid = stat.mzxid = stat.pzxid = zxid;
  stat.ctime = stat.mtime = time;
  stat.ephemeral_owner = owner;
  return stat;
}

// Java's String.lastIndexOf('/') split; the byte split is identical because '/' never occurs inside
// a multi-byte UTF-8 sequence.
std::pair<std::string, std::string> split_parent(const std::string& path) {
  const auto slash = path.rfind('/');
  SIM_ASSERT(slash != std::string::npos);
  return {path.substr(0, slash), path.substr(slash + 1)};
}

// The path watch events on a parent carry: the root's parent name "" is reported as "/".
std::string parent_event_path(const std::string& parent) { return parent.empty() ? "/" : parent; }

bool contains_nul(std::string_view path) { return path.find('\0') != std::string_view::npos; }

// PrepRequestProcessor.validatePathForCreate: only the slash and NUL are checked before the parent
// lookup; the full validatePath comes after it, on the suffixed path.
std::string parent_for_create(const std::string& path) {
  if (path.find('/') == std::string::npos || contains_nul(path)) fail(Code::BadArguments);
  return split_parent(path).first;
}

// DataTree.isSpecialPath.
bool is_special_path(const std::string& path) {
  return path == "/" || path == "/zookeeper" || path == "/zookeeper/quota" || path == "/zookeeper/config";
}

// PrepRequestProcessor.getParentPathAndValidate: delete never runs validatePath, so a malformed
// path simply does not exist (NoNode).
std::string parent_for_delete(const std::string& path) {
  if (path.find('/') == std::string::npos || contains_nul(path) || is_special_path(path)) {
    fail(Code::BadArguments);
  }
  return split_parent(path).first;
}

void require_valid_path(const std::string& path) {
  if (!is_valid_path(path)) fail(Code::BadArguments);
}

// checkACL with only world:anyone entries: the permission is there or the request is NoAuth.
void require_permission(std::uint8_t world_perms, std::uint8_t wanted) {
  if ((world_perms & wanted) == 0) fail(Code::NoAuth);
}

// checkAndIncVersion.
std::int32_t check_and_inc_version(std::int32_t current, std::int32_t expected) {
  if (expected != -1 && expected != current) fail(Code::BadVersion);
  return wrapping_add(current, 1);
}

// Decodes one UTF-8 sequence strictly, as Java's decoder does; nullopt for a malformed one (Java
// substitutes U+FFFD, which validatePath rejects anyway).
std::optional<char32_t> decode_utf8(std::string_view bytes, std::size_t& at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) {
    ++at;
    return char32_t{lead};
  }
  std::size_t length = 0;
  char32_t low = 0;
  unsigned char min_second = 0x80;
  unsigned char max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, low = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, low = lead & 0x0F;
    if (lead == 0xE0) min_second = 0xA0;  // overlong
    if (lead == 0xED) max_second = 0x9F;  // encoded surrogate
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, low = lead & 0x07;
    if (lead == 0xF0) min_second = 0x90;
    if (lead == 0xF4) max_second = 0x8F;
  } else {
    return std::nullopt;
  }
  if (at + length > bytes.size()) return std::nullopt;
  if (byte(at + 1) < min_second || byte(at + 1) > max_second) return std::nullopt;
  char32_t code_point = low;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return std::nullopt;
    code_point = (code_point << 6) | (byte(at + i) & 0x3F);
  }
  at += length;
  return code_point;
}

// The character ranges PathUtils rejects, applied to UTF-16 units: anything beyond the BMP is a
// surrogate pair in Java and so falls in the rejected 0xD800-0xF8FF range.
bool forbidden_char(char32_t c) {
  return (c > 0x00 && c <= 0x1F) || (c >= 0x7F && c <= 0x9F) || (c >= 0xD800 && c <= 0xF8FF) ||
         (c >= 0xFFF0 && c <= 0xFFFF) || c > 0xFFFF;
}

bool valid_path_chars(const std::vector<char32_t>& chars) {
  const std::size_t n = chars.size();
  const auto ends_name = [&](std::size_t i) { return i + 1 == n || chars[i + 1] == '/'; };
  for (std::size_t i = 1; i < n; ++i) {
    const char32_t c = chars[i];
    const char32_t last = chars[i - 1];
    if (c == 0) return false;
    if (c == '/' && last == '/') return false;  // empty node name
    if (c == '.' && last == '.') {
      if (chars[i - 2] == '/' && ends_name(i)) return false;  // ".."
    } else if (c == '.') {
      if (last == '/' && ends_name(i)) return false;  // "."
    } else if (forbidden_char(c)) {
      return false;
    }
  }
  return true;
}

std::string hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0F]);
  }
  return out;
}

}  // namespace

// ---- Vocabulary ---------------------------------------------------------------------------------

std::string_view to_string(Code code) {
  switch (code) {
    case Code::Ok: return "OK";
    case Code::SystemError: return "SYSTEMERROR";
    case Code::RuntimeInconsistency: return "RUNTIMEINCONSISTENCY";
    case Code::DataInconsistency: return "DATAINCONSISTENCY";
    case Code::ConnectionLoss: return "CONNECTIONLOSS";
    case Code::MarshallingError: return "MARSHALLINGERROR";
    case Code::Unimplemented: return "UNIMPLEMENTED";
    case Code::OperationTimeout: return "OPERATIONTIMEOUT";
    case Code::BadArguments: return "BADARGUMENTS";
    case Code::UnknownSession: return "UNKNOWNSESSION";
    case Code::NewConfigNoQuorum: return "NEWCONFIGNOQUORUM";
    case Code::ReconfigInProgress: return "RECONFIGINPROGRESS";
    case Code::ApiError: return "APIERROR";
    case Code::NoNode: return "NONODE";
    case Code::NoAuth: return "NOAUTH";
    case Code::BadVersion: return "BADVERSION";
    case Code::NoChildrenForEphemerals: return "NOCHILDRENFOREPHEMERALS";
    case Code::NodeExists: return "NODEEXISTS";
    case Code::NotEmpty: return "NOTEMPTY";
    case Code::SessionExpired: return "SESSIONEXPIRED";
    case Code::InvalidCallback: return "INVALIDCALLBACK";
    case Code::InvalidAcl: return "INVALIDACL";
    case Code::AuthFailed: return "AUTHFAILED";
    case Code::SessionMoved: return "SESSIONMOVED";
    case Code::NotReadOnly: return "NOTREADONLY";
    case Code::EphemeralOnLocalSession: return "EPHEMERALONLOCALSESSION";
    case Code::NoWatcher: return "NOWATCHER";
    case Code::RequestTimeout: return "REQUESTTIMEOUT";
    case Code::ReconfigDisabled: return "RECONFIGDISABLED";
    case Code::SessionClosedRequireSaslAuth: return "SESSIONCLOSEDREQUIRESASLAUTH";
    case Code::QuotaExceeded: return "QUOTAEXCEEDED";
    case Code::ThrottledOp: return "THROTTLEDOP";
  }
  return "UNKNOWN";
}

std::string_view to_string(EventType type) {
  switch (type) {
    case EventType::None: return "None";
    case EventType::NodeCreated: return "NodeCreated";
    case EventType::NodeDeleted: return "NodeDeleted";
    case EventType::NodeDataChanged: return "NodeDataChanged";
    case EventType::NodeChildrenChanged: return "NodeChildrenChanged";
  }
  return "Unknown";
}

bool is_valid_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  if (path.size() == 1) return true;  // the root
  if (path.back() == '/') return false;
  std::vector<char32_t> chars;
  chars.reserve(path.size());
  for (std::size_t at = 0; at < path.size();) {
    const auto c = decode_utf8(path, at);
    if (!c) return false;
    chars.push_back(*c);
  }
  return valid_path_chars(chars);
}

std::string sequential_suffix(std::int32_t cversion) {
  char buffer[16];
  const int written = std::snprintf(buffer, sizeof buffer, "%010d", cversion);
  SIM_ASSERT(written >= 10 && written < static_cast<int>(sizeof buffer));
  return buffer;
}

// ---- Construction -------------------------------------------------------------------------------

DataTree::DataTree() {
  nodes_.emplace("/", Node{});
  add_system_node("/", "zookeeper", perms::kAll);
  add_system_node("/zookeeper", "quota", perms::kAll);
  add_system_node("/zookeeper", "config", perms::kRead);
}

// The system nodes are linked in without a create, so their parents' stored cversion stays 0 while
// they have children: that is why `stat /` shows cversion -1 and `stat /zookeeper` -2.
void DataTree::add_system_node(const std::string& parent, const std::string& name, std::uint8_t world_perms) {
  Node* parent_node = find(parent);
  SIM_ASSERT(parent_node != nullptr);
  parent_node->children.insert(name);
  Node node;
  node.world_perms = world_perms;
  nodes_.emplace(parent == "/" ? "/" + name : parent + "/" + name, std::move(node));
}

// nodes.get(""): ZooKeeper keeps "" as an alias of the root.
DataTree::Node* DataTree::find(std::string_view path) {
  auto found = nodes_.find(path.empty() ? std::string_view("/") : path);
  return found == nodes_.end() ? nullptr : &found->second;
}

const DataTree::Node* DataTree::find(std::string_view path) const {
  auto found = nodes_.find(path.empty() ? std::string_view("/") : path);
  return found == nodes_.end() ? nullptr : &found->second;
}

// DataNode.copyStat.
Stat DataTree::client_stat(const Node& node) {
  Stat stat;
  stat.czxid = node.stat.czxid;
  stat.mzxid = node.stat.mzxid;
  stat.ctime = node.stat.ctime;
  stat.mtime = node.stat.mtime;
  stat.version = node.stat.version;
  stat.aversion = node.stat.aversion;
  stat.pzxid = node.stat.pzxid;
  // Containers carry a sentinel owner that clients must not mistake for a session.
  const bool owned = ephemeral_type(node.stat.ephemeral_owner) == EphemeralType::Normal;
  stat.ephemeral_owner = owned ? node.stat.ephemeral_owner : 0;
  stat.data_length = node.data ? static_cast<std::int32_t>(node.data->size()) : 0;
  stat.num_children = static_cast<std::int32_t>(node.children.size());
  // Stored creates -> client-visible changes: every create not matched by a live child was deleted.
  stat.cversion = wrapping_add(wrapping_add(node.stat.cversion, node.stat.cversion), -stat.num_children);
  return stat;
}

// ---- Reads --------------------------------------------------------------------------------------

GetDataResponse DataTree::get_data(std::string_view path, std::optional<WatcherId> watcher) {
  const Node* node = find(path);
  if (node == nullptr) return {Code::NoNode, std::nullopt, {}};
  if (watcher) data_watches_.add(std::string(path), *watcher);
  return {Code::Ok, node->data, client_stat(*node)};
}

ExistsResponse DataTree::exists(std::string_view path, std::optional<WatcherId> watcher) {
  if (contains_nul(path)) return {Code::BadArguments, {}};
  if (watcher) data_watches_.add(std::string(path), *watcher);
  const Node* node = find(path);
  if (node == nullptr) return {Code::NoNode, {}};
  return {Code::Ok, client_stat(*node)};
}

GetChildrenResponse DataTree::get_children(std::string_view path, std::optional<WatcherId> watcher) {
  const Node* node = find(path);
  if (node == nullptr) return {Code::NoNode, {}, {}};
  if (watcher) child_watches_.add(std::string(path), *watcher);
  return {Code::Ok, {node->children.begin(), node->children.end()}, client_stat(*node)};
}

// ---- Prep ---------------------------------------------------------------------------------------

Txn DataTree::prepare(SessionId session, const WriteRequest& request, Zxid zxid, WallTimeMs time) {
  SIM_ASSERT(zxid > last_processed_zxid_);
  SIM_ASSERT(outstanding_.in_order.empty() || zxid > outstanding_.in_order.back().zxid);
  try {
    return std::visit(
        Overloaded{
            [&](const CreateRequest& r) -> Txn { return prep_create(session, r, zxid, time); },
            [&](const DeleteRequest& r) -> Txn { return prep_delete(r, zxid); },
            [&](const SetDataRequest& r) -> Txn { return prep_set_data(r, zxid, time); },
            [&](const CheckRequest& r) -> Txn { return prep_check(r); },
            [&](const MultiRequest& r) -> Txn { return prep_multi(session, r, zxid, time); },
            [&](const CloseSessionRequest&) -> Txn { return prep_close_session(session, zxid); },
            [&](const DeleteContainerRequest& r) -> Txn { return prep_delete_container(r, zxid); },
        },
        request);
  } catch (const KeeperError& error) {
    return ErrorTxn{error.code};
  }
}

SubTxn DataTree::prep_op(SessionId session, const MultiOp& op, Zxid zxid, WallTimeMs time) {
  return std::visit(Overloaded{
                        [&](const CreateRequest& r) -> SubTxn { return prep_create(session, r, zxid, time); },
                        [&](const DeleteRequest& r) -> SubTxn { return prep_delete(r, zxid); },
                        [&](const SetDataRequest& r) -> SubTxn { return prep_set_data(r, zxid, time); },
                        [&](const CheckRequest& r) -> SubTxn { return prep_check(r); },
                    },
                    op);
}

// getRecordForPath without the NoNode: the latest outstanding change, else the tree's node.
std::optional<DataTree::ChangeRecord> DataTree::current_record(const std::string& path) const {
  auto pending = outstanding_.by_path.find(path);
  if (pending != outstanding_.by_path.end()) return pending->second;
  const Node* node = find(path);
  if (node == nullptr) return std::nullopt;
  ChangeRecord record;
  record.path = path;
  record.stat = node->stat;
  record.child_count = static_cast<std::int32_t>(node->children.size());
  record.data = node->data;
  record.world_perms = node->world_perms;
  return record;
}

DataTree::ChangeRecord DataTree::existing_record(const std::string& path) const {
  auto record = current_record(path);
  if (!record || !record->stat) fail(Code::NoNode);
  return *record;
}

// Order of checks as in pRequest2TxnCreate: TTL, path shape, parent, ACL, suffix, validatePath,
// NodeExists, ephemeral parent.
CreateTxn DataTree::prep_create(SessionId session, const CreateRequest& request, Zxid zxid, WallTimeMs time) {
  if (is_ttl(request.mode)) fail(Code::Unimplemented);
  const std::string parent_path = parent_for_create(request.path);
  ChangeRecord parent = existing_record(parent_path);
  require_permission(parent.world_perms, perms::kCreate);
  std::string path = request.path;
  if (is_sequential(request.mode)) path += sequential_suffix(parent.stat->cversion);
  require_valid_path(path);
  if (auto existing = current_record(path); existing && existing->stat) fail(Code::NodeExists);
  if (ephemeral_type(parent.stat->ephemeral_owner) == EphemeralType::Normal) fail(Code::NoChildrenForEphemerals);

  const std::int32_t new_cversion = wrapping_add(parent.stat->cversion, 1);
  NodeKind kind = NodeKind::Persistent;
  SessionId owner = 0;
  if (is_container(request.mode)) {
    kind = NodeKind::Container, owner = kContainerEphemeralOwner;
  } else if (is_ephemeral(request.mode)) {
    SIM_ASSERT_MSG(session != 0, "session 0 cannot own ephemerals");
    kind = NodeKind::Ephemeral, owner = session;
  }
  parent.zxid = zxid;
  parent.child_count += 1;
  parent.stat->cversion = new_cversion;
  parent.stat->pzxid = zxid;
  add_change(std::move(parent));
  ChangeRecord node;
  node.zxid = zxid;
  node.path = path;
  node.stat = new_stat(zxid, time, owner);
  node.data = request.data;
  add_change(std::move(node));
  return CreateTxn{path, request.data, kind, new_cversion};
}

// Order of checks as in pRequest2Txn(delete): path shape and special paths, parent, ACL on the
// parent, node, version, then children: a wrong version beats NotEmpty.
DeleteTxn DataTree::prep_delete(const DeleteRequest& request, Zxid zxid) {
  const std::string parent_path = parent_for_delete(request.path);
  ChangeRecord parent = existing_record(parent_path);
  require_permission(parent.world_perms, perms::kDelete);
  const ChangeRecord node = existing_record(request.path);
  check_and_inc_version(node.stat->version, request.version);
  if (node.child_count > 0) fail(Code::NotEmpty);
  record_child_removal(std::move(parent), request.path, zxid, true);
  return DeleteTxn{request.path};
}

// Issued by ContainerManager: no ACL or version; refuses only ephemeral nodes (as BadVersion).
DeleteTxn DataTree::prep_delete_container(const DeleteContainerRequest& request, Zxid zxid) {
  const std::string parent_path = parent_for_delete(request.path);
  const ChangeRecord node = existing_record(request.path);
  if (node.child_count > 0) fail(Code::NotEmpty);
  if (ephemeral_type(node.stat->ephemeral_owner) == EphemeralType::Normal) fail(Code::BadVersion);
  record_child_removal(existing_record(parent_path), request.path, zxid, true);
  return DeleteTxn{request.path};
}

// The parent's pending pzxid (and child count, except for closeSession, whose records leave the
// count alone) plus the child's pending delete.
void DataTree::record_child_removal(ChangeRecord parent, const std::string& path, Zxid zxid, bool count_it) {
  parent.zxid = zxid;
  if (count_it) parent.child_count -= 1;
  parent.stat->pzxid = zxid;
  add_change(std::move(parent));
  ChangeRecord removed;
  removed.zxid = zxid;
  removed.path = path;
  add_change(std::move(removed));
}

SetDataTxn DataTree::prep_set_data(const SetDataRequest& request, Zxid zxid, WallTimeMs time) {
  require_valid_path(request.path);
  ChangeRecord node = existing_record(request.path);
  require_permission(node.world_perms, perms::kWrite);
  const std::int32_t new_version = check_and_inc_version(node.stat->version, request.version);
  node.zxid = zxid;
  node.stat->version = new_version;
  node.stat->mtime = time;
  node.stat->mzxid = zxid;
  node.data = request.data;
  add_change(std::move(node));
  return SetDataTxn{request.path, request.data, new_version};
}

CheckVersionTxn DataTree::prep_check(const CheckRequest& request) const {
  require_valid_path(request.path);
  const ChangeRecord node = existing_record(request.path);
  require_permission(node.world_perms, perms::kRead);
  return CheckVersionTxn{request.path, check_and_inc_version(node.stat->version, request.version)};
}

// Each op is prepped against the changes of the ops before it. At the first failure the multi's
// change records are rolled back; later ops are not examined and become RuntimeInconsistency.
MultiTxn DataTree::prep_multi(SessionId session, const MultiRequest& request, Zxid zxid, WallTimeMs time) {
  const Outstanding before = outstanding_;
  MultiTxn txn;
  bool failed = false;
  for (const MultiOp& op : request.ops) {
    if (failed) {
      txn.txns.emplace_back(ErrorTxn{Code::RuntimeInconsistency});
      continue;
    }
    try {
      txn.txns.push_back(prep_op(session, op, zxid, time));
    } catch (const KeeperError& error) {
      failed = true;
      txn.txns.emplace_back(ErrorTxn{error.code});
      outstanding_ = before;
    }
  }
  return txn;
}

// The session's ephemerals as they will be once every outstanding change applies, in the order
// PrepRequestProcessor lists them: a clone of the applied tree's HashSet (DataTree.getEphemerals),
// minus pending deletes and plus pending ephemerals of the session, iterated as a Java HashSet.
CloseSessionTxn DataTree::prep_close_session(SessionId session, Zxid zxid) {
  JavaStringHashSet es;
  if (auto owned = ephemerals_.find(session); owned != ephemerals_.end()) es = owned->second.clone();
  for (const ChangeRecord& change : outstanding_.in_order) {
    if (!change.stat) {
      es.remove(change.path);
    } else if (change.stat->ephemeral_owner == session) {
      es.add(change.path);
    }
  }
  const std::vector<std::string> doomed = es.in_iteration_order();
  const Outstanding before = outstanding_;
  try {
    for (const std::string& path : doomed) {
      record_child_removal(existing_record(parent_for_delete(path)), path, zxid, false);
    }
  } catch (const KeeperError&) {
    outstanding_ = before;
    throw;
  }
  return CloseSessionTxn{doomed};
}

void DataTree::add_change(ChangeRecord record) {
  SIM_ASSERT(record.zxid > 0);
  record.id = outstanding_.next_id++;
  outstanding_.by_path[record.path] = record;
  outstanding_.in_order.push_back(std::move(record));
}

// A record is forgotten once its txn applied; the per-path entry only if no later change replaced it.
void DataTree::retire_outstanding(Zxid zxid) {
  auto& in_order = outstanding_.in_order;
  while (!in_order.empty() && in_order.front().zxid <= zxid) {
    const ChangeRecord& oldest = in_order.front();
    auto latest = outstanding_.by_path.find(oldest.path);
    if (latest != outstanding_.by_path.end() && latest->second.id == oldest.id) {
      outstanding_.by_path.erase(latest);
    }
    in_order.pop_front();
  }
}

void DataTree::drop_outstanding_changes() { outstanding_ = Outstanding{}; }

// ---- Apply --------------------------------------------------------------------------------------

TxnResult DataTree::apply(const TxnHeader& header, const Txn& txn) {
  SIM_ASSERT_MSG(header.zxid > last_processed_zxid_, "txns apply in strictly increasing zxid order");
  TxnResult result;
  const auto take = [&](const OpResult& op) {
    result.err = op.err;
    result.path = op.path;
    result.stat = op.stat;
  };
  std::visit(Overloaded{
                 [&](const MultiTxn& multi) { apply_multi(header, multi, result); },
                 [&](const CloseSessionTxn& close) { apply_close_session(header, close, result); },
                 [&](const CreateTxn& t) { take(apply_op(header, t, result.events)); },
                 [&](const DeleteTxn& t) { take(apply_op(header, t, result.events)); },
                 [&](const SetDataTxn& t) { take(apply_op(header, t, result.events)); },
                 [&](const CheckVersionTxn& t) { take(apply_op(header, t, result.events)); },
                 [&](const ErrorTxn& t) { take(apply_op(header, t, result.events)); },
             },
             txn);
  last_processed_zxid_ = header.zxid;
  retire_outstanding(header.zxid);
  return result;
}

TxnResult DataTree::submit(SessionId session, const WriteRequest& request, Zxid zxid, WallTimeMs time) {
  const Txn txn = prepare(session, request, zxid, time);
  return apply(TxnHeader{session, zxid, time}, txn);
}

TxnResult DataTree::kill_session(SessionId session, Zxid zxid) {
  // The closeSession header's time stamps nothing in the tree.
  return submit(session, CloseSessionRequest{}, zxid, 0);
}

OpResult DataTree::apply_op(const TxnHeader& header, const SubTxn& txn, std::vector<WatchEvent>& events) {
  try {
    return std::visit(
        Overloaded{
            [&](const CreateTxn& t) { return create_node(header, t, events); },
            [&](const DeleteTxn& t) {
              delete_node(t.path, header.zxid, events);
              return OpResult{OpType::Delete, Code::Ok, t.path, std::nullopt};
            },
            [&](const SetDataTxn& t) {
              return OpResult{OpType::SetData, Code::Ok, t.path, set_node_data(t, header, events)};
            },
            [&](const CheckVersionTxn& t) { return OpResult{OpType::Check, Code::Ok, t.path, std::nullopt}; },
            [&](const ErrorTxn& t) { return OpResult{OpType::Error, t.err, {}, std::nullopt}; },
        },
        txn);
  } catch (const KeeperError& error) {
    // processTxn keeps the op's type and path and records the code (only a replica whose tree
    // diverged from the leader's view can get here).
    return std::visit(
        Overloaded{
            [&](const CreateTxn& t) { return OpResult{OpType::Create, error.code, t.path, std::nullopt}; },
            [&](const DeleteTxn& t) { return OpResult{OpType::Delete, error.code, t.path, std::nullopt}; },
            [&](const SetDataTxn& t) { return OpResult{OpType::SetData, error.code, t.path, std::nullopt}; },
            [&](const CheckVersionTxn& t) { return OpResult{OpType::Check, error.code, t.path, std::nullopt}; },
            [&](const ErrorTxn&) { return OpResult{OpType::Error, error.code, {}, std::nullopt}; },
        },
        txn);
  }
}

// DataTree.createNode. The parent's cversion only moves forward, as when replaying over a fuzzy
// snapshot; at Integer.MAX_VALUE that means it stops (the next sequential create collides).
OpResult DataTree::create_node(const TxnHeader& header, const CreateTxn& txn, std::vector<WatchEvent>& events) {
  const auto [parent_path, name] = split_parent(txn.path);
  Node* parent = find(parent_path);
  if (parent == nullptr) fail(Code::NoNode);
  if (find(txn.path) != nullptr) fail(Code::NodeExists);
  const std::int32_t parent_cversion =
      txn.parent_cversion == -1 ? wrapping_add(parent->stat.cversion, 1) : txn.parent_cversion;
  if (parent_cversion > parent->stat.cversion) {
    parent->stat.cversion = parent_cversion;
    parent->stat.pzxid = header.zxid;
  }
  parent->children.insert(name);
  SessionId owner = 0;
  if (txn.kind == NodeKind::Ephemeral) {
    SIM_ASSERT_MSG(header.session != 0, "session 0 cannot own ephemerals");
    owner = header.session;
    ephemerals_[owner].add(txn.path);
  } else if (txn.kind == NodeKind::Container) {
    owner = kContainerEphemeralOwner;
    containers_.insert(txn.path);
  }
  Node& node = nodes_[txn.path];
  node.data = txn.data;
  node.stat = new_stat(header.zxid, header.time, owner);
  const Stat stat = client_stat(node);
  fire(data_watches_, txn.path, EventType::NodeCreated, events);
  fire(child_watches_, parent_event_path(parent_path), EventType::NodeChildrenChanged, events);
  return OpResult{OpType::Create, Code::Ok, txn.path, stat};
}

// DataTree.deleteNode. The parent is updated before the node is looked up, so a delete of a
// missing child still advances the parent's pzxid. The node's data and child watchers get one
// NodeDeleted between them; then the parent's child watchers get NodeChildrenChanged.
void DataTree::delete_node(const std::string& path, Zxid zxid, std::vector<WatchEvent>& events) {
  SIM_ASSERT_MSG(path != "/" && !path.empty(), "the root cannot be deleted");
  const auto [parent_path, name] = split_parent(path);
  Node* parent = find(parent_path);
  if (parent == nullptr) fail(Code::NoNode);
  parent->children.erase(name);
  if (zxid > parent->stat.pzxid) parent->stat.pzxid = zxid;
  auto found = nodes_.find(path);
  if (found == nodes_.end()) fail(Code::NoNode);
  SIM_ASSERT_MSG(found->second.children.empty(), "prep lets only childless nodes be deleted");
  forget_owner(path, found->second.stat.ephemeral_owner);
  nodes_.erase(found);
  const auto notified = fire(data_watches_, path, EventType::NodeDeleted, events);
  fire(child_watches_, path, EventType::NodeDeleted, events, notified);
  fire(child_watches_, parent_event_path(parent_path), EventType::NodeChildrenChanged, events);
}

void DataTree::forget_owner(const std::string& path, SessionId owner) {
  if (ephemeral_type(owner) == EphemeralType::Container) {
    containers_.erase(path);
    return;
  }
  auto owned = ephemerals_.find(owner);
  if (owned == ephemerals_.end()) return;
  // The emptied set stays (DataTree.deleteNode), with its table: its capacity still orders a
  // later clone's entries.
  owned->second.remove(path);
}

// DataTree.setData: the version is the one prep computed, not re-checked.
Stat DataTree::set_node_data(const SetDataTxn& txn, const TxnHeader& header, std::vector<WatchEvent>& events) {
  Node* node = find(txn.path);
  if (node == nullptr) fail(Code::NoNode);
  node->data = txn.data;
  node->stat.mtime = header.time;
  node->stat.mzxid = header.zxid;
  node->stat.version = txn.version;
  const Stat stat = client_stat(*node);
  fire(data_watches_, txn.path, EventType::NodeDataChanged, events);
  return stat;
}

// processTxn(multi): if any sub-txn is an error nothing is applied; the ops before the failing one
// report Ok, the failing one its code, the ones after RuntimeInconsistency.
void DataTree::apply_multi(const TxnHeader& header, const MultiTxn& txn, TxnResult& result) {
  const auto is_error = [](const SubTxn& sub) { return std::holds_alternative<ErrorTxn>(sub); };
  const bool failed = std::any_of(txn.txns.begin(), txn.txns.end(), is_error);
  bool past_failure = false;
  for (const SubTxn& sub : txn.txns) {
    if (is_error(sub)) past_failure = true;
    const SubTxn effective =
        failed && !is_error(sub) ? SubTxn{ErrorTxn{past_failure ? Code::RuntimeInconsistency : Code::Ok}} : sub;
    OpResult op = apply_op(header, effective, result.events);
    if (op.err != Code::Ok && result.err == Code::Ok) result.err = op.err;
    result.multi.push_back(std::move(op));
  }
}

// DataTree.killSession: the listed paths first, then any ephemeral the replica still has for the
// session that the list missed (in its HashSet's order); a path already gone is skipped.
void DataTree::apply_close_session(const TxnHeader& header, const CloseSessionTxn& txn, TxnResult& result) {
  JavaStringHashSet leftovers;
  if (auto owned = ephemerals_.find(header.session); owned != ephemerals_.end()) {
    leftovers = std::move(owned->second);
    ephemerals_.erase(owned);
  }
  const auto try_delete = [&](const std::string& path) {
    try {
      delete_node(path, header.zxid, result.events);
      result.deleted.push_back(path);
    } catch (const KeeperError& error) {
      SIM_ASSERT(error.code == Code::NoNode);
    }
  };
  for (const std::string& path : txn.paths_to_delete) {
    try_delete(path);
    leftovers.remove(path);
  }
  for (const std::string& path : leftovers.in_iteration_order()) try_delete(path);
}

std::vector<WatchEvent> DataTree::init_config_node(std::string config, Zxid config_version, WallTimeMs time) {
  SIM_ASSERT(find("/zookeeper/config") != nullptr);  // a special path: nothing can delete it
  std::vector<WatchEvent> events;
  const TxnHeader header{0, config_version, time};
  set_node_data(SetDataTxn{"/zookeeper/config", std::move(config), -1}, header, events);
  return events;
}

// ---- Watches ------------------------------------------------------------------------------------

std::set<WatcherId> DataTree::fire(WatchManager& table, const std::string& path, EventType type,
                                   std::vector<WatchEvent>& events, const std::set<WatcherId>& suppressed) {
  const std::vector<WatcherId> fired = table.trigger(path);
  for (WatcherId watcher : fired) {
    if (suppressed.count(watcher) == 0) events.push_back(WatchEvent{watcher, type, path});
  }
  return {fired.begin(), fired.end()};
}

// DataTree.setWatches, list by list in the order given.
std::vector<WatchEvent> DataTree::set_watches(WatcherId watcher, const SetWatchesRequest& request) {
  std::vector<WatchEvent> events;
  const auto notify = [&](EventType type, const std::string& path) {
    events.push_back(WatchEvent{watcher, type, path});
  };
  for (const std::string& path : request.data_watches) {
    const Node* node = find(path);
    if (node == nullptr) {
      notify(EventType::NodeDeleted, path);
    } else if (node->stat.mzxid > request.relative_zxid) {
      notify(EventType::NodeDataChanged, path);
    } else {
      data_watches_.add(path, watcher);
    }
  }
  for (const std::string& path : request.exist_watches) {
    if (find(path) != nullptr) {
      notify(EventType::NodeCreated, path);
    } else {
      data_watches_.add(path, watcher);
    }
  }
  for (const std::string& path : request.child_watches) {
    const Node* node = find(path);
    if (node == nullptr) {
      notify(EventType::NodeDeleted, path);
    } else if (node->stat.pzxid > request.relative_zxid) {
      notify(EventType::NodeChildrenChanged, path);
    } else {
      child_watches_.add(path, watcher);
    }
  }
  return events;
}

bool DataTree::remove_watch(std::string_view path, WatcherType type, WatcherId watcher) {
  const std::string key(path);
  switch (type) {
    case WatcherType::Children: return child_watches_.remove(key, watcher);
    case WatcherType::Data: return data_watches_.remove(key, watcher);
    case WatcherType::Any: {
      const bool child = child_watches_.remove(key, watcher);
      const bool data = data_watches_.remove(key, watcher);
      return child || data;
    }
  }
  SIM_ASSERT_MSG(false, "unknown watcher type");
  return false;
}

bool DataTree::has_watch(std::string_view path, WatcherType type, WatcherId watcher) const {
  const std::string key(path);
  const bool child = child_watches_.contains(key, watcher);
  const bool data = data_watches_.contains(key, watcher);
  switch (type) {
    case WatcherType::Children: return child;
    case WatcherType::Data: return data;
    case WatcherType::Any: return child || data;
  }
  return false;
}

void DataTree::remove_watcher(WatcherId watcher) {
  data_watches_.remove_watcher(watcher);
  child_watches_.remove_watcher(watcher);
}

// ---- Inspection ---------------------------------------------------------------------------------

std::optional<Stat> DataTree::stat(std::string_view path) const {
  const Node* node = find(path);
  if (node == nullptr) return std::nullopt;
  return client_stat(*node);
}

std::optional<StatPersisted> DataTree::persisted_stat(std::string_view path) const {
  const Node* node = find(path);
  if (node == nullptr) return std::nullopt;
  return node->stat;
}

std::vector<std::string> DataTree::ephemerals(SessionId session) const {
  auto owned = ephemerals_.find(session);
  if (owned == ephemerals_.end()) return {};
  std::vector<std::string> paths = owned->second.in_iteration_order();
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::vector<std::pair<std::string_view, SessionId>> DataTree::children_with_owners(std::string_view path) const {
  std::vector<std::pair<std::string_view, SessionId>> children;
  const Node* parent = find(path);
  if (parent == nullptr) return children;
  children.reserve(parent->children.size());
  std::string child_path(path);
  if (child_path != "/") child_path.push_back('/');
  const std::size_t prefix_size = child_path.size();
  for (const std::string& name : parent->children) {
    child_path.resize(prefix_size);
    child_path += name;
    const Node* child = find(child_path);
    SIM_ASSERT(child != nullptr);
    children.emplace_back(name, child->stat.ephemeral_owner);
  }
  return children;
}

std::vector<std::string> DataTree::container_candidates() const {
  std::vector<std::string> candidates;
  for (const std::string& path : containers_) {
    const Node* node = find(path);
    SIM_ASSERT(node != nullptr);
    if (node->children.empty() && node->stat.cversion > 0) candidates.push_back(path);
  }
  return candidates;
}

std::string DataTree::dump() const {
  std::string out;
  for (const auto& [path, node] : nodes_) {
    const StatPersisted& s = node.stat;
    out += path + " czxid=" + std::to_string(s.czxid) + " mzxid=" + std::to_string(s.mzxid) +
           " ctime=" + std::to_string(s.ctime) + " mtime=" + std::to_string(s.mtime) +
           " version=" + std::to_string(s.version) + " cversion=" + std::to_string(s.cversion) +
           " aversion=" + std::to_string(s.aversion) + " owner=" + std::to_string(s.ephemeral_owner) +
           " pzxid=" + std::to_string(s.pzxid) + " perms=" + std::to_string(node.world_perms) +
           " data=" + (node.data ? hex(*node.data) : std::string("null")) + " children=";
    for (const std::string& child : node.children) out += child + ",";
    out += "\n";
  }
  for (const auto& [session, set] : ephemerals_) {
    if (set.empty()) continue;
    out += "ephemerals " + std::to_string(session) + ":";
    for (const std::string& path : ephemerals(session)) out += " " + path;
    out += "\n";
  }
  for (const std::string& path : containers_) out += "container " + path + "\n";
  return out;
}

}  // namespace model::zk
