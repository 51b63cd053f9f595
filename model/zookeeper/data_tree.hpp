#pragma once
// The ZooKeeper 3.8 server's data tree, as a pure deterministic structure: zxids and times are
// passed in, nothing is read from the world. It reproduces three server classes:
//   - PrepRequestProcessor (leader only): `prepare` validates a write against the tree plus the
//     outstanding changes of txns prepared but not yet applied, and yields a txn (maybe ErrorTxn);
//   - DataTree.processTxn (every replica): `apply` applies a committed txn and fires watches;
//   - FinalRequestProcessor's reads on the server a client is connected to: `get_data`, `exists`,
//     `get_children`.
// `submit` is prepare + apply for callers that do not pipeline.
//
// Fidelity notes, each checked against the 3.8 source:
//   - cversion is stored as a count of child creates; the client sees 2*creates - numChildren,
//     i.e. creates + deletes (DataNode.copyStat). Sequential suffixes use the stored create count,
//     so the root's first sequential child is ...0000000000 although `stat /` shows cversion -1.
//   - The tree starts with /zookeeper, /zookeeper/quota and /zookeeper/config; the config node is
//     read-only for world:anyone (ZOOKEEPER-2014), everything else is world:anyone ALL.
//   - Failed writes are txns too: they consume a zxid and advance last_processed_zxid.
// Not modelled: ACL schemes other than world:anyone, quotas (enforceQuota=false by default, so
// they never fail a request), TTL nodes (refused with Unimplemented as with the default
// extendedTypesEnabled=false), persistent/recursive watches, the tree digest, fuzzy-snapshot replay
// (the NodeExists cversion fix-up in processTxn), session checks (SessionExpired, SessionMoved,
// EphemeralOnLocalSession: the session tracker's job, done before `prepare`).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model/zookeeper/java_hash_set.hpp"
#include "model/zookeeper/watch_manager.hpp"
#include "model/zookeeper/zk_ops.hpp"
#include "model/zookeeper/zk_types.hpp"

namespace model::zk {

// What the server stores per node (zookeeper.jute `StatPersisted`): no dataLength/numChildren,
// and cversion counts creates only.
struct StatPersisted {
  Zxid czxid = 0;
  Zxid mzxid = 0;
  WallTimeMs ctime = 0;
  WallTimeMs mtime = 0;
  std::int32_t version = 0;
  std::int32_t cversion = 0;
  std::int32_t aversion = 0;
  SessionId ephemeral_owner = 0;
  Zxid pzxid = 0;
  bool operator==(const StatPersisted&) const = default;
};

// EphemeralType.CONTAINER_EPHEMERAL_OWNER: containers are marked by this owner value.
inline constexpr SessionId kContainerEphemeralOwner = INT64_MIN;

// PathUtils.validatePath on the path as the Java server decodes it from UTF-8.
bool is_valid_path(std::string_view path);

// String.format("%010d", cversion): ten digits, zero-padded after the sign ("-000000001"); values
// needing more digits are not truncated ("-2147483648").
std::string sequential_suffix(std::int32_t cversion);

class DataTree {
 public:
  DataTree();

  // ---- Reads. A watch is registered under the path exactly as given.
  // getData: NoNode sets no watch.
  GetDataResponse get_data(std::string_view path, std::optional<WatcherId> watcher);
  // exists: the watch is registered whether or not the node exists (that is how one waits for a
  // create). A path containing NUL is BadArguments.
  ExistsResponse exists(std::string_view path, std::optional<WatcherId> watcher);
  // getChildren2: NoNode sets no watch.
  GetChildrenResponse get_children(std::string_view path, std::optional<WatcherId> watcher);

  // ---- Writes.
  // `zxid` and `time` are what the leader stamps on the txn header; zxid must exceed every zxid
  // applied or prepared before. A multi's ops share its zxid.
  Txn prepare(SessionId session, const WriteRequest& request, Zxid zxid, WallTimeMs time);
  // Applies committed txns in strictly increasing zxid order, and retires the outstanding changes
  // they cover (ZooKeeperServer.processTxn).
  TxnResult apply(const TxnHeader& header, const Txn& txn);
  TxnResult submit(SessionId session, const WriteRequest& request, Zxid zxid, WallTimeMs time);
  // closeSession (explicit close or expiry): deletes the session's ephemerals in Java HashSet order.
  // `deleted` lists them; `events` the watches their deletion fired. Watches held by the session's
  // connection are not removed here: the connection's close does that (remove_watcher).
  TxnResult kill_session(SessionId session, Zxid zxid);
  // A leader that stops leading loses its outstanding changes (a new ZooKeeperServer is built).
  void drop_outstanding_changes();
  std::size_t outstanding_change_count() const { return outstanding_.in_order.size(); }

  // QuorumPeer startup (ZKDatabase.initConfigInZKDatabase) writes the dynamic configuration into
  // /zookeeper/config with version -1 and mzxid = the config's version.
  std::vector<WatchEvent> init_config_node(std::string config, Zxid config_version, WallTimeMs time);

  // ---- Watches.
  // SetWatches after a reconnect: fires at once what the client missed, re-registers the rest.
  std::vector<WatchEvent> set_watches(WatcherId watcher, const SetWatchesRequest& request);
  // removeWatches; false means the server answers NoWatcher.
  bool remove_watch(std::string_view path, WatcherType type, WatcherId watcher);
  bool has_watch(std::string_view path, WatcherType type, WatcherId watcher) const;
  // The connection closed (DataTree.removeCnxn).
  void remove_watcher(WatcherId watcher);
  std::size_t watch_count() const { return data_watches_.size() + child_watches_.size(); }

  // ---- Inspection: no watches, no ACL checks.
  std::optional<Stat> stat(std::string_view path) const;
  std::optional<StatPersisted> persisted_stat(std::string_view path) const;
  std::vector<std::string> ephemerals(SessionId session) const;  // sorted
  // The children of `path` (names, sorted) with each one's ephemeral owner (0 for persistent
  // nodes); empty when `path` does not exist. Cheaper than ephemerals() for one directory.
  std::vector<std::pair<std::string_view, SessionId>> children_with_owners(std::string_view path) const;
  // ContainerManager.getCandidates: empty containers that have had a child (stored cversion > 0).
  std::vector<std::string> container_candidates() const;  // sorted
  Zxid last_processed_zxid() const { return last_processed_zxid_; }
  std::size_t node_count() const { return nodes_.size(); }
  // Canonical text of the nodes, their stored stats and data, ephemerals and containers. Equal
  // dumps mean equal trees (watches and last_processed_zxid are not included).
  std::string dump() const;

 private:
  struct Node {
    Data data;
    StatPersisted stat;
    std::set<std::string> children;  // names, not paths
    std::uint8_t world_perms = perms::kAll;
  };

  // PrepRequestProcessor.ChangeRecord: the leader's view of a node once its pending txns apply.
  struct ChangeRecord {
    Zxid zxid = -1;  // -1: read from the tree, not a pending change
    std::string path;
    std::optional<StatPersisted> stat;  // nullopt: pending delete
    std::int32_t child_count = 0;
    Data data;
    std::uint8_t world_perms = perms::kAll;
    std::uint64_t id = 0;  // identity: ZooKeeper compares records by reference
  };

  struct Outstanding {
    std::deque<ChangeRecord> in_order;
    std::map<std::string, ChangeRecord> by_path;  // latest record per path, keyed as looked up
    std::uint64_t next_id = 1;
  };

  // Prep (throws an internal KeeperError, caught by prepare).
  SubTxn prep_op(SessionId session, const MultiOp& op, Zxid zxid, WallTimeMs time);
  CreateTxn prep_create(SessionId session, const CreateRequest& request, Zxid zxid, WallTimeMs time);
  DeleteTxn prep_delete(const DeleteRequest& request, Zxid zxid);
  SetDataTxn prep_set_data(const SetDataRequest& request, Zxid zxid, WallTimeMs time);
  CheckVersionTxn prep_check(const CheckRequest& request) const;
  MultiTxn prep_multi(SessionId session, const MultiRequest& request, Zxid zxid, WallTimeMs time);
  CloseSessionTxn prep_close_session(SessionId session, Zxid zxid);
  DeleteTxn prep_delete_container(const DeleteContainerRequest& request, Zxid zxid);
  std::optional<ChangeRecord> current_record(const std::string& path) const;
  ChangeRecord existing_record(const std::string& path) const;
  void record_child_removal(ChangeRecord parent, const std::string& path, Zxid zxid, bool count_it);
  void add_change(ChangeRecord record);
  void retire_outstanding(Zxid zxid);

  // Apply (NoNode/NodeExists are reported in the result, as processTxn does).
  OpResult apply_op(const TxnHeader& header, const SubTxn& txn, std::vector<WatchEvent>& events);
  OpResult create_node(const TxnHeader& header, const CreateTxn& txn, std::vector<WatchEvent>& events);
  void delete_node(const std::string& path, Zxid zxid, std::vector<WatchEvent>& events);
  Stat set_node_data(const SetDataTxn& txn, const TxnHeader& header, std::vector<WatchEvent>& events);
  void apply_multi(const TxnHeader& header, const MultiTxn& txn, TxnResult& result);
  void apply_close_session(const TxnHeader& header, const CloseSessionTxn& txn, TxnResult& result);
  void forget_owner(const std::string& path, SessionId owner);

  std::set<WatcherId> fire(WatchManager& table, const std::string& path, EventType type,
                           std::vector<WatchEvent>& events, const std::set<WatcherId>& suppressed = {});

  Node* find(std::string_view path);
  const Node* find(std::string_view path) const;
  static Stat client_stat(const Node& node);
  void add_system_node(const std::string& parent, const std::string& name, std::uint8_t world_perms);

  std::map<std::string, Node, std::less<>> nodes_;  // by full path; the root is "/", "" aliases it
  std::map<SessionId, JavaStringHashSet> ephemerals_;  // kept when emptied, as DataTree does
  std::set<std::string> containers_;
  WatchManager data_watches_;   // getData and exists watches
  WatchManager child_watches_;  // getChildren watches
  Outstanding outstanding_;
  Zxid last_processed_zxid_ = 0;
};

}  // namespace model::zk
