#pragma once
// unique-checkpoint-ids (harness/README.md): within one job (cluster + job id), no checkpoint id
// is triggered twice (`checkpoint-triggered`) and none is committed twice (`checkpoint-completed`),
// whichever JobManager or leader session drew it.
#include "harness/checkers/check_context.hpp"

namespace harness {

std::vector<Violation> check_unique_checkpoint_ids(const Events& events, const CheckContext& context);

}  // namespace harness
