#pragma once
// ha-lifecycle (harness/README.md), per job (cluster + job id). Its HA data: every pointer path and
// file named by its checkpoint-added and job-graph-added events.
//  A. once terminal, by max(terminal, faults end) + cleanup_within (checked when that falls
//     inside the run): `job-cleanup-done` was seen and every piece of its HA data was deleted.
//     Deleted: X-removed (path and file), X-pointer-deleted (path), X-file-discarded (file) for X
//     in checkpoint, job-graph; a storage `delete` (ok or not_found) or `lose` of the file.
//  B. nothing of it is deleted while it is suspended (acknowledged, not terminal, active on no
//     JobManager after a job-suspended or the crash of the last JobManager running it).
#include "harness/checkers/check_context.hpp"

namespace harness {

std::vector<Violation> check_ha_lifecycle(const Events& events, const CheckContext& context);

}  // namespace harness
