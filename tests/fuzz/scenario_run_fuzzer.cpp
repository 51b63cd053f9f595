// Fuzz target: load, and run whatever validates for at most 30 simulated seconds (one seed).
// Whatever `validate` accepts, `run` must handle: a run may end at a reported limit, but an
// exception or failed assertion inside the model (run-error), or run refusing what validate
// accepted, means validation let through something the model cannot take: a finding, like a
// crash, an abort or a hang.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "harness/json_reader.hpp"
#include "harness/scenario.hpp"
#include "harness/scenario_runner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  harness::Scenario scenario;
  try {
    scenario = harness::parse_scenario(text, "fuzz.json");
  } catch (const harness::InputError&) {
    return 0;  // refused input: the loader target checks how
  }
  // Bounded simulated time keeps each execution short; faults past the end simply never fire.
  scenario.duration = std::min(scenario.duration, sim::seconds(30));
  scenario.faults_end = std::min(scenario.faults_end, scenario.duration);
  try {
    const harness::RunResult result = harness::run_scenario(scenario, 1);
    if (!result.error.empty()) {
      std::fprintf(stderr, "run-error on a scenario validate accepted: %s\n", result.error.c_str());
      __builtin_trap();
    }
  } catch (const harness::InputError& error) {
    // validate said yes and run said no: the two disagree.
    std::fprintf(stderr, "run refused a scenario validate accepted: %s\n", error.what());
    __builtin_trap();
  }
  return 0;
}
