#pragma once
// Shrinking a failing seed to a minimal explicit fault schedule. The seed's schedule (explicit
// faults plus the generator's draws) is cut down by delta debugging (Zeller and Hildebrandt's
// ddmin, then one-at-a-time removal, so no single fault can go), then each remaining fault's
// duration is halved while the failure holds, then the heal is moved as early as it can be.
// "The failure holds" means: the same seed, with the candidate schedule and no generator, still
// breaks the same property with the same clause, as an unexplained violation, in a run that
// completed. Every candidate is a full run, so the number of runs is bounded (`runs_max`).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/run_result.hpp"
#include "harness/scenario.hpp"
#include "model/flink/mutants.hpp"

namespace harness {

struct ShrinkTarget {
  std::string property;
  std::string clause;
};

struct ShrinkOptions {
  std::uint64_t seed = 0;
  std::optional<model::flink::Mutant> mutant;  // overrides the scenario's
  std::optional<std::string> property;         // which violation to keep; default: the first unexplained one
  std::uint64_t runs_max = 500;
};

struct ShrinkResult {
  std::optional<ShrinkTarget> target;  // nullopt: the seed has no (matching) unexplained violation
  std::vector<FaultSpec> original;     // the seed's whole schedule
  std::vector<FaultSpec> minimal;
  sim::Duration faults_end{};          // the heal of the minimal schedule
  std::uint64_t runs = 0;
  bool runs_limit_hit = false;  // the result still fails, but may not be minimal
  RunResult final_run;          // the minimal schedule's run: its violation and trace hash
};

// The scenario `scenario` with `faults` as its only, explicit, schedule.
Scenario with_schedule(const Scenario& scenario, const std::vector<FaultSpec>& faults, sim::Duration faults_end);

// The first unexplained violation of a completed run, of `property` when given.
std::optional<ShrinkTarget> shrink_target_of(const RunResult& run, const std::optional<std::string>& property);

ShrinkResult shrink_seed(const Scenario& scenario, const ShrinkOptions& options);

}  // namespace harness
