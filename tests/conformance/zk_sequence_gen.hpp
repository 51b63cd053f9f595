#pragma once
// RapidCheck generator of client-operation sequences for the ZooKeeper conformance comparison
// (real server through OracleClient vs simulated ensemble through SimClientDriver).
//
// A sequence opens 2-3 session slots, then runs 20-40 ops over a small path alphabet so that
// collisions happen: creates in every mode (sequential ones too, whose names are predictable from
// the parent's cversion, and which later ops may name), deletes and setData with right and wrong
// versions, getData/exists/getChildren with and without watches, multis whose check ops sometimes
// fail, sync, ephemerals across session close and reopen, forced expiry now and then, and a few
// client-side rejections (malformed paths, ops on closed slots).
//
// What the alphabet avoids, and why:
//   * the root and /zookeeper: their stats carry the server's history (the real server is wiped,
//     not restarted, between sequences);
//   * sequential creates directly under the root: the name is the root's cversion;
//   * containers with children: the real server's ContainerManager deletes an emptied container
//     on its own schedule (every 60 s), which no sequence can place. Containers are only created
//     at /a/y and /b/x, which never get children.
// make_safe() then removes the C client's crash hazards (see there).
#include <rapidcheck.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tests/conformance/zk_ops.hpp"

namespace conformance {

struct SequenceGenConfig {
  int min_ops = 20;  // after the opens
  int max_ops = 40;
  int min_sessions = 2;
  int max_sessions = 3;
  // Per-op weights out of about 760 for the other kinds together (a sequence of 30 ops with weight 2
  // holds an expire about one time in twelve). Expire is the slow op on the oracle: its second-handle
  // technique sometimes needs a retry (2 s) or more.
  unsigned expire_weight = 2;
  unsigned timing_weight = 5;  // a short sleep / await_event (costs real time on the oracle)
  bool bad_paths = true;       // occasionally paths the C client or the server rejects
};

namespace seqgen {

inline ::rc::Gen<std::optional<std::string>> data() {
  return ::rc::gen::weightedElement<std::optional<std::string>>({
      {2, std::nullopt},
      {2, std::string()},
      {4, std::string("d0")},
      {4, std::string("d1")},
      {2, std::string("longer data value")},
      {1, std::string("bin\x01\xff", 5)},
  });
}

// Paths of existing or soon-existing nodes; a few malformed or server-rejected ones.
inline ::rc::Gen<std::string> node_path(bool bad_paths) {
  if (!bad_paths) {
    return ::rc::gen::weightedElement<std::string>({
        {6, "/a"},
        {5, "/b"},
        {6, "/a/x"},
        {4, "/a/y"},
        {4, "/b/x"},
        {3, "/a/x/z"},
        {2, "/a/s-0000000000"},
        {2, "/a/s-0000000001"},
        {2, "/a/s-0000000002"},
        {1, "/b/s-0000000000"},
    });
  }
  return ::rc::gen::weightedElement<std::string>({
      {6, "/a"},
      {5, "/b"},
      {6, "/a/x"},
      {4, "/a/y"},
      {4, "/b/x"},
      {3, "/a/x/z"},
      {2, "/a/s-0000000000"},
      {2, "/a/s-0000000001"},
      {2, "/a/s-0000000002"},
      {1, "/b/s-0000000000"},
      {1, "a"},        // C client: ZBADARGUMENTS
      {1, "/a/"},      // C client: trailing slash
      {1, "/a//x"},    // C client: empty name
      {1, "/a/."},     // C client: relative name
      {1, "/a/\x1f"},  // passes the C client (< 0x1f), rejected by the server on create
      {1, "/a/\x7f"},  // passes the C client, rejected by the server on create
      {1, "/a/zookeeper"},
  });
}

inline ::rc::Gen<bool> watch() { return ::rc::gen::weightedElement<bool>({{2, false}, {3, true}}); }

inline ::rc::Gen<std::int32_t> version() {
  return ::rc::gen::weightedElement<std::int32_t>({{5, -1}, {5, 0}, {3, 1}, {1, 2}, {1, 7}});
}

// A create of a mode and path that fit the alphabet's rules.
inline ::rc::Gen<Op> create_op(int session, bool bad_paths) {
  return ::rc::gen::exec([=] {
    const int what = *::rc::gen::weightedElement<int>({{5, 0}, {4, 1}, {3, 2}, {3, 3}, {1, 4}});
    switch (what) {
      case 0: {  // persistent
        return create(session, *node_path(bad_paths), *data(), CreateMode::kPersistent);
      }
      case 1: {  // ephemeral
        return create(session, *node_path(bad_paths), *data(), CreateMode::kEphemeral);
      }
      case 2: {  // persistent sequential
        const std::string base =
            *::rc::gen::weightedElement<std::string>({{6, "/a/s-"}, {2, "/b/s-"}, {1, "/a/"}, {1, "/a/x/s-"}});
        return create(session, base, *data(), CreateMode::kPersistentSequential);
      }
      case 3: {  // ephemeral sequential
        const std::string base = *::rc::gen::weightedElement<std::string>({{6, "/a/s-"}, {2, "/b/s-"}, {1, "/a/x/s-"}});
        return create(session, base, *data(), CreateMode::kEphemeralSequential);
      }
      default: {  // container: only where no child is ever created
        const std::string path = *::rc::gen::element<std::string>("/a/y", "/b/x");
        return create(session, path, *data(), CreateMode::kContainer);
      }
    }
  });
}

inline ::rc::Gen<Op> sub_op(bool bad_paths) {
  return ::rc::gen::exec([=] {
    const int what = *::rc::gen::weightedElement<int>({{4, 0}, {2, 1}, {2, 2}, {3, 3}});
    switch (what) {
      case 0: {
        Op sub = *create_op(0, bad_paths);
        if (sub.mode == CreateMode::kContainer) sub.mode = CreateMode::kPersistent;  // see make_safe
        return sub;
      }
      case 1: return delete_node(0, *node_path(bad_paths), *version());
      case 2: return set_data(0, *node_path(bad_paths), *data(), *version());
      default: return check(*node_path(bad_paths), *version());
    }
  });
}

inline ::rc::Gen<Op> op(const SequenceGenConfig& config, int sessions) {
  return ::rc::gen::exec([=] {
    const int s = *::rc::gen::inRange(0, sessions);
    const bool bad = config.bad_paths;
    const int what = *::rc::gen::weightedElement<int>({
        {200, 0},                    // create
        {70, 1},                     // delete
        {70, 2},                     // set_data
        {90, 3},                     // get_data
        {90, 4},                     // exists
        {70, 5},                     // get_children
        {80, 6},                     // multi
        {20, 7},                     // sync
        {20, 8},                     // close
        {20, 9},                     // open (maybe of an open slot: ZBADARGUMENTS)
        {config.expire_weight, 10},  // expire
        {config.timing_weight, 11},  // sleep / await_event
    });
    switch (what) {
      case 0: return *create_op(s, bad);
      case 1: return delete_node(s, *node_path(bad), *version());
      case 2: return set_data(s, *node_path(bad), *data(), *version());
      case 3: return get_data(s, *node_path(bad), *watch());
      case 4: return exists(s, *node_path(bad), *watch());
      case 5: {
        const std::string path =
            *::rc::gen::weightedElement<std::string>({{8, "/a"}, {4, "/b"}, {3, "/a/x"}, {1, "/a/y"}});
        return get_children(s, path, *watch());
      }
      case 6: {
        const auto subs =
            *::rc::gen::container<std::vector<Op>>(static_cast<std::size_t>(*::rc::gen::inRange(1, 5)), sub_op(bad));
        return multi(s, subs);
      }
      case 7: return sync_op(s, *::rc::gen::element<std::string>("/", "/a", "/a/x"));
      case 8: return close_session(s);
      // No long session timeouts (the oracle's expire), few short ones (spurious disconnects).
      case 9: return open_session(s, *::rc::gen::weightedElement<std::int32_t>({{4, 10000}, {1, 4000}}));
      case 10: return expire_session(s);
      default:
        if (*::rc::gen::arbitrary<bool>()) return sleep_ms(*::rc::gen::element<std::int32_t>(5, 20));
        return await_event(s, EventType::kChild, "/a", *::rc::gen::element<std::int32_t>(5, 20));
    }
  });
}

}  // namespace seqgen

// The whole sequence: opens of 2-3 slots, usually /a and /b created first, then the random ops.
// Shrinking simplifies the ops and then removes ops (any of them, the opens included).
inline ::rc::Gen<std::vector<Op>> op_sequence(const SequenceGenConfig& config = {}) {
  auto sequence = ::rc::gen::exec([config] {
    const int sessions = *::rc::gen::inRange(config.min_sessions, config.max_sessions + 1);
    std::vector<Op> ops;
    // 10 s sessions: shorter ones (receive timeout 2/3 T) get dropped by a real server that a loaded
    // machine stalls for a couple of seconds; longer ones lengthen the oracle's expire when its second
    // handle loses the race (it then waits its connect timeout + 2 T).
    for (int s = 0; s < sessions; s++) ops.push_back(open_session(s, 10000));
    if (*::rc::gen::weightedElement<int>({{4, 1}, {1, 0}})) ops.push_back(create(0, "/a", "root-a"));
    if (*::rc::gen::weightedElement<int>({{3, 1}, {1, 0}})) ops.push_back(create(sessions - 1, "/b", std::nullopt));
    const int n = *::rc::gen::inRange(config.min_ops, config.max_ops + 1);
    const auto body = *::rc::gen::container<std::vector<Op>>(static_cast<std::size_t>(n), seqgen::op(config, sessions));
    ops.insert(ops.end(), body.begin(), body.end());
    return ops;
  });
  return ::rc::gen::shrink(std::move(sequence),
                           [](const std::vector<Op>& ops) { return ::rc::shrink::removeChunks(ops); });
}

// Removes what would crash the ZooKeeper C client 3.8.0 rather than test the server:
//   zoo_amulti keeps going after a sub-op fails Request_path_init (malformed path, or an expired
//   handle) and calls free_duplicate_path on the next sub-op's uninitialised request path. So a
//   multi is cut right after the first sub-op that the C client would reject; on a slot that was
//   expired (and not closed since) a multi keeps only its first sub-op.
//   A container create inside a multi goes out as OpCode.createContainer, whose answer carries a
//   stat the 3.8.0 C client does not expect (it reads a plain create result, loses its place in
//   the reply and fails `assert(entry)` in deserialize_multi): such a sub-op becomes persistent.
//   Slot states are tracked
//   conservatively (an expire on an open slot counts as successful): both sides run the result.
std::vector<Op> make_safe(std::vector<Op> ops);

// RapidCheck's display of a picked sequence, and a C++ rendering that can be pasted into a test.
std::string to_cpp(const Op& op);
std::string to_cpp(const std::vector<Op>& ops);
void showValue(const Op& op, std::ostream& os);

}  // namespace conformance
