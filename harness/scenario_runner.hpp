#pragma once
// One run of a scenario under one seed: builds the simulated deployment (kernel, network,
// storage, ZooKeeper ensemble, one Flink cluster per scenario cluster), schedules the faults and
// the heal at the end of the fault phase, runs to the scenario's duration, and judges the trace.
// A run is a pure function of (scenario, seed, mutant, binary): it touches no wall clock, no
// real randomness and no state shared with other runs, so runs may go on different threads.
#include <cstdint>
#include <optional>
#include <string>

#include "harness/checkers/check_context.hpp"
#include "harness/run_result.hpp"
#include "harness/scenario.hpp"
#include "model/flink/mutants.hpp"

namespace harness {

struct RunOptions {
  std::string trace_file;                            // write model events as JSON lines here
  bool trace_file_kernel_events = false;             // and every kernel event too (the determinism audit)
  bool keep_events = false;                          // keep them in the RunResult
  std::optional<model::flink::Mutant> mutant;        // overrides the scenario's
};

RunResult run_scenario(const Scenario& scenario, std::uint64_t seed, const RunOptions& options = {});

// The static facts the checkers read besides the trace. `jobmanager_names[c]` are cluster c's
// JobManager process names as the model named them.
CheckContext check_context(const Scenario& scenario, const std::vector<std::vector<std::string>>& jobmanager_names);

}  // namespace harness
