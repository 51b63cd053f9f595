// The expected values below are what a real ZooKeeper 3.8 server gives. Source references are to
// zookeeper-server/src/main/java/org/apache/zookeeper/ at release-3.8.6:
//   PRP = server/PrepRequestProcessor.java, DT = server/DataTree.java, DN = server/DataNode.java,
//   FRP = server/FinalRequestProcessor.java, WM = server/watch/WatchManager.java,
//   PU = common/PathUtils.java, KE = KeeperException.java.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <climits>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "model/zookeeper/data_tree.hpp"

namespace {

using namespace model::zk;

constexpr SessionId kS1 = 0x1000000000001;
constexpr SessionId kS2 = 0x1000000000002;
constexpr WallTimeMs kNow = 1'700'000'000'000;

std::vector<std::string> names(std::initializer_list<const char*> list) { return {list.begin(), list.end()}; }

class ZkTree : public ::testing::Test {
 protected:
  TxnResult write(const WriteRequest& request, SessionId session = kS1) {
    return tree.submit(session, request, next_zxid++, kNow);
  }
  TxnResult create(const std::string& path, CreateMode mode = CreateMode::Persistent, SessionId session = kS1,
                   Data data = std::string()) {
    return write(CreateRequest{path, std::move(data), mode}, session);
  }
  TxnResult remove(const std::string& path, std::int32_t version = -1) {
    return write(DeleteRequest{path, version});
  }
  TxnResult set(const std::string& path, Data data, std::int32_t version = -1) {
    return write(SetDataRequest{path, std::move(data), version});
  }
  TxnResult multi(std::vector<MultiOp> ops) { return write(MultiRequest{std::move(ops)}); }
  std::vector<std::string> children(const std::string& path) { return tree.get_children(path, std::nullopt).children; }

  DataTree tree;
  Zxid next_zxid = 1;
};

// ---- Vocabulary ----------------------------------------------------------------------------------

TEST(ZkTypes, CodesAreTheRealNumericValues) {
  // KE Code / CodeDeprecated constants.
  EXPECT_EQ(static_cast<int>(Code::Ok), 0);
  EXPECT_EQ(static_cast<int>(Code::SystemError), -1);
  EXPECT_EQ(static_cast<int>(Code::RuntimeInconsistency), -2);
  EXPECT_EQ(static_cast<int>(Code::ConnectionLoss), -4);
  EXPECT_EQ(static_cast<int>(Code::Unimplemented), -6);
  EXPECT_EQ(static_cast<int>(Code::BadArguments), -8);
  EXPECT_EQ(static_cast<int>(Code::NoNode), -101);
  EXPECT_EQ(static_cast<int>(Code::NoAuth), -102);
  EXPECT_EQ(static_cast<int>(Code::BadVersion), -103);
  EXPECT_EQ(static_cast<int>(Code::NoChildrenForEphemerals), -108);
  EXPECT_EQ(static_cast<int>(Code::NodeExists), -110);
  EXPECT_EQ(static_cast<int>(Code::NotEmpty), -111);
  EXPECT_EQ(static_cast<int>(Code::SessionExpired), -112);
  EXPECT_EQ(static_cast<int>(Code::SessionMoved), -118);
  EXPECT_EQ(static_cast<int>(Code::NoWatcher), -121);
  EXPECT_EQ(static_cast<int>(Code::ThrottledOp), -127);
  EXPECT_EQ(to_string(Code::NodeExists), "NODEEXISTS");
  // Watcher.Event.EventType and CreateMode flags.
  EXPECT_EQ(static_cast<int>(EventType::NodeCreated), 1);
  EXPECT_EQ(static_cast<int>(EventType::NodeChildrenChanged), 4);
  EXPECT_EQ(static_cast<int>(CreateMode::EphemeralSequential), 3);
  EXPECT_EQ(static_cast<int>(CreateMode::Container), 4);
}

TEST(ZkPath, ValidatePathLikePathUtils) {
  // PU.validatePath.
  for (const char* good : {"/", "/a", "/a/b", "/.a", "/a.", "/a/...", "/a/.b/c", "/zookeeper", "/\xc3\xa9",
                           "/\xef\xa4\x80" /* U+F900, just past the private-use block */}) {
    EXPECT_TRUE(is_valid_path(good)) << good;
  }
  const std::string with_nul("/a\0b", 4);
  EXPECT_FALSE(is_valid_path(with_nul));
  for (const char* bad : {"", "a", "a/b", "/a/", "//", "/a//b", "/.", "/..", "/a/.", "/a/./b", "/a/..", "/a/../b",
                          "/\x01", "/a\x1f", "/\x7f", "/\xc2\x80" /* U+0080 */, "/\xc2\x9f" /* U+009F */,
                          "/\xee\x80\x80" /* U+E000 private use */, "/\xef\xa3\xbf" /* U+F8FF */,
                          "/\xef\xbf\xb0" /* U+FFF0 */, "/\xf0\x9f\x98\x80" /* emoji: a surrogate pair in Java */,
                          "/\xff" /* malformed: U+FFFD */, "/\xed\xa0\x80" /* encoded surrogate */}) {
    EXPECT_FALSE(is_valid_path(bad)) << bad;
  }
}

TEST(ZkPath, SequentialSuffixIsJavaPercent010d) {
  // PRP.pRequest2TxnCreate: String.format(Locale.ENGLISH, "%010d", parentCVersion).
  EXPECT_EQ(sequential_suffix(0), "0000000000");
  EXPECT_EQ(sequential_suffix(42), "0000000042");
  EXPECT_EQ(sequential_suffix(INT32_MAX), "2147483647");
  EXPECT_EQ(sequential_suffix(-1), "-000000001");  // zero padding goes after the sign
  EXPECT_EQ(sequential_suffix(INT32_MIN), "-2147483648");
}

// ---- Initial tree ----------------------------------------------------------------------------------

TEST_F(ZkTree, StartsWithTheSystemNodes) {
  // DT constructor: "/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config", all with zeroed
  // StatPersisted, linked with addChild (no create): DN.copyStat reports 2*0 - numChildren.
  EXPECT_EQ(tree.node_count(), 4u);
  EXPECT_EQ(children("/"), names({"zookeeper"}));
  EXPECT_EQ(children("/zookeeper"), names({"config", "quota"}));
  const Stat root = *tree.stat("/");
  EXPECT_EQ(root.cversion, -1);
  EXPECT_EQ(root.num_children, 1);
  EXPECT_EQ(root.czxid, 0);
  EXPECT_EQ(root.pzxid, 0);
  EXPECT_EQ(tree.stat("/zookeeper")->cversion, -2);
  EXPECT_EQ(tree.stat("/zookeeper/quota")->cversion, 0);
  // nodes.put("", root): the empty path aliases the root for reads.
  EXPECT_EQ(tree.get_data("", std::nullopt).stat, root);
}

// ---- create -------------------------------------------------------------------------------------

TEST_F(ZkTree, CreateStampsTheNodeAndTheParentsChildFields) {
  // DT.createStat: czxid=mzxid=pzxid=zxid, ctime=mtime=time, versions 0.
  const TxnResult created = create("/a", CreateMode::Persistent, kS1, std::string("hello"));
  ASSERT_EQ(created.err, Code::Ok);
  const Stat a = *tree.stat("/a");
  EXPECT_EQ(a, (Stat{1, 1, kNow, kNow, 0, 0, 0, 0, 5, 0, 1}));
  EXPECT_EQ(created.path, "/a");
  EXPECT_EQ(created.stat, a);
  // DT.createNode: parent cversion := txn's parentCVersion, pzxid := zxid; parent mzxid untouched.
  const Stat root = *tree.stat("/");
  EXPECT_EQ(root.cversion, 0);  // stored 1, two children: 2*1 - 2
  EXPECT_EQ(root.pzxid, 1);
  EXPECT_EQ(root.mzxid, 0);
  EXPECT_EQ(root.num_children, 2);

  create("/a/b");
  const Stat parent = *tree.stat("/a");
  EXPECT_EQ(parent.cversion, 1);
  EXPECT_EQ(parent.pzxid, 2);
  EXPECT_EQ(parent.mzxid, 1);
  EXPECT_EQ(parent.version, 0);
  EXPECT_EQ(parent.num_children, 1);
}

TEST_F(ZkTree, CreateErrorPrecedence) {
  create("/a");
  // PRP.validatePathForCreate: no slash or a NUL -> BadArguments before anything else.
  EXPECT_EQ(create("").err, Code::BadArguments);
  EXPECT_EQ(create("a").err, Code::BadArguments);
  EXPECT_EQ(create(std::string("/a\0b", 4)).err, Code::BadArguments);
  // The parent lookup comes before validatePath: a malformed path with a missing "parent" is NoNode.
  EXPECT_EQ(create("/missing/x").err, Code::NoNode);
  EXPECT_EQ(create("/a//b").err, Code::NoNode);  // parent "/a/" does not exist
  EXPECT_EQ(create("/m/").err, Code::NoNode);
  // With the parent present, validatePath decides.
  EXPECT_EQ(create("/a/").err, Code::BadArguments);
  EXPECT_EQ(create("/a/.").err, Code::BadArguments);
  // NodeExists, including the root itself.
  EXPECT_EQ(create("/a").err, Code::NodeExists);
  EXPECT_EQ(create("/").err, Code::NodeExists);
  // validateCreateRequest runs first: TTL modes are Unimplemented whatever the path
  // (extendedTypesEnabled defaults to false).
  EXPECT_EQ(create("x", CreateMode::PersistentWithTtl).err, Code::Unimplemented);
  EXPECT_EQ(create("/t", CreateMode::PersistentSequentialWithTtl).err, Code::Unimplemented);
  // checkACL(CREATE) on the parent: /zookeeper/config is READ-only (ZOOKEEPER-2014); /zookeeper is not.
  EXPECT_EQ(create("/zookeeper/config/x").err, Code::NoAuth);
  EXPECT_EQ(create("/zookeeper/x").err, Code::Ok);
}

TEST_F(ZkTree, EphemeralsCannotHaveChildrenButTheCheckComesLast) {
  ASSERT_EQ(create("/e", CreateMode::Ephemeral).err, Code::Ok);
  EXPECT_EQ(tree.stat("/e")->ephemeral_owner, kS1);
  EXPECT_EQ(create("/e/c").err, Code::NoChildrenForEphemerals);
  EXPECT_EQ(create("/e/c", CreateMode::EphemeralSequential).err, Code::NoChildrenForEphemerals);
  // validatePath precedes the ephemeral-parent check.
  EXPECT_EQ(create("/e/").err, Code::BadArguments);
}

TEST_F(ZkTree, FailedWriteConsumesAZxidAndChangesNothing) {
  // ProposalRequestProcessor proposes every request with a header, ErrorTxn included; DT.processTxn
  // advances lastProcessedZxid for it.
  create("/a");
  const std::string before = tree.dump();
  const TxnResult failed = create("/a");
  EXPECT_EQ(failed.err, Code::NodeExists);
  EXPECT_EQ(tree.last_processed_zxid(), 2);
  EXPECT_EQ(tree.dump(), before);
}

TEST_F(ZkTree, NullDataStaysNull) {
  // A null jute buffer is stored as null; dataLength is 0 either way.
  create("/n", CreateMode::Persistent, kS1, std::nullopt);
  create("/e", CreateMode::Persistent, kS1, std::string());
  EXPECT_EQ(tree.get_data("/n", std::nullopt).data, std::nullopt);
  EXPECT_EQ(tree.get_data("/e", std::nullopt).data, std::optional<std::string>(""));
  EXPECT_EQ(tree.stat("/n")->data_length, 0);
}

// ---- sequential -------------------------------------------------------------------------------------

TEST_F(ZkTree, SequentialSuffixCountsCreatesUnderTheParent) {
  // The root's stored cversion is 0 although `stat /` shows -1.
  EXPECT_EQ(create("/seq-", CreateMode::PersistentSequential).path, "/seq-0000000000");
  EXPECT_EQ(create("/seq-", CreateMode::EphemeralSequential).path, "/seq-0000000001");
}

TEST_F(ZkTree, DeletesAdvanceTheVisibleCversionButNotTheSequence) {
  create("/p");
  create("/p/a");
  EXPECT_EQ(tree.stat("/p")->cversion, 1);
  remove("/p/a");
  // DN.copyStat: 2*creates - numChildren = 2*1 - 0.
  EXPECT_EQ(tree.stat("/p")->cversion, 2);
  EXPECT_EQ(tree.persisted_stat("/p")->cversion, 1);
  // PRP uses the stored create count for the suffix.
  EXPECT_EQ(create("/p/s", CreateMode::PersistentSequential).path, "/p/s0000000001");
  EXPECT_EQ(tree.stat("/p")->cversion, 3);
}

TEST_F(ZkTree, SequentialCreateWithTrailingSlashNamesTheChildByNumber) {
  create("/p");
  // validatePath runs on the suffixed path, so "/p/" + suffix is fine while "/p/" alone is not.
  EXPECT_EQ(create("/p/", CreateMode::PersistentSequential).path, "/p/0000000000");
  EXPECT_EQ(create("/p/").err, Code::BadArguments);
}

TEST_F(ZkTree, SequenceCounterOverflowWrapsThenCollides) {
  create("/p");
  // Bring /p's stored cversion to Integer.MAX_VALUE with a txn as if after 2^31 - 1 creates.
  ASSERT_EQ(tree.apply({kS1, next_zxid++, kNow}, CreateTxn{"/p/x", std::string(), NodeKind::Persistent, INT32_MAX})
                .err,
            Code::Ok);
  // Two pipelined sequential creates: the second sees the first's pending cversion, which wrapped.
  const Zxid first = next_zxid++;
  const Zxid second = next_zxid++;
  const Txn a = tree.prepare(kS1, CreateRequest{"/p/s", std::string(), CreateMode::PersistentSequential}, first, kNow);
  const Txn b = tree.prepare(kS1, CreateRequest{"/p/s", std::string(), CreateMode::PersistentSequential}, second, kNow);
  ASSERT_TRUE(std::holds_alternative<CreateTxn>(a));
  ASSERT_TRUE(std::holds_alternative<CreateTxn>(b));
  EXPECT_EQ(std::get<CreateTxn>(a).path, "/p/s2147483647");
  EXPECT_EQ(std::get<CreateTxn>(a).parent_cversion, INT32_MIN);
  EXPECT_EQ(std::get<CreateTxn>(b).path, "/p/s-2147483648");
  tree.apply({kS1, first, kNow}, a);
  tree.apply({kS1, second, kNow}, b);
  // DT.createNode only moves cversion (and pzxid) forward: INT_MIN is not > INT_MAX, so it sticks...
  EXPECT_EQ(tree.persisted_stat("/p")->cversion, INT32_MAX);
  EXPECT_EQ(tree.persisted_stat("/p")->pzxid, 2);
  EXPECT_EQ(tree.stat("/p")->cversion, -5);  // 2*MAX - 3, wrapped as a Java int
  // ...and the next sequential create reuses suffix 2147483647.
  EXPECT_EQ(create("/p/s", CreateMode::PersistentSequential).err, Code::NodeExists);
}

// ---- delete ------------------------------------------------------------------------------------------

TEST_F(ZkTree, DeleteErrorPrecedence) {
  create("/a");
  create("/a/b");
  // PRP delete: version is checked before children.
  EXPECT_EQ(remove("/a", 5).err, Code::BadVersion);
  EXPECT_EQ(remove("/a", 0).err, Code::NotEmpty);
  EXPECT_EQ(remove("/a", -1).err, Code::NotEmpty);
  EXPECT_EQ(remove("/missing").err, Code::NoNode);
  EXPECT_EQ(remove("/missing/x").err, Code::NoNode);
  // getParentPathAndValidate: no slash, NUL, or a special path.
  for (const char* special : {"/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config", "", "abc"}) {
    EXPECT_EQ(remove(special).err, Code::BadArguments) << special;
  }
  // Delete never runs validatePath: a malformed path is just not there.
  EXPECT_EQ(remove("/a/").err, Code::NoNode);
  // checkACL(DELETE) is on the parent and comes before the node lookup.
  EXPECT_EQ(remove("/zookeeper/config/x").err, Code::NoAuth);
  EXPECT_EQ(remove("/a/b", 1).err, Code::BadVersion);
  EXPECT_EQ(remove("/a/b", 0).err, Code::Ok);
  EXPECT_EQ(tree.stat("/a/b"), std::nullopt);
}

TEST_F(ZkTree, DeleteUpdatesTheParentsPzxidAndVisibleCversion) {
  create("/a");
  create("/a/b");
  remove("/a/b");
  const Stat a = *tree.stat("/a");
  EXPECT_EQ(a.pzxid, 3);
  EXPECT_EQ(a.cversion, 2);
  EXPECT_EQ(a.num_children, 0);
  EXPECT_EQ(a.mzxid, 1);
}

TEST_F(ZkTree, AnySessionMayDeleteAnotherSessionsEphemeral) {
  create("/e", CreateMode::Ephemeral, kS1);
  EXPECT_EQ(write(DeleteRequest{"/e", -1}, kS2).err, Code::Ok);
  EXPECT_TRUE(tree.ephemerals(kS1).empty());
}

TEST_F(ZkTree, ApplyingADeleteOfAMissingChildStillAdvancesTheParentsPzxid) {
  // DT.deleteNode updates the parent before looking the node up.
  create("/a");
  const TxnResult result = tree.apply({kS1, 10, kNow}, DeleteTxn{"/a/ghost"});
  EXPECT_EQ(result.err, Code::NoNode);
  EXPECT_EQ(tree.stat("/a")->pzxid, 10);
}

// ---- setData ------------------------------------------------------------------------------------------

TEST_F(ZkTree, SetDataBumpsVersionAndModifiedFieldsOnly) {
  create("/a");
  const Stat root_before = *tree.stat("/");
  const TxnResult result = tree.submit(kS1, SetDataRequest{"/a", std::string("xy"), 0}, 2, kNow + 5);
  ASSERT_EQ(result.err, Code::Ok);
  const Stat a = *tree.stat("/a");
  EXPECT_EQ(a, (Stat{1, 2, kNow, kNow + 5, 1, 0, 0, 0, 2, 0, 1}));
  EXPECT_EQ(result.stat, a);
  EXPECT_EQ(*tree.stat("/"), root_before);
  next_zxid = 3;
  EXPECT_EQ(set("/a", std::string("z"), 0).err, Code::BadVersion);
  EXPECT_EQ(set("/a", std::string("z"), -1).stat->version, 2);
}

TEST_F(ZkTree, SetDataErrorPrecedence) {
  // PRP setData: validatePath, node, ACL(WRITE), version.
  EXPECT_EQ(set("/missing/", std::string()).err, Code::BadArguments);
  EXPECT_EQ(set("/missing", std::string()).err, Code::NoNode);
  EXPECT_EQ(set("/zookeeper/config", std::string(), 7).err, Code::NoAuth);
  EXPECT_EQ(set("/", std::string("root")).err, Code::Ok);
  EXPECT_EQ(tree.stat("/")->version, 1);
}

TEST_F(ZkTree, VersionWrapsLikeAJavaInt) {
  create("/a");
  tree.apply({kS1, next_zxid++, kNow}, SetDataTxn{"/a", std::string(), INT32_MAX});
  EXPECT_EQ(set("/a", std::string(), INT32_MAX).stat->version, INT32_MIN);
}

// ---- reads --------------------------------------------------------------------------------------------

TEST_F(ZkTree, ReadsDoNotValidatePaths) {
  // FRP: only exists rejects a NUL; other reads just look the path up.
  EXPECT_EQ(tree.exists(std::string("/a\0b", 4), 1).err, Code::BadArguments);
  EXPECT_EQ(tree.watch_count(), 0u);
  EXPECT_EQ(tree.exists("/a/", std::nullopt).err, Code::NoNode);
  EXPECT_EQ(tree.get_data("/missing", std::nullopt).err, Code::NoNode);
  EXPECT_EQ(tree.get_children("/missing", std::nullopt).err, Code::NoNode);
  create("/a");
  const GetChildrenResponse listed = tree.get_children("/", std::nullopt);
  EXPECT_EQ(listed.children, names({"a", "zookeeper"}));
  EXPECT_EQ(listed.stat, *tree.stat("/"));
}

// ---- multi ----------------------------------------------------------------------------------------------

TEST_F(ZkTree, MultiOpsSeeTheOpsBeforeThemAndShareOneZxid) {
  const TxnResult result = multi({CreateRequest{"/m", std::string("0"), CreateMode::Persistent},
                                  CreateRequest{"/m/c", std::string(), CreateMode::PersistentSequential},
                                  SetDataRequest{"/m", std::string("1"), 0}, CheckRequest{"/m", 1},
                                  DeleteRequest{"/m/c0000000000", 0}});
  ASSERT_EQ(result.err, Code::Ok);
  ASSERT_EQ(result.multi.size(), 5u);
  EXPECT_EQ(result.multi[0].type, OpType::Create);
  EXPECT_EQ(result.multi[0].path, "/m");
  EXPECT_EQ(result.multi[1].path, "/m/c0000000000");
  EXPECT_EQ(result.multi[2].type, OpType::SetData);
  EXPECT_EQ(result.multi[2].stat->version, 1);
  EXPECT_EQ(result.multi[3].type, OpType::Check);
  EXPECT_EQ(result.multi[4].type, OpType::Delete);
  for (const OpResult& op : result.multi) EXPECT_EQ(op.err, Code::Ok);
  const Stat m = *tree.stat("/m");
  EXPECT_EQ(m.czxid, 1);
  EXPECT_EQ(m.mzxid, 1);
  EXPECT_EQ(m.pzxid, 1);
  EXPECT_EQ(m.cversion, 2);
  EXPECT_EQ(tree.last_processed_zxid(), 1);
}

TEST_F(ZkTree, FailedMultiReportsOkBeforeAndRuntimeInconsistencyAfter) {
  // PRP multi: ops after the failure become ErrorTxn(RUNTIMEINCONSISTENCY); DT.processTxn(multi)
  // turns the ops before it into ErrorTxn(OK). FRP sends an ErrorResult for each.
  create("/x0");
  const std::string before = tree.dump();
  const TxnResult result =
      multi({CreateRequest{"/x", std::string(), CreateMode::Persistent}, DeleteRequest{"/missing", -1},
             SetDataRequest{"/x0", std::string(), -1}, CheckRequest{"/x0", 0}});
  EXPECT_EQ(result.err, Code::NoNode);
  ASSERT_EQ(result.multi.size(), 4u);
  const std::vector<Code> codes{result.multi[0].err, result.multi[1].err, result.multi[2].err, result.multi[3].err};
  EXPECT_EQ(codes, (std::vector<Code>{Code::Ok, Code::NoNode, Code::RuntimeInconsistency,
                                      Code::RuntimeInconsistency}));
  for (const OpResult& op : result.multi) EXPECT_EQ(op.type, OpType::Error);
  EXPECT_EQ(tree.dump(), before);
  EXPECT_EQ(tree.last_processed_zxid(), 2);
  EXPECT_EQ(tree.outstanding_change_count(), 0u);
}

TEST_F(ZkTree, FailedMultiRollsBackItsPendingChanges) {
  // PRP.rollbackPendingChanges: a request prepared after a failed multi, before it applies, must
  // not see the multi's tentative changes (ZOOKEEPER-1624: the parent's sequence counter).
  create("/p");
  const Txn failed = tree.prepare(kS1,
                                  MultiRequest{{CreateRequest{"/p/s", std::string(), CreateMode::PersistentSequential},
                                                CreateRequest{"/p/t", std::string(), CreateMode::Persistent},
                                                CreateRequest{"/nope/x", std::string(), CreateMode::Persistent}}},
                                  2, kNow);
  EXPECT_EQ(tree.outstanding_change_count(), 0u);
  const Txn next = tree.prepare(kS1, CreateRequest{"/p/s", std::string(), CreateMode::PersistentSequential}, 3, kNow);
  const Txn same = tree.prepare(kS1, CreateRequest{"/p/t", std::string(), CreateMode::Persistent}, 4, kNow);
  ASSERT_TRUE(std::holds_alternative<CreateTxn>(next));
  EXPECT_EQ(std::get<CreateTxn>(next).path, "/p/s0000000000");
  EXPECT_TRUE(std::holds_alternative<CreateTxn>(same));
  EXPECT_EQ(tree.apply({kS1, 2, kNow}, failed).err, Code::NoNode);
  EXPECT_EQ(tree.apply({kS1, 3, kNow}, next).err, Code::Ok);
  EXPECT_EQ(tree.apply({kS1, 4, kNow}, same).err, Code::Ok);
  EXPECT_EQ(children("/p"), names({"s0000000000", "t"}));
}

TEST_F(ZkTree, CheckOpInMulti) {
  create("/a");
  const TxnResult bad_version = multi({CheckRequest{"/a", 1}, CreateRequest{"/b", std::string(), CreateMode::Persistent}});
  EXPECT_EQ(bad_version.err, Code::BadVersion);
  EXPECT_EQ(bad_version.multi[1].err, Code::RuntimeInconsistency);
  EXPECT_EQ(multi({CheckRequest{"/missing", -1}}).err, Code::NoNode);
  EXPECT_EQ(multi({CheckRequest{"/a/", -1}}).err, Code::BadArguments);  // check runs validatePath
  const TxnResult ok = multi({CheckRequest{"/a", 0}, CreateRequest{"/b", std::string(), CreateMode::Persistent}});
  EXPECT_EQ(ok.err, Code::Ok);
  EXPECT_TRUE(tree.stat("/b").has_value());
}

TEST_F(ZkTree, EmptyMultiSucceedsAndConsumesAZxid) {
  const TxnResult result = multi({});
  EXPECT_EQ(result.err, Code::Ok);
  EXPECT_TRUE(result.multi.empty());
  EXPECT_EQ(tree.last_processed_zxid(), 1);
}

TEST_F(ZkTree, MultiFiresWatchesInOpOrderAndAFailedOneFiresNone) {
  create("/a");
  tree.get_data("/a", 7);
  tree.get_children("/", 7);
  const TxnResult failed = multi({SetDataRequest{"/a", std::string("v"), -1}, DeleteRequest{"/zz", -1}});
  EXPECT_TRUE(failed.events.empty());
  EXPECT_EQ(tree.watch_count(), 2u);
  const TxnResult ok = multi({SetDataRequest{"/a", std::string("v"), -1},
                              CreateRequest{"/b", std::string(), CreateMode::Persistent}});
  EXPECT_EQ(ok.events, (std::vector<WatchEvent>{{7, EventType::NodeDataChanged, "/a"},
                                                {7, EventType::NodeChildrenChanged, "/"}}));
}

// ---- ephemerals and closeSession -------------------------------------------------------------------

// The deletion order is the session's Java HashSet order (java_hash_set.hpp); for these three paths
// it happens to be path order.
TEST_F(ZkTree, KillSessionDeletesItsEphemeralsInHashSetOrder) {
  create("/e2", CreateMode::Ephemeral, kS1);
  create("/e1", CreateMode::Ephemeral, kS1);
  create("/p");
  create("/p/e3", CreateMode::Ephemeral, kS1);
  create("/other", CreateMode::Ephemeral, kS2);
  EXPECT_EQ(tree.ephemerals(kS1), names({"/e1", "/e2", "/p/e3"}));
  tree.exists("/e1", 9);
  tree.get_children("/", 9);
  tree.get_children("/p", 9);

  const TxnResult killed = tree.kill_session(kS1, 100);
  EXPECT_EQ(killed.deleted, names({"/e1", "/e2", "/p/e3"}));
  EXPECT_TRUE(tree.ephemerals(kS1).empty());
  EXPECT_EQ(tree.ephemerals(kS2), names({"/other"}));
  EXPECT_EQ(tree.stat("/p")->pzxid, 100);
  EXPECT_EQ(tree.stat("/")->pzxid, 100);
  EXPECT_TRUE(tree.stat("/p").has_value());
  // One-shot: the root's child watch fires for /e1 and is gone by /e2.
  EXPECT_EQ(killed.events, (std::vector<WatchEvent>{{9, EventType::NodeDeleted, "/e1"},
                                                    {9, EventType::NodeChildrenChanged, "/"},
                                                    {9, EventType::NodeChildrenChanged, "/p"}}));
}

// PRP closeSession lists DT.getEphemerals, a clone() of the session's HashSet: HashMap.clone
// pre-sizes its table for the current size, so a set that grew to 32 buckets and shrank to 3
// entries is listed from an 8-bucket copy, in another order than its own. Expected orders from
// OpenJDK 17 (the JVM that runs the oracle server).
TEST_F(ZkTree, KillSessionOrderIsTheClonedHashSetsOrder) {
  create("/a");
  for (int i = 6; i <= 18; i++) create("/a/e" + std::to_string(i), CreateMode::Ephemeral);
  for (int i = 9; i <= 18; i++) remove("/a/e" + std::to_string(i));
  const TxnResult killed = tree.kill_session(kS1, 100);
  EXPECT_EQ(killed.deleted, names({"/a/e8", "/a/e7", "/a/e6"}));  // the set itself iterates e7, e6, e8
}

TEST(JavaStringHashSet, HashIsStringHashCodeOverUtf16Units) {
  EXPECT_EQ(java_string_hash("/a/x"), 1494971);
  EXPECT_EQ(java_string_hash("/a/s-0000000002"), -738071431);
  EXPECT_EQ(java_string_hash("/app/\xc3\xa9"), 1438597548);      // U+00E9
  EXPECT_EQ(java_string_hash("/q/\xf0\x9f\x98\x80"), 48589936);  // U+1F600, a surrogate pair
}

TEST(JavaStringHashSet, IteratesLikeJavaAcrossResizesRemovalsAndClones) {
  JavaStringHashSet set;
  EXPECT_EQ(set.capacity(), 0u);
  for (int i = 0; i <= 12; i++) EXPECT_TRUE(set.add("/n" + std::to_string(i)));
  EXPECT_FALSE(set.add("/n3"));
  EXPECT_EQ(set.capacity(), 32u);  // 13 > 0.75 * 16
  EXPECT_EQ(set.in_iteration_order(), names({"/n11", "/n10", "/n0", "/n1", "/n2", "/n3", "/n4", "/n5", "/n6", "/n12",
                                             "/n7", "/n8", "/n9"}));
  for (int i = 0; i <= 9; i++) EXPECT_TRUE(set.remove("/n" + std::to_string(i)));
  EXPECT_FALSE(set.remove("/n0"));
  EXPECT_EQ(set.capacity(), 32u);  // never shrinks
  EXPECT_EQ(set.in_iteration_order(), names({"/n11", "/n10", "/n12"}));
  JavaStringHashSet copy = set.clone();
  EXPECT_EQ(copy.capacity(), 8u);  // tableSizeFor((int)(3 / 0.75f + 1))
  EXPECT_TRUE(copy.add("/n0"));
  EXPECT_EQ(copy.in_iteration_order(), names({"/n11", "/n10", "/n0", "/n12"}));

  JavaStringHashSet e;
  for (int i = 6; i <= 18; i++) e.add("/a/e" + std::to_string(i));
  for (int i = 9; i <= 18; i++) e.remove("/a/e" + std::to_string(i));
  EXPECT_EQ(e.in_iteration_order(), names({"/a/e7", "/a/e6", "/a/e8"}));
  EXPECT_EQ(e.clone().in_iteration_order(), names({"/a/e8", "/a/e7", "/a/e6"}));
}

TEST_F(ZkTree, KillingASessionWithoutEphemeralsIsAnEmptyTxn) {
  create("/a");
  const std::string before = tree.dump();
  EXPECT_TRUE(tree.kill_session(kS2, 50).deleted.empty());
  EXPECT_EQ(tree.dump(), before);
  EXPECT_EQ(tree.last_processed_zxid(), 50);
}

TEST_F(ZkTree, CloseSessionPrepCountsOutstandingCreatesAndDeletes) {
  // PRP closeSession: the tree's ephemerals, minus pending deletes, plus pending creates owned by
  // the session.
  create("/e1", CreateMode::Ephemeral);
  create("/e2", CreateMode::Ephemeral);
  const Txn del = tree.prepare(kS1, DeleteRequest{"/e1", -1}, 10, kNow);
  const Txn late = tree.prepare(kS1, CreateRequest{"/late", std::string(), CreateMode::Ephemeral}, 11, kNow);
  const Txn close = tree.prepare(kS1, CloseSessionRequest{}, 12, kNow);
  ASSERT_TRUE(std::holds_alternative<CloseSessionTxn>(close));
  EXPECT_EQ(std::get<CloseSessionTxn>(close).paths_to_delete, names({"/e2", "/late"}));
  tree.apply({kS1, 10, kNow}, del);
  tree.apply({kS1, 11, kNow}, late);
  EXPECT_EQ(tree.apply({kS1, 12, kNow}, close).deleted, names({"/e2", "/late"}));
  EXPECT_EQ(tree.outstanding_change_count(), 0u);
}

TEST_F(ZkTree, CloseSessionAlsoDeletesEphemeralsTheListMissed) {
  // DT.killSession deletes the txn's paths, then whatever the replica still has for the session.
  create("/e1", CreateMode::Ephemeral);
  create("/e2", CreateMode::Ephemeral);
  const TxnResult result = tree.apply({kS1, 20, kNow}, CloseSessionTxn{{"/e2", "/gone"}});
  EXPECT_EQ(result.deleted, names({"/e2", "/e1"}));
  EXPECT_TRUE(tree.ephemerals(kS1).empty());
}

// ---- containers -------------------------------------------------------------------------------------

TEST_F(ZkTree, ContainersLookPersistentAndBecomeCandidatesOnceEmptied) {
  create("/c", CreateMode::Container);
  create("/fresh", CreateMode::Container);
  // DN.getClientEphemeralOwner hides the container marker.
  EXPECT_EQ(tree.stat("/c")->ephemeral_owner, 0);
  EXPECT_EQ(tree.persisted_stat("/c")->ephemeral_owner, kContainerEphemeralOwner);
  ASSERT_EQ(create("/c/x", CreateMode::EphemeralSequential).err, Code::Ok);
  EXPECT_TRUE(tree.container_candidates().empty());
  remove("/c/x0000000000");
  // ContainerManager.getCandidates: no children and stored cversion > 0; /fresh never had a child.
  EXPECT_EQ(tree.container_candidates(), names({"/c"}));
}

TEST_F(ZkTree, DeleteContainerRefusesOnlyEphemeralsAndNonEmptyNodes) {
  create("/c", CreateMode::Container);
  create("/c/k");
  create("/e", CreateMode::Ephemeral);
  create("/plain");
  EXPECT_EQ(write(DeleteContainerRequest{"/c"}, 0).err, Code::NotEmpty);
  EXPECT_EQ(write(DeleteContainerRequest{"/e"}, 0).err, Code::BadVersion);
  EXPECT_EQ(write(DeleteContainerRequest{"/zookeeper"}, 0).err, Code::BadArguments);
  EXPECT_EQ(write(DeleteContainerRequest{"/plain"}, 0).err, Code::Ok);  // only NORMAL ephemerals refused
  remove("/c/k");
  EXPECT_EQ(write(DeleteContainerRequest{"/c"}, 0).err, Code::Ok);
  EXPECT_TRUE(tree.container_candidates().empty());
}

// ---- watches ----------------------------------------------------------------------------------------

TEST_F(ZkTree, DataWatchIsOneShot) {
  create("/a");
  tree.get_data("/a", 1);
  EXPECT_EQ(set("/a", std::string("1")).events, (std::vector<WatchEvent>{{1, EventType::NodeDataChanged, "/a"}}));
  EXPECT_TRUE(set("/a", std::string("2")).events.empty());
}

TEST_F(ZkTree, GetDataAndExistsOnOnePathNotifyOnce) {
  create("/a");
  tree.get_data("/a", 1);
  tree.exists("/a", 1);
  EXPECT_EQ(tree.watch_count(), 1u);
  EXPECT_EQ(set("/a", std::string()).events.size(), 1u);
}

TEST_F(ZkTree, ExistsWatchOnAMissingNodeFiresOnCreate) {
  // DT.statNode adds the watch before the NoNode; DT.getData throws before adding it.
  EXPECT_EQ(tree.exists("/a", 1).err, Code::NoNode);
  EXPECT_EQ(tree.get_data("/b", 1).err, Code::NoNode);
  EXPECT_EQ(tree.get_children("/b", 1).err, Code::NoNode);
  EXPECT_EQ(tree.watch_count(), 1u);
  EXPECT_EQ(create("/a").events, (std::vector<WatchEvent>{{1, EventType::NodeCreated, "/a"}}));
  EXPECT_TRUE(create("/b").events.empty());
}

TEST_F(ZkTree, ChildWatchFiresOnChildCreateAndDeleteButNotOnData) {
  create("/a");
  tree.get_children("/a", 1);
  EXPECT_TRUE(set("/a", std::string("d")).events.empty());
  EXPECT_EQ(create("/a/x").events, (std::vector<WatchEvent>{{1, EventType::NodeChildrenChanged, "/a"}}));
  tree.get_children("/a", 1);
  EXPECT_TRUE(set("/a/x", std::string("d")).events.empty());
  EXPECT_EQ(remove("/a/x").events, (std::vector<WatchEvent>{{1, EventType::NodeChildrenChanged, "/a"}}));
}

TEST_F(ZkTree, CreateNotifiesTheNodeThenTheParent) {
  create("/a");
  tree.exists("/a/b", 1);
  tree.get_children("/a", 2);
  tree.get_children("/", 3);
  EXPECT_EQ(create("/a/b").events, (std::vector<WatchEvent>{{1, EventType::NodeCreated, "/a/b"},
                                                           {2, EventType::NodeChildrenChanged, "/a"}}));
  // The root's children event carries "/" (DT.createNode maps parent "" to "/").
  EXPECT_EQ(create("/z").events, (std::vector<WatchEvent>{{3, EventType::NodeChildrenChanged, "/"}}));
}

TEST_F(ZkTree, DeleteNotifiesEachNodeWatcherOnceThenTheParentsChildWatchers) {
  // DT.deleteNode: data watchers get NodeDeleted; child watchers of the node get NodeDeleted unless
  // already notified (WM.triggerWatch's supress set); then the parent's child watchers.
  create("/a");
  create("/a/b");
  tree.get_data("/a/b", 1);
  tree.get_children("/a/b", 1);
  tree.get_children("/a/b", 2);
  tree.get_children("/a", 3);
  tree.exists("/a/b", 4);
  EXPECT_EQ(remove("/a/b").events, (std::vector<WatchEvent>{{1, EventType::NodeDeleted, "/a/b"},
                                                           {4, EventType::NodeDeleted, "/a/b"},
                                                           {2, EventType::NodeDeleted, "/a/b"},
                                                           {3, EventType::NodeChildrenChanged, "/a"}}));
  EXPECT_FALSE(tree.has_watch("/a/b", WatcherType::Children, 1));  // consumed although suppressed
  EXPECT_EQ(tree.watch_count(), 0u);
}

TEST_F(ZkTree, NotificationsForOneChangeAreInWatcherIdOrder) {
  create("/a");
  for (WatcherId watcher : {5, 3, 9}) tree.get_data("/a", watcher);
  const TxnResult result = set("/a", std::string());
  ASSERT_EQ(result.events.size(), 3u);
  EXPECT_EQ(result.events[0].watcher, 3);
  EXPECT_EQ(result.events[1].watcher, 5);
  EXPECT_EQ(result.events[2].watcher, 9);
}

TEST_F(ZkTree, WatchesAreKeptUnderThePathAsGiven) {
  // The watch table is keyed by the request's string: "" reads the root but its watch never fires.
  tree.get_data("", 1);
  EXPECT_TRUE(set("/", std::string("x")).events.empty());
  EXPECT_TRUE(tree.has_watch("", WatcherType::Data, 1));
}

TEST_F(ZkTree, RemovingWatches) {
  create("/a");
  tree.get_data("/a", 1);
  tree.get_children("/a", 1);
  tree.get_data("/a", 2);
  // DT.removeWatch: false becomes NoWatcher at FRP.
  EXPECT_TRUE(tree.remove_watch("/a", WatcherType::Data, 1));
  EXPECT_FALSE(tree.remove_watch("/a", WatcherType::Data, 1));
  EXPECT_TRUE(tree.has_watch("/a", WatcherType::Children, 1));
  EXPECT_TRUE(tree.remove_watch("/a", WatcherType::Any, 1));
  EXPECT_FALSE(tree.remove_watch("/a", WatcherType::Any, 1));
  // DT.removeCnxn drops everything the connection holds.
  tree.get_children("/", 2);
  tree.remove_watcher(2);
  EXPECT_EQ(tree.watch_count(), 0u);
  EXPECT_TRUE(set("/a", std::string()).events.empty());
}

TEST_F(ZkTree, SetWatchesFiresWhatTheClientMissedAndReRegistersTheRest) {
  create("/a");                  // zxid 1
  create("/b");                  // zxid 2
  set("/a", std::string("v"));   // zxid 3
  const std::vector<WatchEvent> events =
      tree.set_watches(1, SetWatchesRequest{2, {"/a", "/b", "/gone"}, {"/b", "/new"}, {"/a", "/gone"}});
  EXPECT_EQ(events, (std::vector<WatchEvent>{{1, EventType::NodeDataChanged, "/a"},
                                             {1, EventType::NodeDeleted, "/gone"},
                                             {1, EventType::NodeCreated, "/b"},
                                             {1, EventType::NodeDeleted, "/gone"}}));
  EXPECT_TRUE(tree.has_watch("/b", WatcherType::Data, 1));
  EXPECT_TRUE(tree.has_watch("/new", WatcherType::Data, 1));
  EXPECT_TRUE(tree.has_watch("/a", WatcherType::Children, 1));  // pzxid 1 is not after 2
  EXPECT_FALSE(tree.has_watch("/a", WatcherType::Data, 1));
}

// ---- pipelining (outstanding changes) --------------------------------------------------------------

TEST_F(ZkTree, PrepSeesChangesNotYetApplied) {
  const Txn a = tree.prepare(kS1, CreateRequest{"/a", std::string(), CreateMode::Persistent}, 1, kNow);
  const Txn ab = tree.prepare(kS1, CreateRequest{"/a/b", std::string(), CreateMode::Persistent}, 2, kNow);
  const Txn again = tree.prepare(kS1, CreateRequest{"/a", std::string(), CreateMode::Persistent}, 3, kNow);
  const Txn seq = tree.prepare(kS1, CreateRequest{"/a/s", std::string(), CreateMode::PersistentSequential}, 4, kNow);
  EXPECT_TRUE(std::holds_alternative<CreateTxn>(ab));
  ASSERT_TRUE(std::holds_alternative<ErrorTxn>(again));
  EXPECT_EQ(std::get<ErrorTxn>(again).err, Code::NodeExists);
  EXPECT_EQ(std::get<CreateTxn>(seq).path, "/a/s0000000001");
  EXPECT_EQ(tree.stat("/a"), std::nullopt);  // nothing applied yet
  for (auto [zxid, txn] : {std::pair{1, a}, std::pair{2, ab}, std::pair{3, again}, std::pair{4, seq}}) {
    tree.apply({kS1, zxid, kNow}, txn);
  }
  EXPECT_EQ(children("/a"), names({"b", "s0000000001"}));
  EXPECT_EQ(tree.outstanding_change_count(), 0u);
}

TEST_F(ZkTree, PendingDeleteLetsTheSamePathBeCreatedAgain) {
  create("/a");
  const Txn del = tree.prepare(kS1, DeleteRequest{"/a", 0}, 2, kNow);
  const Txn recreate = tree.prepare(kS1, CreateRequest{"/a", std::string(), CreateMode::Persistent}, 3, kNow);
  EXPECT_TRUE(std::holds_alternative<CreateTxn>(recreate));
  tree.apply({kS1, 2, kNow}, del);
  EXPECT_EQ(tree.apply({kS1, 3, kNow}, recreate).err, Code::Ok);
  EXPECT_EQ(tree.stat("/a")->czxid, 3);
}

TEST_F(ZkTree, DroppedOutstandingChangesAreForgotten) {
  tree.prepare(kS1, CreateRequest{"/a", std::string(), CreateMode::Persistent}, 1, kNow);
  tree.drop_outstanding_changes();
  const Txn child = tree.prepare(kS1, CreateRequest{"/a/b", std::string(), CreateMode::Persistent}, 2, kNow);
  ASSERT_TRUE(std::holds_alternative<ErrorTxn>(child));
  EXPECT_EQ(std::get<ErrorTxn>(child).err, Code::NoNode);
}

TEST_F(ZkTree, ConfigNodeHoldsTheDynamicConfigWithVersionMinusOne) {
  // ZKDatabase.initConfigInZKDatabase: setData(CONFIG_NODE, qv, version -1, zxid = qv version).
  tree.init_config_node("server.1=a:2888:3888:participant;0.0.0.0:2181\nversion=0", 0x100000000, kNow);
  const GetDataResponse config = tree.get_data("/zookeeper/config", std::nullopt);
  EXPECT_EQ(config.stat.version, -1);
  EXPECT_EQ(config.stat.mzxid, 0x100000000);
  EXPECT_EQ(config.data->substr(0, 8), "server.1");
  EXPECT_EQ(set("/zookeeper/config", std::string("x")).err, Code::NoAuth);
}

// ---- properties -----------------------------------------------------------------------------------------

// Weighted towards valid paths over a small universe, so that creates collide, parents exist and
// multis both succeed and fail.
rc::Gen<std::string> gen_path() {
  return rc::gen::weightedElement<std::string>({{6, "/a"}, {6, "/a/b"}, {3, "/a/b/c"}, {6, "/b"}, {4, "/b/x"},
                                                {1, "/a/"}, {1, ""}, {1, "/zookeeper/config/x"}});
}

rc::Gen<CreateMode> gen_mode() {
  return rc::gen::weightedElement<CreateMode>({{6, CreateMode::Persistent}, {2, CreateMode::Ephemeral},
                                               {2, CreateMode::PersistentSequential},
                                               {1, CreateMode::EphemeralSequential}, {2, CreateMode::Container},
                                               {1, CreateMode::PersistentWithTtl}});
}

rc::Gen<MultiOp> gen_op() {
  const auto version = rc::gen::inRange<std::int32_t>(-1, 3);
  const auto data = rc::gen::element<Data>(std::string(), std::string("x"), std::nullopt);
  return rc::gen::weightedOneOf<MultiOp>({
      {4, rc::gen::map(rc::gen::tuple(gen_path(), data, gen_mode()),
                       [](const auto& t) { return MultiOp{CreateRequest{std::get<0>(t), std::get<1>(t), std::get<2>(t)}}; })},
      {2, rc::gen::map(rc::gen::tuple(gen_path(), version),
                       [](const auto& t) { return MultiOp{DeleteRequest{std::get<0>(t), std::get<1>(t)}}; })},
      {2, rc::gen::map(rc::gen::tuple(gen_path(), data, version),
                       [](const auto& t) { return MultiOp{SetDataRequest{std::get<0>(t), std::get<1>(t), std::get<2>(t)}}; })},
      {2, rc::gen::map(rc::gen::tuple(gen_path(), version),
                       [](const auto& t) { return MultiOp{CheckRequest{std::get<0>(t), std::get<1>(t)}}; })},
  });
}

rc::Gen<std::vector<MultiOp>> gen_multi() {
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(1, 6), [](std::size_t count) {
    return rc::gen::container<std::vector<MultiOp>>(count, gen_op());
  });
}

WriteRequest as_write(const MultiOp& op) {
  return std::visit([](const auto& request) { return WriteRequest{request}; }, op);
}

// A tree built by random single writes from two sessions; returns the next free zxid.
Zxid build_random_tree(DataTree& tree) {
  const auto count = *rc::gen::inRange<std::size_t>(0, 40);
  const auto setup = *rc::gen::container<std::vector<std::pair<MultiOp, bool>>>(
      count, rc::gen::pair(gen_op(), rc::gen::arbitrary<bool>()));
  Zxid zxid = 1;
  for (const auto& [op, second_session] : setup) {
    tree.submit(second_session ? kS2 : kS1, as_write(op), zxid++, kNow);
  }
  return zxid;
}

// Everything a client could observe except zxids and times.
std::map<std::string, std::tuple<Data, std::int32_t, std::int32_t, SessionId, std::int32_t>> shape(DataTree& tree) {
  std::map<std::string, std::tuple<Data, std::int32_t, std::int32_t, SessionId, std::int32_t>> out;
  std::vector<std::string> pending{"/"};
  while (!pending.empty()) {
    const std::string path = pending.back();
    pending.pop_back();
    const GetDataResponse node = tree.get_data(path, std::nullopt);
    out[path] = {node.data, node.stat.version, node.stat.cversion, node.stat.ephemeral_owner, node.stat.num_children};
    for (const std::string& child : tree.get_children(path, std::nullopt).children) {
      pending.push_back(path == "/" ? "/" + child : path + "/" + child);
    }
  }
  return out;
}

RC_GTEST_PROP(ZkTreeProperty, FailedMultiLeavesTheTreeByteIdentical, ()) {
  DataTree tree;
  const Zxid zxid = build_random_tree(tree);
  tree.get_data("/a", 1);
  tree.exists("/b", 1);
  tree.get_children("/", 2);
  const std::size_t watches = tree.watch_count();
  const auto ops = *gen_multi();
  const std::string before = tree.dump();
  const Txn txn = tree.prepare(kS1, MultiRequest{ops}, zxid, kNow);
  const std::size_t pending = tree.outstanding_change_count();
  const TxnResult result = tree.apply({kS1, zxid, kNow}, txn);
  RC_ASSERT(result.multi.size() == ops.size());
  if (result.err == Code::Ok) {
    for (const OpResult& op : result.multi) RC_ASSERT(op.type != OpType::Error);
    return;
  }
  RC_ASSERT(tree.dump() == before);
  RC_ASSERT(result.events.empty());
  RC_ASSERT(tree.watch_count() == watches);
  RC_ASSERT(pending == 0u);  // the failed prep rolled back every tentative change
  // Ok... then the failing code, then RuntimeInconsistency.
  std::size_t failing = 0;
  while (result.multi[failing].err == Code::Ok) ++failing;
  RC_ASSERT(result.multi[failing].err == result.err);
  for (std::size_t i = failing + 1; i < ops.size(); ++i) RC_ASSERT(result.multi[i].err == Code::RuntimeInconsistency);
}

RC_GTEST_PROP(ZkTreeProperty, MultiFailsExactlyWhereTheOpsAppliedOneByOneWouldFail, ()) {
  DataTree tree;
  const Zxid zxid = build_random_tree(tree);
  const auto ops = *gen_multi();
  DataTree one_by_one = tree;
  std::optional<std::pair<std::size_t, Code>> first_failure;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Code code = one_by_one.submit(kS1, as_write(ops[i]), zxid + static_cast<Zxid>(i), kNow).err;
    if (code != Code::Ok) {
      first_failure = {i, code};
      break;
    }
  }
  const TxnResult result = tree.submit(kS1, MultiRequest{ops}, zxid, kNow);
  if (!first_failure) {
    RC_ASSERT(result.err == Code::Ok);
    RC_ASSERT(shape(tree) == shape(one_by_one));
  } else {
    RC_ASSERT(result.err == first_failure->second);
    RC_ASSERT(result.multi[first_failure->first].err == first_failure->second);
  }
}

RC_GTEST_PROP(ZkTreeProperty, VisibleCversionCountsCreatesAndDeletesAndSuffixCountsCreates, ()) {
  DataTree tree;
  Zxid zxid = 1;
  tree.submit(kS1, CreateRequest{"/p", std::string(), CreateMode::Persistent}, zxid++, kNow);
  std::int32_t creates = 0;
  std::int32_t deletes = 0;
  const auto steps = *rc::gen::container<std::vector<bool>>(rc::gen::arbitrary<bool>());
  for (bool create : steps) {
    const std::vector<std::string> live = tree.get_children("/p", std::nullopt).children;
    if (create || live.empty()) {
      const TxnResult made =
          tree.submit(kS1, CreateRequest{"/p/n-", std::string(), CreateMode::EphemeralSequential}, zxid++, kNow);
      RC_ASSERT(made.path == "/p/n-" + sequential_suffix(creates));
      ++creates;
    } else {
      tree.submit(kS2, DeleteRequest{"/p/" + live.front(), -1}, zxid++, kNow);
      ++deletes;
    }
    RC_ASSERT(tree.stat("/p")->cversion == creates + deletes);
  }
}

}  // namespace
