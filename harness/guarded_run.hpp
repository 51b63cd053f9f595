#pragma once
// Runs a built simulation to its end and records how it ended, whatever happens inside: an
// exception or failed assertion becomes RunResult::error (reported as run-error), a livelock
// ends as RunOutcome::kStalled (reported as stalled), a limit as its outcome (run-limit). Then
// every fiber is unwound, while the model objects they use still exist.
#include "harness/run_result.hpp"
#include "sim/simulation.hpp"

namespace harness {

void run_guarded(sim::Simulation& sim, sim::Instant end, RunResult& result);

}  // namespace harness
