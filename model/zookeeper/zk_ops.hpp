#pragma once
// Write requests, the txns the leader derives from them, and the results of applying a txn.
//
// ZooKeeper splits a write in two: the leader's PrepRequestProcessor validates the request against
// the tree plus its not-yet-applied ("outstanding") changes and turns it into a txn, which may be an
// ErrorTxn; every replica then applies the committed txn (DataTree.processTxn). A failed write is
// still a txn: it is proposed, consumes a zxid and is applied as an error (ProposalRequestProcessor
// proposes every request that has a header). These types mirror that split.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "model/zookeeper/zk_types.hpp"

namespace model::zk {

// ---- Requests (client intent) -------------------------------------------------------------

// ACLs are not carried: every client-created node gets world:anyone with all permissions, which is
// what Flink/Curator use by default (OPEN_ACL_UNSAFE). TTLs are not carried either: TTL modes are
// refused as the default server does (extendedTypesEnabled=false -> Unimplemented).
struct CreateRequest {
  std::string path;
  Data data;
  CreateMode mode = CreateMode::Persistent;
};

struct DeleteRequest {
  std::string path;
  std::int32_t version = -1;  // -1 matches any version
};

struct SetDataRequest {
  std::string path;
  Data data;
  std::int32_t version = -1;
};

// Op.check: a version assertion, only meaningful inside a multi.
struct CheckRequest {
  std::string path;
  std::int32_t version = -1;
};

using MultiOp = std::variant<CreateRequest, DeleteRequest, SetDataRequest, CheckRequest>;

struct MultiRequest {
  std::vector<MultiOp> ops;
};

// Explicit close or expiry: both become one closeSession txn deleting the session's ephemerals.
struct CloseSessionRequest {};

// Issued by the server's own ContainerManager (session 0), never by a client.
struct DeleteContainerRequest {
  std::string path;
};

using WriteRequest = std::variant<CreateRequest, DeleteRequest, SetDataRequest, CheckRequest,
                                  MultiRequest, CloseSessionRequest, DeleteContainerRequest>;

// ---- Txns (what the quorum agrees on) -------------------------------------------------------

enum class NodeKind : std::uint8_t { Persistent, Ephemeral, Container };

// CreateTxn / CreateContainerTxn. parent_cversion is the parent's create counter after this create,
// computed at prep time; the ephemeral owner is the txn header's session.
struct CreateTxn {
  std::string path;  // final path, sequence suffix included
  Data data;
  NodeKind kind = NodeKind::Persistent;
  std::int32_t parent_cversion = 0;
};

struct DeleteTxn {
  std::string path;
};

struct SetDataTxn {
  std::string path;
  Data data;
  std::int32_t version = 0;  // the node's new version
};

struct CheckVersionTxn {
  std::string path;
  std::int32_t version = 0;
};

struct ErrorTxn {
  Code err = Code::Ok;
};

using SubTxn = std::variant<CreateTxn, DeleteTxn, SetDataTxn, CheckVersionTxn, ErrorTxn>;

struct MultiTxn {
  std::vector<SubTxn> txns;
};

// closeSessionTxn.enabled defaults to true in 3.8, so the leader lists the paths to delete.
struct CloseSessionTxn {
  std::vector<std::string> paths_to_delete;
};

using Txn = std::variant<CreateTxn, DeleteTxn, SetDataTxn, CheckVersionTxn, ErrorTxn, MultiTxn,
                         CloseSessionTxn>;

struct TxnHeader {
  SessionId session = 0;
  Zxid zxid = 0;
  WallTimeMs time = 0;
};

// ---- Results ---------------------------------------------------------------------------------

enum class OpType : std::uint8_t { Create, Delete, SetData, Check, Error };

// One entry of a multi's response (CreateResult, DeleteResult, SetDataResult, CheckResult,
// ErrorResult). For an Error entry `err` is the code the client sees for that op.
struct OpResult {
  OpType type = OpType::Error;
  Code err = Code::Ok;
  std::string path;          // Create: the created path (with suffix)
  std::optional<Stat> stat;  // Create (create2 semantics), SetData
  bool operator==(const OpResult&) const = default;
};

struct TxnResult {
  // Single op: its code. Multi: the first non-Ok sub-result, as both clients report it (the reply
  // header of a multi itself carries Ok; the codes travel in the per-op results).
  Code err = Code::Ok;
  std::string path;          // create: the created path
  std::optional<Stat> stat;  // create (create2 semantics) and setData
  std::vector<OpResult> multi;
  std::vector<std::string> deleted;  // closeSession: the ephemerals deleted, in deletion order
  // Notifications this txn triggered on this server, in the order the server sends them. Each
  // must reach its connection before any response that follows this txn.
  std::vector<WatchEvent> events;
};

// ---- Reads -----------------------------------------------------------------------------------

struct GetDataResponse {
  Code err = Code::Ok;
  Data data;
  Stat stat;
};

struct ExistsResponse {
  Code err = Code::Ok;
  Stat stat;
};

struct GetChildrenResponse {
  Code err = Code::Ok;
  // Sorted. The real server returns its HashSet's order, which is unspecified; the conformance
  // comparison sorts both sides.
  std::vector<std::string> children;
  Stat stat;  // getChildren2
};

// SetWatches(2) after a reconnect: the watches the client still holds, and the last zxid it saw.
struct SetWatchesRequest {
  Zxid relative_zxid = 0;
  std::vector<std::string> data_watches;
  std::vector<std::string> exist_watches;
  std::vector<std::string> child_watches;
};

}  // namespace model::zk
