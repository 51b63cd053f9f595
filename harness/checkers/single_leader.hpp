#pragma once
// single-leader (harness/README.md):
//  A. ZooKeeper's choice: at the end of every instant, the clusters that share one ZooKeeper
//     namespace name at most one JobManager in their `zk-leader` events together.
//  B. Fencing: once a newer leader session of a cluster has been confirmed (its first `confirm`),
//     no effect tagged with an older session of that cluster is accepted afterwards. Effects:
//     checkpoint-added, job-graph-added, checkpoint-completed, tm-commit, and tm-accept of a
//     deploy or a notify. Sessions are ordered by their `grant`.
//  C. When the scenario bounds it, the believed-leader overlap stays within the bound.
#include "harness/checkers/check_context.hpp"

namespace harness {

std::vector<Violation> check_single_leader(const Events& events, const CheckContext& context);

}  // namespace harness
