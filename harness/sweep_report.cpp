#include "harness/sweep_report.hpp"

#include <algorithm>
#include <fmt/core.h>

#include "harness/sweep.hpp"

namespace harness {
namespace {

double seconds_of(sim::Instant at) { return static_cast<double>(at.ns) / 1e9; }

std::vector<sim::Duration> overlaps(const SweepReport& report) {
  std::vector<sim::Duration> values;
  for (const auto& run : report.runs) values.push_back(run.believed_leader_overlap);
  return values;
}

std::vector<sim::Duration> failovers(const SweepReport& report) {
  std::vector<sim::Duration> values;
  for (const auto& run : report.runs) values.insert(values.end(), run.failover_times.begin(), run.failover_times.end());
  return values;
}

// A run that did not complete is reported like a violation: its trace proves nothing.
std::vector<Violation> findings(const RunResult& run) {
  std::vector<Violation> found = run.violations;
  if (!run.error.empty()) found.insert(found.begin(), {"run-error", run.ended_at, "the model threw: " + run.error});
  if (sim::is_limit(run.outcome)) found.insert(found.begin(), {"run-limit", run.ended_at, std::string(sim::to_string(run.outcome))});
  return found;
}

std::size_t violation_count(const SweepReport& report) {
  std::size_t count = 0;
  for (const auto& run : report.runs) count += findings(run).size();
  return count;
}

double simulated_seconds(const SweepReport& report) {
  double total = 0;
  for (const auto& run : report.runs) total += seconds_of(run.ended_at);
  return total;
}

std::string failing_line(const SweepReport& report, const RunResult& run) {
  const auto found = findings(run);
  const std::string replay = replay_command(report, run.seed);
  if (found.empty()) {
    return fmt::format("seed {}: expected {} to break, but every property held; replay: {}\n", run.seed,
                       report.scenario->expect.property, replay);
  }
  const Violation& first = found.front();
  const std::string more = found.size() > 1 ? fmt::format(" (+{} more)", found.size() - 1) : "";
  const std::string expected = report.scenario->expect.pass ? "" : fmt::format(" [expected {}]", report.scenario->expect.property);
  return fmt::format("seed {}: {} at {}: {}{}{}; replay: {}\n", run.seed, first.property,
                     sim::format_instant(first.at), first.message, more, expected, replay);
}

}  // namespace

Percentiles percentiles_ms(std::vector<sim::Duration> values) {
  Percentiles out;
  out.samples = values.size();
  if (values.empty()) return out;
  std::sort(values.begin(), values.end());
  const auto rank = [&](std::size_t percent) {
    const std::size_t index = (percent * values.size() + 99) / 100;  // nearest rank, 1-based
    return values[std::max<std::size_t>(index, 1) - 1].to_ms();
  };
  out.p50 = rank(50);
  out.p99 = rank(99);
  out.max = values.back().to_ms();
  return out;
}

std::string replay_command(const SweepReport& report, std::uint64_t seed) {
  std::string command = fmt::format("hasim replay {} --seed {}", report.file, seed);
  if (!report.mutant.empty()) command += " --mutant " + report.mutant;
  return command;
}

std::string format_text(const SweepReport& report) {
  std::string out;
  std::size_t failing = 0;
  for (const auto& run : report.runs) {
    if (!run_failed(*report.scenario, run)) continue;
    failing++;
    out += failing_line(report, run);
  }
  const Percentiles overlap = percentiles_ms(overlaps(report));
  const Percentiles failover = percentiles_ms(failovers(report));
  const double simulated = simulated_seconds(report);
  const Scenario& scenario = *report.scenario;
  const std::string expectation =
      scenario.expect.pass ? "expected: pass" : fmt::format("expected: {} breaks", scenario.expect.property);
  out += fmt::format(
      "{}: {} seeds, {} as expected, {} not ({}); {} violations\n"
      "  believed-leader overlap ms p50/p99/max {}/{}/{}; failover ms p50/p99/max {}/{}/{} over {} failovers\n"
      "  simulated {:.0f} s in {:.2f} s wall: {:.0f}x\n",
      scenario.name, report.runs.size(), report.runs.size() - failing, failing, expectation, violation_count(report),
      overlap.p50, overlap.p99, overlap.max, failover.p50, failover.p99, failover.max, failover.samples, simulated,
      report.wall_seconds, report.wall_seconds > 0 ? simulated / report.wall_seconds : 0.0);
  return out;
}

nlohmann::json format_json(const SweepReport& report) {
  nlohmann::json violations = nlohmann::json::array();
  nlohmann::json failing = nlohmann::json::array();
  nlohmann::json hashes = nlohmann::json::array();
  for (const auto& run : report.runs) {
    hashes.push_back({{"seed", run.seed}, {"trace_hash", fmt::format("{:016x}", run.trace_hash)}});
    if (run_failed(*report.scenario, run)) failing.push_back(run.seed);
    for (const auto& v : findings(run)) {
      violations.push_back({{"seed", run.seed}, {"property", v.property}, {"at", seconds_of(v.at)},
                            {"message", v.message}, {"replay", replay_command(report, run.seed)}});
    }
  }
  const auto percentiles = [](const Percentiles& p) {
    return nlohmann::json{{"p50", p.p50}, {"p99", p.p99}, {"max", p.max}, {"samples", p.samples}};
  };
  const double simulated = simulated_seconds(report);
  nlohmann::json out{{"scenario", report.scenario->name}, {"file", report.file}, {"command", report.command},
                     {"seeds", report.runs.size()}, {"failing_seeds", failing}, {"violations", violations},
                     {"expect", report.scenario->expect.pass ? "pass" : report.scenario->expect.property},
                     {"believed_leader_overlap_ms", percentiles(percentiles_ms(overlaps(report)))},
                     {"failover_ms", percentiles(percentiles_ms(failovers(report)))},
                     {"simulated_s", simulated}, {"wall_s", report.wall_seconds},
                     {"sim_wall_ratio", report.wall_seconds > 0 ? simulated / report.wall_seconds : 0.0},
                     {"exit", exit_status(report)}, {"runs", hashes}};
  if (!report.mutant.empty()) out["mutant"] = report.mutant;
  return out;
}

int exit_status(const SweepReport& report) {
  const bool all_as_expected = std::none_of(report.runs.begin(), report.runs.end(),
                                            [&](const RunResult& run) { return run_failed(*report.scenario, run); });
  return all_as_expected ? 0 : 1;
}

}  // namespace harness
