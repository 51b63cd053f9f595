#pragma once
// The ordering rule of Curator's LeaderLatch (LockInternals.getSortedChildren with the "latch-"
// lock name): children sort by the text after "latch-", i.e. by sequence number, whatever the
// protection prefix; the first leads and every other watches the one just before it.
#include <optional>
#include <string>
#include <vector>

namespace model::curator {

inline constexpr const char* kLatchLockName = "latch-";

// Children of the latch path that are latch nodes, sorted by their sequence suffix.
std::vector<std::string> sorted_latch_children(const std::vector<std::string>& children);

struct LatchDecision {
  enum class Kind { kLead, kWatchPredecessor, kNodeMissing };
  Kind kind = Kind::kNodeMissing;
  std::string predecessor;  // kWatchPredecessor: the child to watch
};

// checkLeadership: our node's place among the children. kNodeMissing means reset (re-create).
LatchDecision decide_latch(const std::vector<std::string>& children, const std::string& our_node);

}  // namespace model::curator
