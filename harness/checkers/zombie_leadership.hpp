#pragma once
// CURATOR-696 zombie grants, from the trace alone. Curator 5.4.0's LeaderLatch, on RECONNECTED,
// re-reads the latch children and calls setLeadership(true) when its own node (`ourPath`) is the
// lowest, without checking who owns that node (LeaderLatch.checkLeadership). After a session
// expiry the node can still belong to the old, dead-but-not-yet-expired session: the latch then
// leads on a node that ZooKeeper deletes moments later, and nothing tells it (no watch on its own
// node). Fixed in Curator 5.7.0 (commit 1027c2cd: getData on our node, reset() when its
// ephemeralOwner is not the current session).
//
// A zombie grant is a `curator` `latch-is-leader` whose node was created in an older ZooKeeper
// session than the client's current one. The latch events carry both sessions (`node_session`,
// `session`; model/flink/TRACE.md) when the model records them; otherwise they are derived: a
// `latch-node` was created in the session of its process's latest CONNECTED/RECONNECTED, and
// `latch-is-leader` runs in the session of the latest one before it.
#include <set>
#include <string>
#include <vector>

#include "harness/checkers/check_context.hpp"

namespace harness {

struct ZombieGrant {
  std::string cluster;     // trace name of the JobManager's cluster
  std::string jobmanager;  // process
  std::string session_id;  // the Flink leader session of the `grant` it caused
  sim::Instant at;         // the latch-is-leader
  std::int64_t node_session = 0;     // ZooKeeper session that created the latch node
  std::int64_t client_session = 0;   // ZooKeeper session of the client at the grant
};

std::vector<ZombieGrant> zombie_grants(const Events& events, const CheckContext& context);

}  // namespace harness
