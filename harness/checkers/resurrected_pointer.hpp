#pragma once
// Checkpoint pointers re-created after a removal had discarded their file, from the trace alone:
// a `checkpoint-added` at a path after a `checkpoint-file-discarded` or `checkpoint-removed`
// naming that path. Checkpoint ids are never reused, so only a retry of the first addAndLock can
// create the path again; the new pointer names a file that is gone, and every later store
// recovery of the job fails on it (DefaultCompletedCheckpointStoreUtils.retrieveCompletedCheckpoints
// reads every pointer).
//
// `across_session_change` marks HASIM-G4 (harness/KNOWN_ISSUES.md): the re-create was a retried
// attempt (`attempts` > 1) and its JobManager's Curator client changed ZooKeeper session between
// the checkpoint's trigger (before the first attempt) and the re-create. Curator's RetryLoop
// retries the whole transaction blindly, also in a new session after SessionExpired
// (CuratorTransactionImpl.commit -> RetryLoop.callWithRetry).
#include <string>
#include <vector>

#include "harness/checkers/check_context.hpp"

namespace harness {

struct ResurrectedPointer {
  JobKey job;
  std::string path;
  std::string file;        // as the re-creating checkpoint-added names it
  std::string jobmanager;  // who re-created it
  std::string session_id;
  sim::Instant at;            // the re-creating checkpoint-added
  sim::Instant discarded_at;  // the removal that had discarded the file
  std::int64_t attempts = 0;
  bool across_session_change = false;
};

std::vector<ResurrectedPointer> resurrected_pointers(const Events& events, const CheckContext& context);

// ".../checkpoints/0000000000000000042" -> 42; -1 when the last component is not a number.
std::int64_t checkpoint_id_of_pointer(const std::string& path);

}  // namespace harness
