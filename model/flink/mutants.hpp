#pragma once
// The real Flink HA bugs the model can switch back on, one at a time per run (the bug table in
// flink-ha-facts.md), plus one synthetic mutant. All are off by default. Each is reproduced by
// its mechanism inside the model code, never by breaking a property directly: a checker earns
// trust by catching the mechanism.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace model::flink {

enum class Mutant {
  kNone,
  kFlink10052,  // leadership revoked on SUSPENDED; on Curator 2.x the latch re-queues
  kFlink19557,  // leader retrieval not re-notified after RECONNECTED with unchanged data
  kFlink14091,  // checkpoint id counter keeps SUSPENDED forever and throws
  kFlink4201,   // a suspended job's coordinator shuts down with discard, deleting checkpoints
  kFlink7783,   // recovery deletes checkpoints it cannot read during a storage outage
  kFlink24543,  // a retried addAndLock multi gets NodeExists, is taken as failure, the file is discarded
  kFlink10011,  // a deposed leader whose session survived keeps its job graph locks
  kFlink10255,  // a standby locks a job graph it saw added, so it cannot be deleted
  kFlink19816,  // dispatcher stop races job termination: checkpoints deleted, graph kept
  kFlink21979,  // checkpoints deleted before the job graph during cleanup
  kFlink19154,  // SUSPENDED treated as FAILED: HA data cleaned up (also FLINK-25486)
  kFlink11400,  // grant and revoke not serialized: a new JobMaster starts before the old stops
  kFlink34007,  // Kubernetes elector reused after losing the lease
  kFlink26284,  // pointer removed before the file is discarded (also FLINK-26286)
  kSyntheticCounterWithoutCas,  // checkpoint id counter set without compare-and-set
};

struct MutantInfo {
  Mutant mutant;
  std::string_view name;       // as scenarios and --mutant spell it
  std::string_view breaks;     // the facts table's legend: 2L, CL, JL, JR, LK, LV
  std::string_view mechanism;
};

const std::vector<MutantInfo>& mutant_catalog();
std::optional<Mutant> parse_mutant(std::string_view name);
std::string_view mutant_name(Mutant mutant);

}  // namespace model::flink
