#pragma once
// How a batch of runs covered the probe catalogue (model/probes.hpp): per probe, in how many runs
// it fired and how often in all, and the probes no run reached. `hasim explore` prints it after
// its summary and carries it in --json, so an exploration says which rare states it never saw.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run_result.hpp"

namespace harness {

struct ProbeCoverage {
  std::string_view name;
  std::string_view description;
  std::uint64_t runs = 0;  // runs in which it fired at least once
  std::uint64_t hits = 0;  // over all runs
};

// Every catalogue probe, in catalogue order, zeros included. Names a run reports that are not in
// the catalogue are ignored (the catalogue is the contract).
std::vector<ProbeCoverage> probe_coverage(const std::vector<RunResult>& runs);
// {"probes": {name: {"runs": r, "hits": h}}, "probes_missed": [names]}, added to `out`.
void add_probe_json(nlohmann::json& out, const std::vector<RunResult>& runs);
// "probes: 25 of 28 catalogue probes hit in 400 runs", one line per probe, then the missed ones.
std::string format_probe_text(const std::vector<RunResult>& runs);

}  // namespace harness
