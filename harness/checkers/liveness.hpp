#pragma once
// liveness (harness/README.md): the run has a fault phase, then a healed phase from the
// scenario's faults end. Checked only when the deadline falls inside the run:
//  A. leader: in each cluster, at faults end + leader_within some JobManager believes it leads
//     (granted, not revoked, not crashed) and its session has a `confirm` of component
//     "dispatcher" at or before that instant;
//  B. checkpoints: in a cluster with checkpointing on, every acknowledged job that is not
//     terminal by the deadline commits a checkpoint (`checkpoint-completed`) in
//     (max(faults end, acknowledged), that + checkpoint_within].
#include "harness/checkers/check_context.hpp"

namespace harness {

std::vector<Violation> check_liveness(const Events& events, const CheckContext& context);

}  // namespace harness
