#pragma once
// The generated part of a run's faults: swarm testing (Groce et al., 2012). Each seed first
// enables its own random subset of the scenario's kinds, then draws fault times with exponential
// gaps of the scenario's mean until the fault phase ends, and for each a kind from its subset, a
// target and a duration. All draws come from the run's "faults" stream, before the run starts.
#include <vector>

#include "harness/scenario.hpp"
#include "sim/prng.hpp"

namespace harness {

std::vector<FaultSpec> random_fault_plan(const Scenario& scenario, sim::Prng& rng);

}  // namespace harness
