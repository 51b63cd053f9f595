#pragma once
// Hand-written conformance sequences, each aimed at one corner of the server's behaviour. The real
// server's trace of each is in golden/directed/<name>.jsonl (recorded with zk_oracle_record, ZooKeeper
// 3.8.0 standalone); the simulated ensemble must reproduce it (sim_golden_test.cpp), and the oracle
// test checks that the real server still does (oracle_conformance_test.cpp). std only.
//
// `covers` names the difference of the simulated server a case was written to pin down (README.md,
// "Differences found and fixed"); every case must match, those are also run under more seeds.
#include <string>
#include <vector>

#include "tests/conformance/zk_ops.hpp"

namespace conformance {

struct DirectedCase {
  std::string name;
  std::vector<Op> ops;
  std::string covers;  // a fixed difference of the simulated server this case reproduced, or empty
  int min_servers = 1;  // run only on an ensemble of at least this many servers
};

inline std::vector<DirectedCase> directed_cases() {
  const auto P = CreateMode::kPersistent;
  const auto EPH = CreateMode::kEphemeral;
  const auto PSEQ = CreateMode::kPersistentSequential;
  const auto ESEQ = CreateMode::kEphemeralSequential;
  const auto CONT = CreateMode::kContainer;
  return {
      {"server_side_path_validation",
       {open_session(0), create(0, "/a", "r", P), create(0, "/a/\x7f", "x", P), create(0, "/a/\x1f", "x", P),
        create(0, "/a/\xc3\xa9", "x", P), create(0, "/a/\xff", "x", P), get_data(0, "/a/\xff"),
        exists(0, "/a/\x7f", true), multi(0, {create(0, "/a/ok", "", P), create(0, "/a/\x7f", "", P)}),
        exists(0, "/a/ok"), create(0, "/a/zookeeper", "", P), delete_node(0, "/a/\x7f"), set_data(0, "/a/\x7f", "x"),
        sync_op(0, "/a/\x7f"), get_children(0, "/a")},
       ""},
      {"sequential_names",
       {open_session(0), create(0, "/a", "r", P), create(0, "/a/", "x", PSEQ), create(0, "/a/.", "x", PSEQ),
        create(0, "/a/..", "x", PSEQ), create(0, "/a/s-", "x", PSEQ),
        multi(0, {create(0, "/a/m-", "", PSEQ), check("/a/zz", 0)}), create(0, "/a/s-", "x", PSEQ),
        multi(0, {create(0, "/a/m-", "", PSEQ), create(0, "/a/m-", "", PSEQ)}), get_children(0, "/a")},
       ""},
      {"containers_and_data",
       {open_session(0), open_session(1), create(0, "/a", "r", P), create(0, "/a/c", std::nullopt, CONT),
        get_data(0, "/a/c"), exists(1, "/a/c", true), set_data(0, "/a/c", std::nullopt, 0), get_data(0, "/a/c"),
        set_data(0, "/a/c", "", -1), get_data(1, "/a/c", true), set_data(0, "/a/c", std::string("\0\x01\xff", 3), -1),
        get_data(0, "/a/c"), delete_node(0, "/a/c", 3), exists(0, "/a/c")},
       ""},
      {"watches_in_multis",
       {open_session(0), open_session(1), create(0, "/a", "r", P), exists(1, "/a/x", true), get_children(1, "/a", true),
        multi(0, {create(0, "/a/x", "", P), delete_node(0, "/a/x", 0)}), exists(1, "/a/x", true),
        get_data(1, "/a", true), exists(1, "/a", true),
        multi(0, {set_data(0, "/a", "1", -1), set_data(0, "/a", "2", -1), check("/a", 2)}), get_data(0, "/a"),
        get_children(1, "/a", true), multi(0, {create(0, "/a/y", "", P), create(0, "/a/z", "", P)}),
        multi(0, {check("/nope", -1)}), multi(0, {delete_node(0, "/a", -1)})},
       ""},
      {"versions_and_ephemeral_parents",
       {open_session(0), open_session(1), create(0, "/a", "r", P), create(0, "/a/x", "", P), delete_node(0, "/a", 5),
        delete_node(0, "/a", 0), set_data(0, "/a", "v", 0), set_data(0, "/a", "v", 0), create(1, "/b", "", EPH),
        create(0, "/b/x", "", P), multi(0, {create(0, "/b/y", "", P)}), create(0, "/b/s-", "", PSEQ), close_session(1),
        create(0, "/b", "", P), exists(0, "/b")},
       ""},
      {"one_notification_per_watcher",
       {open_session(0), open_session(1), create(0, "/a", "r", P), get_data(1, "/a", true), exists(1, "/a", true),
        get_children(1, "/a", true), delete_node(0, "/a"), exists(1, "/a", true), get_data(1, "/a", true),
        create(0, "/a", "", P), create(1, "/a/e", "", EPH), get_data(1, "/a/e", true), close_session(1),
        get_children(0, "/a")},
       ""},
      {"negotiated_timeouts",
       {open_session(0, 1000), open_session(1, 4000), open_session(2, 5000), open_session(3, 40000),
        open_session(4, 60000), open_session(5, 100000), open_session(5, 10000), close_session(5),
        open_session(5, 3999)},
       ""},
      {"client_side_rules",
       {get_data(0, "/a"),
        open_session(0),
        create(0, "a", "", P),
        create(0, "/a/", "", P),
        exists(0, "/a//b"),
        sync_op(0, "bad"),
        multi(0, {create(0, "/a", "", P), check("/a/", 0)}),
        multi(0, {check("bad", 0)}),
        close_session(0),
        close_session(0),
        exists(0, "/a"),
        expire_session(0),
        open_session(0),
        expire_session(0),
        get_data(0, "/a"),
        get_data(0, "bad"),
        multi(0, {check("/a", -1)}),
        sync_op(0, "/"),
        expire_session(0),
        close_session(0),
        open_session(0),
        exists(0, "/a")},
       ""},
      {"expire_with_own_watches",
       {open_session(0), open_session(1), create(0, "/a", "r", P), create(1, "/a/e", "x", EPH), exists(1, "/a/e", true),
        get_children(1, "/a", true), get_children(0, "/a", true), expire_session(1), get_children(0, "/a")},
       "reattach-keeps-old-connection"},
      {"close_deletes_ephemerals_in_hash_order",
       {open_session(0), open_session(1), create(0, "/a", "r", P), create(0, "/b", "r", P), create(1, "/a/x", "", EPH),
        create(1, "/a/y", "", EPH), create(1, "/b/x", "", EPH), create(1, "/b/y", "", EPH),
        create(1, "/a/s-", "", ESEQ), create(1, "/a/s-", "", ESEQ), create(1, "/b/s-", "", ESEQ),
        exists(0, "/a/x", true), exists(0, "/a/y", true), exists(0, "/b/x", true), exists(0, "/b/y", true),
        exists(0, "/a/s-0000000002", true), exists(0, "/a/s-0000000003", true), exists(0, "/b/s-0000000002", true),
        close_session(1)},
       "close-session-deletion-order"},
      {"expiry_deletes_ephemerals_in_hash_order",
       {open_session(0), open_session(1), create(0, "/a", "r", P), create(0, "/b", "r", P), create(1, "/a/x", "", EPH),
        create(1, "/a/y", "", EPH), create(1, "/b/x", "", EPH), create(1, "/b/y", "", EPH), exists(0, "/a/x", true),
        exists(0, "/a/y", true), exists(0, "/b/x", true), exists(0, "/b/y", true), get_children(0, "/a", true),
        expire_session(1)},
       "close-session-deletion-order"},
      // SessionMoved (ZooKeeperServer / PrepRequestProcessor checkSession with the request's owner;
      // FinalRequestProcessor closes the connection instead of answering, ZOOKEEPER-710), provoked as
      // SessionTest.testSessionMove does: the session of slot 0 (server 0) is re-attached by slot 1
      // through server 1; a write through the new handle is applied, one through the old handle's
      // still-open connection is not (the old connection is dropped: -4 and CONNECTING), and a fresh
      // session on server 2 sees which. The ephemeral created through the new handle is owned by the
      // session (slot 0, the first slot that held it). 3 servers only: on one server the re-attach
      // itself closes the old connection.
      {"session_moved",
       {open_session(0), create(0, "/a", "r", P), reattach_session(1, 0, 1), create(1, "/a/new", "n", P),
        create(1, "/a/e", "", EPH), create(0, "/a/old", "o", P), create(0, "/a/old2", "o", P), open_session(2),
        exists(2, "/a/old"), exists(2, "/a/new"), get_children(2, "/a"), exists(2, "/a/e"),
        set_data(1, "/a/new", "m", 0), get_data(2, "/a/new")},
       "session-moved", 3},
  };
}

}  // namespace conformance
