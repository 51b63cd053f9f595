#pragma once
// single-leader (harness/README.md):
//  A. ZooKeeper's choice: at the end of every instant, the clusters that share one ZooKeeper
//     namespace name at most one JobManager in their `zk-leader` events together.
//  B. Fencing, as Flink fences (sessions ordered by their `grant`, judged per component: a job's
//     effects by `job-<id>` confirms, job-graph-added by `dispatcher` ones):
//     - TaskManager effects (tm-commit, tm-accept of a deploy or a notify): none of an older
//       session after a newer session of the component was confirmed on any JobManager;
//     - store effects (checkpoint-added, checkpoint-completed, job-graph-added): none of an older
//       session after the same JobManager process confirmed a newer session of the component.
//       Across processes store writes are not fenced (FLINK-10333 never built; Curator retries a
//       transaction across session expiry), within one they are ordered (FLINK-11400's fix).
//  C. When the scenario bounds it, the believed-leader overlap stays within the bound.
#include "harness/checkers/check_context.hpp"

namespace harness {

std::vector<Violation> check_single_leader(const Events& events, const CheckContext& context);

}  // namespace harness
