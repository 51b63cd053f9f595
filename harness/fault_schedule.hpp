#pragma once
// A seed's whole fault schedule made explicit: the scenario's own faults followed by the ones its
// random generator draws for that seed, written back as a scenario file with no generator. Such a
// file reproduces the seed's trace exactly (harness/fault_plan.hpp says why), and keeps reproducing it when a later change to the generator would
// shift the random draws. `hasim replay --export-schedule` and `hasim shrink` write these files.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/fault_plan.hpp"
#include "harness/scenario.hpp"

namespace harness {

// A duration as the scenario format reads it back exactly: "90 s", "1500 ms" or "1234567 ns".
std::string exact_duration_text(sim::Duration duration);

// One fault as a `faults.schedule` entry, with only the fields its kind reads.
nlohmann::ordered_json fault_json(const FaultSpec& fault);

struct ExplicitScenario {
  std::vector<FaultSpec> faults;
  sim::Duration faults_end{};     // written as faults.end_at
  std::uint64_t seed = 0;         // the only seed of the file
  std::string name;
  std::string description;
  std::optional<std::string> mutant;  // written into "expect"; nullopt keeps the source's
  std::optional<Expectation> expect;  // nullopt keeps the source's
};

// The scenario file at `source_path` with its faults, seeds, name, description and (when given)
// expectation replaced. Everything else (cluster, workload, properties, liveness bounds) is kept
// as written, so the result runs the same deployment. Throws InputError when the seed cannot be
// written in a scenario (above 2^63-1) or the source is unreadable.
std::string explicit_scenario_text(const std::string& source_path, const ExplicitScenario& explicit_scenario);

}  // namespace harness
