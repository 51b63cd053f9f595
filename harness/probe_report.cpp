#include "harness/probe_report.hpp"

#include <fmt/core.h>

#include "model/probes.hpp"

namespace harness {

std::vector<ProbeCoverage> probe_coverage(const std::vector<RunResult>& runs) {
  std::vector<ProbeCoverage> coverage;
  for (const model::ProbeInfo& info : model::probe_catalogue()) coverage.push_back({info.name, info.description, 0, 0});
  for (const RunResult& run : runs) {
    for (ProbeCoverage& probe : coverage) {
      const auto found = run.probes.find(probe.name);
      if (found == run.probes.end() || found->second == 0) continue;
      probe.runs++;
      probe.hits += found->second;
    }
  }
  return coverage;
}

void add_probe_json(nlohmann::json& out, const std::vector<RunResult>& runs) {
  nlohmann::json probes = nlohmann::json::object();
  nlohmann::json missed = nlohmann::json::array();
  for (const ProbeCoverage& probe : probe_coverage(runs)) {
    probes[std::string(probe.name)] = {{"runs", probe.runs}, {"hits", probe.hits}};
    if (probe.runs == 0) missed.push_back(std::string(probe.name));
  }
  out["probes"] = std::move(probes);
  out["probes_missed"] = std::move(missed);
}

std::string format_probe_text(const std::vector<RunResult>& runs) {
  const std::vector<ProbeCoverage> coverage = probe_coverage(runs);
  std::size_t hit = 0;
  for (const ProbeCoverage& probe : coverage) hit += probe.runs > 0;
  std::string text = fmt::format("probes: {} of {} catalogue probes hit in {} runs\n", hit, coverage.size(), runs.size());
  for (const ProbeCoverage& probe : coverage) {
    if (probe.runs > 0) text += fmt::format("  {:<48} {:>6} runs {:>8} hits\n", probe.name, probe.runs, probe.hits);
  }
  if (hit < coverage.size()) {
    text += "never hit:\n";
    for (const ProbeCoverage& probe : coverage) {
      if (probe.runs == 0) text += fmt::format("  {}: {}\n", probe.name, probe.description);
    }
  }
  return text;
}

}  // namespace harness
