#pragma once
// The generated part of a run's faults: swarm testing (Groce et al., 2012). Each seed first
// enables its own random subset of the scenario's kinds, then draws fault times with exponential
// gaps of the scenario's mean until the fault phase ends, and for each a kind from its subset, a
// target and a duration. All draws come from the seed's "fault-plan" stream, before the run
// starts. The injector resolves roles at fire time from another stream ("faults"), so a seed's
// plan written out as an explicit schedule runs exactly as the generated one does.
#include <cstdint>
#include <vector>

#include "harness/scenario.hpp"
#include "sim/prng.hpp"

namespace harness {

std::vector<FaultSpec> random_fault_plan(const Scenario& scenario, sim::Prng& rng);

// One generated fault of a kind from `kinds` at `at`, drawn as the plan draws each of its faults
// (kind, target, duration, extra, count: in that order, so the plan's draws are unchanged).
// Needs the scenario's random generator (its duration_max). Guided exploration's mutations use it.
FaultSpec random_fault(const Scenario& scenario, const std::vector<std::string>& kinds, sim::Duration at,
                       sim::Prng& rng);
// Draws a new target (or link, or split) for `fault`'s kind, as the plan would.
void redraw_fault_target(const Scenario& scenario, FaultSpec& fault, sim::Prng& rng);

// A seed's whole schedule, in the order the runner schedules it (which orders faults due at the
// same instant): the scenario's explicit faults, then the plan drawn for the seed.
std::vector<FaultSpec> seed_fault_schedule(const Scenario& scenario, std::uint64_t seed);

}  // namespace harness
