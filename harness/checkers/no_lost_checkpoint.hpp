#pragma once
// no-lost-checkpoint (harness/README.md). A checkpoint is *committed* at its
// `checkpoint-completed`. Per job (cluster + job id):
//  A. every `job-restored` uses a checkpoint id >= the highest committed before it;
//  B. the latest committed checkpoint's pointer (the path of the `checkpoint-added` with its file)
//     and its file stay until it is superseded (a `checkpoint-added` whose pointer names a higher
//     id, or a higher `checkpoint-completed`) or the job is terminal: no
//     checkpoint-removed / checkpoint-pointer-deleted / checkpoint-file-discarded names them, and
//     no successful storage `delete` removes the file. Files lost by an injected fault (`fs`
//     `lose`) are the fault, not a violation;
//  C. a checkpoint the store still lists stays readable: a store recovery that finds a pointer
//     whose file is gone (`checkpoint-read-missing-file`, path and file) is a lost checkpoint,
//     unless a removal of that pointer had discarded the file (`checkpoint-file-discarded` or
//     `checkpoint-removed` naming the path: a removal a crash cut short) or the file was lost by
//     an injected fault (`fs` `lose`). Such a pointer fails every recovery of the job
//     (FLINK-24543 discards the file behind the pointer of its own committed multi).
//  D. no pointer is resurrected: no `checkpoint-added` creates a pointer at a path after a removal
//     discarded that path's file (`checkpoint-file-discarded` / `checkpoint-removed` naming it);
//     and at the end of the run every pointer the store still lists (added, and neither deleted
//     nor marked for deletion by a removal that reached its file) names a file that exists (not
//     discarded, not deleted; a file lost by an injected fault is the fault, as in B and C). The
//     end-of-run half catches a dangling pointer no recovery has read yet.
#include "harness/checkers/check_context.hpp"

namespace harness {

std::vector<Violation> check_no_lost_checkpoint(const Events& events, const CheckContext& context);

// "hdfs:///flink/ha/x" and "/flink/ha/x" name the same storage file.
std::string storage_path(const std::string& file);

}  // namespace harness
