#pragma once
// The fixed sequence of zk_oracle_smoke, shared so the simulated ensemble can run exactly the same
// ops and compare its trace with tests/conformance/golden/smoke_trace.jsonl (the real server's).
// Covers: creates of every mode (sequential names), versioned get/set/delete, exists/data/child
// watches, a multi failing at its 3rd op and at its 1st, a succeeding multi, NULL vs empty data,
// the usual error codes, two sessions with ephemerals, close, forced expiry, slot reuse.
#include <cstdint>
#include <vector>

#include "tests/conformance/zk_ops.hpp"

namespace conformance {

struct SmokeStep {
  Op op;
  std::int32_t expect;  // expected rc
};

inline std::vector<SmokeStep> smoke_sequence() {
  using E = EventType;
  const auto P = CreateMode::kPersistent;
  const auto EPH = CreateMode::kEphemeral;
  const auto PSEQ = CreateMode::kPersistentSequential;
  const auto ESEQ = CreateMode::kEphemeralSequential;
  return {
      {open_session(0, 10000), rc::kOk},
      {open_session(1, 10000), rc::kOk},
      {create(0, "/app", "root", P), rc::kOk},
      {create(0, "/app/p", "v0", P), rc::kOk},
      {create(0, "/app/e", "eph0", EPH), rc::kOk},
      {create(0, "/app/seq-", "a", PSEQ), rc::kOk},
      {create(1, "/app/seq-", "b", ESEQ), rc::kOk},
      {create(0, "/app/seq-", "c", PSEQ), rc::kOk},
      {get_children(0, "/app", /*watch=*/true), rc::kOk},       // child watch for s0
      {get_data(1, "/app/p", /*watch=*/true), rc::kOk},         // data watch for s1
      {set_data(0, "/app/p", "v1", 0), rc::kOk},                // -> CHANGED /app/p to s1
      {set_data(0, "/app/p", "v2", 0), rc::kBadVersion},
      {delete_node(0, "/app/p", 5), rc::kBadVersion},
      {get_data(0, "/app/p"), rc::kOk},
      {exists(1, "/app/x", /*watch=*/true), rc::kNoNode},       // exists watch on a missing node
      {create(0, "/app/x", "", P), rc::kOk},                    // -> CREATED /app/x to s1, CHILD /app to s0
      {get_children(0, "/app"), rc::kOk},                       // cversion after 5 creates
      {exists(1, "/app/x", /*watch=*/true), rc::kOk},
      {delete_node(0, "/app/x", 0), rc::kOk},                   // -> DELETED /app/x to s1
      {get_children(0, "/app", /*watch=*/true), rc::kOk},       // cversion after a delete
      // A multi that fails at its third op: nothing applied, per-op codes reported.
      {multi(0, {create(0, "/app/m1", "m", P), set_data(0, "/app/p", "v3", 1), check("/app/p", 99),
                 create(0, "/app/m2", "m", P)}),
       rc::kBadVersion},
      {exists(0, "/app/m1"), rc::kNoNode},
      {get_data(0, "/app/p"), rc::kOk},                         // still version 1
      // A multi that fails at its first op.
      {multi(0, {delete_node(0, "/app/nope"), create(0, "/app/m1", "m", P)}), rc::kNoNode},
      // A multi that succeeds.
      {multi(0, {create(0, "/app/m1", "m", P), create(0, "/app/mseq-", "s", PSEQ), set_data(0, "/app/p", "v4", -1),
                 check("/app/m1", 0), delete_node(0, "/app/m1", 0)}),
       rc::kOk},                                                // -> CHILD /app to s0 (watch set above)
      {get_children(0, "/app"), rc::kOk},
      {create(0, "/app/n", std::nullopt, P), rc::kOk},          // NULL data
      {get_data(0, "/app/n"), rc::kOk},
      {create(0, "/app/empty", "", P), rc::kOk},                // empty, not NULL, data
      {get_data(0, "/app/empty"), rc::kOk},
      {create(0, "/app/e/child", "", P), rc::kNoChildrenForEphemerals},
      {create(0, "/app/missing/child", "", P), rc::kNoNode},
      {create(0, "/app/p", "", P), rc::kNodeExists},
      {delete_node(0, "/app"), rc::kNotEmpty},
      {create(0, "bad-path", "", P), rc::kBadArguments},        // rejected by the C client
      {exists(1, "/app/e", /*watch=*/true), rc::kOk},           // ephemeral owned by s0
      {get_children(1, "/app", /*watch=*/true), rc::kOk},
      {get_data(0, "/app/e", /*watch=*/true), rc::kOk},         // s0 watches its own ephemeral
      {close_session(0), rc::kOk},                              // -> DELETED /app/e, CHILD /app to s1
      {get_children(1, "/app"), rc::kOk},
      {exists(1, "/app/e"), rc::kNoNode},
      {get_data(0, "/app/p"), rc::kInvalidState},               // slot 0 is closed
      {open_session(2, 10000), rc::kOk},
      {get_children(2, "/app", /*watch=*/true), rc::kOk},
      {exists(2, "/app/seq-0000000003", /*watch=*/true), rc::kOk},  // s1's ephemeral sequential
      {expire_session(1), rc::kOk},                             // server ends s1; its ephemeral goes
      {await_event(1, E::kSession, "", 500, state::kExpiredSession), rc::kOperationTimeout},  // already drained
      {get_data(1, "/app/p"), rc::kInvalidState},               // C client: expired handle
      {get_children(2, "/app"), rc::kOk},
      {sync_op(2, "/app"), rc::kOk},
      {close_session(1), rc::kOk},
      {open_session(0, 10000), rc::kOk},                        // a slot can be reused
      {get_children(0, "/app"), rc::kOk},
      {close_session(0), rc::kOk},
      {close_session(2), rc::kOk},
  };
}

}  // namespace conformance
