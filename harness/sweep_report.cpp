#include "harness/sweep_report.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>
#include <fmt/core.h>

#include "harness/checkers/known_issues.hpp"
#include "harness/sweep.hpp"

namespace harness {
namespace {

double seconds_of(sim::Instant at) { return static_cast<double>(at.ns) / 1e9; }

std::vector<sim::Duration> overlaps(const SweepReport& report, bool both_running) {
  std::vector<sim::Duration> values;
  for (const auto& run : report.runs) {
    values.push_back(both_running ? run.believed_leader_overlap_running : run.believed_leader_overlap);
  }
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
  if (run.outcome == sim::RunOutcome::kStalled) {
    found.insert(found.begin(), {"stalled", run.ended_at, std::string(sim::to_string(run.outcome))});
  }
  return found;
}

struct ViolationCounts {
  std::size_t total = 0;
  std::size_t unexplained = 0;
  std::map<std::string, std::size_t> known;  // id -> count
};

ViolationCounts violation_counts(const SweepReport& report) {
  ViolationCounts counts;
  for (const auto& run : report.runs) {
    for (const auto& v : findings(run)) {
      counts.total++;
      if (v.known.empty()) {
        counts.unexplained++;
      } else {
        counts.known[v.known]++;
      }
    }
  }
  return counts;
}

// " known: CURATOR-696 (Curator 5.4.0 LeaderLatch; fixed in 5.7.0)", or "" for an unexplained one.
std::string known_note(const Violation& v) {
  if (v.known.empty()) return "";
  const KnownIssue* issue = find_known_issue(v.known);
  return fmt::format("known: {} ({})", v.known, issue ? issue->summary : "?");
}

std::string describe_violation(const Violation& v) {
  const std::string known = known_note(v);
  return fmt::format("{}{} at {}: {}{}", v.property, v.clause.empty() ? "" : " " + v.clause, sim::format_instant(v.at),
                     v.message, known.empty() ? "" : " [" + known + "]");
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
  const Scenario& scenario = *report.scenario;
  // A pass scenario fails on the first violation that counts; show that one.
  const auto counting = std::find_if(found.begin(), found.end(), [&](const Violation& v) {
    return v.property.rfind("run-", 0) == 0 || counts_against_pass(scenario, v);
  });
  const Violation& first = scenario.expect.pass && counting != found.end() ? *counting : found.front();
  const auto known = static_cast<std::size_t>(
      std::count_if(found.begin(), found.end(), [](const Violation& v) { return !v.known.empty(); }));
  const std::string more = found.size() > 1 ? fmt::format(" (+{} more, {} of all known)", found.size() - 1, known) : "";
  std::string expected;
  if (!scenario.expect.pass) {
    expected = fmt::format(" [expected {}{}]", scenario.expect.property,
                           scenario.expect.known.empty() ? ", unexplained" : ", known " + scenario.expect.known);
  }
  return fmt::format("seed {}: {}{}{}; replay: {}\n", run.seed, describe_violation(first), more, expected, replay);
}

// A seed whose violations are all known upstream issues: reported apart, not failing.
std::string known_line(const SweepReport& report, const RunResult& run) {
  const auto found = findings(run);
  const Violation& first = found.front();
  const std::string more = found.size() > 1 ? fmt::format(" (+{} more)", found.size() - 1) : "";
  return fmt::format("seed {}: {}: {}{} at {}: {}{}; replay: {}\n", run.seed, known_note(first), first.property,
                     first.clause.empty() ? "" : " " + first.clause, sim::format_instant(first.at), first.message, more,
                     replay_command(report, run.seed));
}

}  // namespace

Percentiles percentiles_ms(std::vector<sim::Duration> values) {
  Percentiles out;
  out.samples = values.size();
  if (values.empty()) return out;
  std::sort(values.begin(), values.end());
  out.min = values.front().to_ms();
  const auto rank = [&](std::size_t percent) {
    const std::size_t index = (percent * values.size() + 99) / 100;  // nearest rank, 1-based
    return values[std::max<std::size_t>(index, 1) - 1].to_ms();
  };
  out.p50 = rank(50);
  out.p99 = rank(99);
  out.max = values.back().to_ms();
  return out;
}

// POSIX shell single quotes around a word that needs them, so the command pastes as printed.
std::string shell_word(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_-./:=@%+,").find(c) != std::string_view::npos;
  });
  if (plain) return word;
  std::string quoted = "'";
  for (const char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string replay_command(const SweepReport& report, std::uint64_t seed) {
  if (const auto it = report.replay_overrides.find(seed); it != report.replay_overrides.end()) return it->second;
  std::string command =
      fmt::format("{} replay {} --seed {}", shell_word(report.program), shell_word(report.file), seed);
  if (!report.mutant.empty()) command += " --mutant " + shell_word(report.mutant);
  return command;
}

std::size_t zombie_grant_count(const SweepReport& report) {
  std::size_t total = 0;
  for (const auto& run : report.runs) total += run.zombie_grants;
  return total;
}

std::size_t zombie_grant_seeds(const SweepReport& report) {
  return static_cast<std::size_t>(std::count_if(report.runs.begin(), report.runs.end(),
                                                [](const RunResult& run) { return run.zombie_grants > 0; }));
}

std::string format_text(const SweepReport& report) {
  std::string out;
  std::string known_lines;
  std::size_t failing = 0;
  for (const auto& run : report.runs) {
    if (run_failed(*report.scenario, run)) {
      failing++;
      out += failing_line(report, run);
    } else if (report.scenario->expect.pass && !run.violations.empty()) {
      known_lines += known_line(report, run);
    }
  }
  if (!known_lines.empty()) out += "known upstream issues (harness/KNOWN_ISSUES.md), not failing:\n" + known_lines;
  const Percentiles overlap = percentiles_ms(overlaps(report, false));
  const Percentiles running = percentiles_ms(overlaps(report, true));
  const Percentiles failover = percentiles_ms(failovers(report));
  const double simulated = simulated_seconds(report);
  const Scenario& scenario = *report.scenario;
  const std::string expectation =
      scenario.expect.pass ? "expected: pass" : fmt::format("expected: {} breaks", scenario.expect.property);
  const ViolationCounts counts = violation_counts(report);
  std::string known;
  for (const auto& [id, count] : counts.known) known += fmt::format("{}{} {}", known.empty() ? "" : ", ", id, count);
  out += fmt::format(
      "{}: {} seeds, {} as expected, {} not ({}); {} violations: {} unexplained, {} known{}\n"
      "  believed-leader overlap ms min/p50/p99/max {}/{}/{}/{} (both running: {}/{}/{}/{})\n"
      "  failover ms min/p50/p99/max {}/{}/{}/{} over {} failovers\n"
      "  CURATOR-696 zombie grants: {} in {} seeds (curator {})\n"
      "  simulated {:.0f} s in {:.2f} s wall: {:.0f}x\n",
      scenario.name, report.runs.size(), report.runs.size() - failing, failing, expectation, counts.total,
      counts.unexplained, counts.total - counts.unexplained, known.empty() ? "" : " (" + known + ")", overlap.min,
      overlap.p50, overlap.p99, overlap.max, running.min, running.p50, running.p99, running.max, failover.min,
      failover.p50, failover.p99, failover.max, failover.samples, zombie_grant_count(report),
      zombie_grant_seeds(report), scenario.curator_version, simulated, report.wall_seconds,
      report.wall_seconds > 0 ? simulated / report.wall_seconds : 0.0);
  return out;
}

nlohmann::json format_json(const SweepReport& report) {
  nlohmann::json violations = nlohmann::json::array();
  nlohmann::json failing = nlohmann::json::array();
  nlohmann::json known_seeds = nlohmann::json::array();
  nlohmann::json hashes = nlohmann::json::array();
  for (const auto& run : report.runs) {
    hashes.push_back({{"seed", run.seed}, {"trace_hash", fmt::format("{:016x}", run.trace_hash)}});
    if (run_failed(*report.scenario, run)) {
      failing.push_back(run.seed);
    } else if (report.scenario->expect.pass && !run.violations.empty()) {
      known_seeds.push_back(run.seed);
    }
    for (const auto& v : findings(run)) {
      violations.push_back({{"seed", run.seed}, {"property", v.property}, {"clause", v.clause},
                            {"at", seconds_of(v.at)}, {"message", v.message},
                            {"known", v.known.empty() ? nlohmann::json(nullptr) : nlohmann::json(v.known)},
                            {"replay", replay_command(report, run.seed)}});
    }
  }
  const auto percentiles = [](const Percentiles& p) {
    return nlohmann::json{{"min", p.min}, {"p50", p.p50}, {"p99", p.p99}, {"max", p.max}, {"samples", p.samples}};
  };
  const ViolationCounts counts = violation_counts(report);
  nlohmann::json known = nlohmann::json::object();
  for (const auto& [id, count] : counts.known) known[id] = count;
  const double simulated = simulated_seconds(report);
  nlohmann::json out{{"scenario", report.scenario->name}, {"file", report.file}, {"command", report.command},
                     {"seeds", report.runs.size()}, {"failing_seeds", failing}, {"known_issue_seeds", known_seeds},
                     {"violations", violations}, {"unexplained_violations", counts.unexplained},
                     {"known_violations", known},
                     {"known_issues", report.scenario->known_issues_fail ? "fail" : "pass"},
                     {"expect", report.scenario->expect.pass ? "pass" : report.scenario->expect.property},
                     {"believed_leader_overlap_ms", percentiles(percentiles_ms(overlaps(report, false)))},
                     {"believed_leader_overlap_both_running_ms", percentiles(percentiles_ms(overlaps(report, true)))},
                     {"failover_ms", percentiles(percentiles_ms(failovers(report)))},
                     {"zombie_grants", zombie_grant_count(report)},
                     {"zombie_grant_seeds", zombie_grant_seeds(report)},
                     {"simulated_s", simulated}, {"wall_s", report.wall_seconds},
                     {"sim_wall_ratio", report.wall_seconds > 0 ? simulated / report.wall_seconds : 0.0},
                     {"exit", exit_status(report)}, {"runs", hashes}};
  if (!report.scenario->expect.pass && !report.scenario->expect.known.empty()) {
    out["expect_known"] = report.scenario->expect.known;
  }
  if (!report.mutant.empty()) out["mutant"] = report.mutant;
  return out;
}

nlohmann::json distribution_samples(const SweepReport& report) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& run : report.runs) {
    std::vector<std::int64_t> failover_ms;
    for (const auto& value : run.failover_times) failover_ms.push_back(value.to_ms());
    out.push_back({{"seed", run.seed},
                   {"failover_ms", failover_ms},
                   {"believed_leader_overlap_ms", run.believed_leader_overlap.to_ms()},
                   {"believed_leader_overlap_both_running_ms", run.believed_leader_overlap_running.to_ms()}});
  }
  return out;
}

reports::SweepSummary summarize(const SweepReport& report) {
  const Scenario& scenario = *report.scenario;
  reports::SweepSummary out;
  out.scenario = scenario.name;
  out.file = report.file;
  out.command = report.command;
  out.expect = scenario.expect.pass ? "pass" : scenario.expect.property;
  out.expect_known = scenario.expect.pass ? "" : scenario.expect.known;
  out.known_issues = scenario.known_issues_fail ? "fail" : "pass";
  out.properties = scenario.properties;
  out.seeds = report.runs.size();
  for (const auto& run : report.runs) {
    if (run_failed(scenario, run)) out.failing_seeds.push_back(run.seed);
    for (const auto& v : findings(run)) {
      const bool counts = is_incomplete_run_finding(v.property) ||
                          (scenario.expect.pass && counts_against_pass(scenario, v));
      out.findings.push_back({run.seed, v.property, v.clause, seconds_of(v.at), v.message, v.known,
                              replay_command(report, run.seed), counts});
    }
  }
  // A run that did not complete fails every scenario: report it under its own name too.
  for (const auto& finding : out.findings) {
    if (is_incomplete_run_finding(finding.property) &&
        std::find(out.properties.begin(), out.properties.end(), finding.property) == out.properties.end()) {
      out.properties.push_back(finding.property);
    }
  }
  const ViolationCounts counts = violation_counts(report);
  out.unexplained = counts.unexplained;
  out.known_counts = counts.known;
  const auto distribution = [](const Percentiles& p) {
    return reports::Distribution{p.min, p.p50, p.p99, p.max, p.samples};
  };
  out.failover_ms = distribution(percentiles_ms(failovers(report)));
  out.overlap_ms = distribution(percentiles_ms(overlaps(report, false)));
  out.overlap_both_running_ms = distribution(percentiles_ms(overlaps(report, true)));
  const auto to_ms = [](const std::vector<sim::Duration>& values) {
    std::vector<std::int64_t> out_ms;
    out_ms.reserve(values.size());
    for (const auto& value : values) out_ms.push_back(value.to_ms());
    return out_ms;
  };
  out.failover_samples_ms = to_ms(failovers(report));
  out.overlap_samples_ms = to_ms(overlaps(report, false));
  out.overlap_both_running_samples_ms = to_ms(overlaps(report, true));
  out.simulated_s = simulated_seconds(report);
  out.wall_s = report.wall_seconds;
  out.exit = exit_status(report);
  return out;
}

int exit_status(const SweepReport& report) {
  const bool all_as_expected = std::none_of(report.runs.begin(), report.runs.end(),
                                            [&](const RunResult& run) { return run_failed(*report.scenario, run); });
  return all_as_expected ? 0 : 1;
}

}  // namespace harness
