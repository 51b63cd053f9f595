#include "model/flink/mutants.hpp"

namespace model::flink {

const std::vector<MutantInfo>& mutant_catalog() {
  static const std::vector<MutantInfo> catalog = {
      {Mutant::kFlink10052, "FLINK-10052", "LV", "leadership revoked on SUSPENDED, so every ZK blip restarts jobs (Curator 2.x also re-queues the latch)"},
      {Mutant::kFlink19557, "FLINK-19557", "LV", "leader retrieval not re-notified after RECONNECTED when the data is unchanged"},
      {Mutant::kFlink14091, "FLINK-14091", "LV", "checkpoint ID counter keeps SUSPENDED forever and throws"},
      {Mutant::kFlink4201, "FLINK-4201", "CL", "a suspended job's coordinator shuts down with discard, deleting checkpoints"},
      {Mutant::kFlink7783, "FLINK-7783", "CL", "recovery deletes checkpoints it cannot read during a storage outage"},
      {Mutant::kFlink24543, "FLINK-24543", "CL", "a retried multi-op commit gets NodeExists, is taken as failure, and the file is discarded while the pointer stays"},
      {Mutant::kFlink10011, "FLINK-10011", "JR,LK", "a deposed leader whose session survived keeps locks on job graphs"},
      {Mutant::kFlink10255, "FLINK-10255", "JR", "a standby reacts to job graph added and locks it, so it can't be deleted"},
      {Mutant::kFlink19816, "FLINK-19816", "CL,JR", "dispatcher stop races with the job finishing: checkpoints deleted but graph kept"},
      {Mutant::kFlink21979, "FLINK-21979", "JR,CL", "checkpoints deleted before the job graph"},
      {Mutant::kFlink19154, "FLINK-19154", "JL,CL", "SUSPENDED treated as FAILED: HA data cleaned up (also FLINK-25486)"},
      {Mutant::kFlink11400, "FLINK-11400", "2L", "grant and revoke not serialized: a new JobMaster starts before the old one stops"},
      {Mutant::kFlink34007, "FLINK-34007", "LV", "Kubernetes elector reused after losing the lease, so no JobManager leads again"},
      {Mutant::kFlink26284, "FLINK-26284", "LK", "pointer removed before the file is discarded; a crash leaks the file (also FLINK-26286)"},
      {Mutant::kSyntheticCounterWithoutCas, "synthetic-counter-without-cas", "unique-checkpoint-ids", "checkpoint ID counter set without compare-and-set"},
  };
  return catalog;
}

std::optional<Mutant> parse_mutant(std::string_view name) {
  if (name == "none") return Mutant::kNone;
  for (const auto& info : mutant_catalog()) {
    if (info.name == name) return info.mutant;
  }
  // The facts table lists two pairs under one row; accept the second id of each.
  if (name == "FLINK-25486") return Mutant::kFlink19154;
  if (name == "FLINK-26286") return Mutant::kFlink26284;
  return std::nullopt;
}

std::string_view mutant_name(Mutant mutant) {
  for (const auto& info : mutant_catalog()) {
    if (info.mutant == mutant) return info.name;
  }
  return "none";
}

}  // namespace model::flink
