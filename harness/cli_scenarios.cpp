#include "harness/cli_scenarios.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <fmt/core.h>

#include "harness/checkers/known_issues.hpp"
#include "harness/cli_guided.hpp"
#include "harness/fault_schedule.hpp"
#include "harness/json_reader.hpp"
#include "harness/probe_report.hpp"
#include "harness/progress.hpp"
#include "harness/report_folder.hpp"
#include "harness/shrink.hpp"
#include "harness/sweep.hpp"
#include "harness/sweep_report.hpp"
#include "model/flink/flink_duration.hpp"

namespace harness {
namespace {

// Wall time of a batch of runs: for the simulated/wall ratio only.
class WallTimer {
 public:
  double seconds() const {
    // Wall time around whole runs, reported beside them, never fed into one.
    const auto now = std::chrono::steady_clock::now();         // determinism-ok: outside any simulation
    return std::chrono::duration<double>(now - start_).count();  // determinism-ok: as above
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();  // determinism-ok: as above
};

int print(const SweepReport& report, bool json, const std::string& report_dir = "") {
  if (!report_dir.empty()) write_report_folder(report, report_dir);
  if (json) {
    fmt::print("{}\n", format_json(report).dump());
  } else {
    fmt::print("{}", format_text(report));
  }
  std::fflush(stdout);
  return exit_status(report);
}

// explore's output: the sweep's, then which catalogue probes its runs reached (in --json, the
// same object with "probes" and "probes_missed" added).
int print_explore(const SweepReport& report, bool json, const std::string& report_dir, nlohmann::json extra = {}) {
  if (!report_dir.empty()) write_report_folder(report, report_dir);
  if (json) {
    nlohmann::json out = format_json(report);
    for (auto& [key, value] : extra.items()) out[key] = value;
    add_probe_json(out, report.runs);
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("{}{}", format_text(report), format_probe_text(report.runs));
  }
  std::fflush(stdout);
  return exit_status(report);
}

// The seed's schedule as a scenario with no generator; its first run must give the same trace
// hash as the seed it came from, which the printed command lets a reader check.
void export_schedule(const Scenario& scenario, const ReplayCommand& command, const RunResult& run) {
  ExplicitScenario out;
  out.faults = seed_fault_schedule(scenario, command.seed);
  out.faults_end = scenario.faults_end;
  out.seed = command.seed;
  out.name = scenario.name + "-seed-" + std::to_string(command.seed);
  out.description = "Seed " + std::to_string(command.seed) + " of " + command.file +
                    (command.mutant.empty() ? "" : " with mutant " + command.mutant) +
                    ", its random faults written out (hasim replay --export-schedule); trace hash " +
                    fmt::format("{:016x}", run.trace_hash) + ". " + scenario.description;
  if (!command.mutant.empty()) out.mutant = command.mutant;
  write_text_file(command.export_schedule, "--export-schedule", explicit_scenario_text(command.file, out));
  std::fprintf(stderr, "wrote %zu faults to %s; replay: %s replay %s --seed %llu\n", out.faults.size(),
               command.export_schedule.c_str(), command.program.c_str(), command.export_schedule.c_str(),
               static_cast<unsigned long long>(command.seed));
}

}  // namespace

model::flink::Mutant parse_mutant_flag(const std::string& name) {
  const auto mutant = model::flink::parse_mutant(name);
  if (!mutant) throw InputError("--mutant", "unknown mutant \"" + name + "\" (see model/flink/mutants.cpp)");
  return *mutant;
}

void write_text_file(const std::string& path, const std::string& flag, const std::string& text) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) throw InputError(flag, "cannot write \"" + path + "\"");
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  if (std::fclose(file) != 0 || !written) throw InputError(flag, "cannot write \"" + path + "\"");
}

int run_command(const RunCommand& command) {
  const Scenario scenario = load_scenario_file(command.file);
  if (command.seed && (command.seeds || command.seed_start)) {
    throw InputError("--seed", "give either --seed or --seeds/--seed-start, not both");
  }
  const Shard shard = command.shard.empty() ? Shard{} : parse_shard(command.shard);
  const std::uint64_t start = command.seed ? *command.seed : command.seed_start.value_or(scenario.seed_start);
  const std::uint64_t count = command.seed ? 1 : command.seeds.value_or(scenario.seed_count);
  if (count > 0 && start > std::numeric_limits<std::uint64_t>::max() - (count - 1)) {
    throw InputError(command.seed_start ? "--seed-start" : "--seeds",
                     fmt::format("seeds {} and the {} after it pass 2^64-1", start, count - 1));
  }
  if (!command.report_dir.empty()) prepare_report_folder(command.report_dir);
  SweepReport report{&scenario, command.file, "run", "", {}, 0, command.program};
  const WallTimer timer;
  const std::vector<std::uint64_t> selected = select_seeds(start, count, shard);
  Progress progress(selected.size(), selected.size() > 1 && progress_wanted());
  report.runs = run_seeds(scenario, selected, command.jobs, RunOptions{}, &progress);
  progress.finish();
  report.wall_seconds = timer.seconds();
  return print(report, command.json, command.report_dir);
}

int replay_command(const ReplayCommand& command) {
  Scenario scenario = load_scenario_file(command.file);
  RunOptions options;
  options.trace_file = command.trace_file;
  options.keep_events = !command.report_dir.empty();  // for the seed's timeline page
  if (!command.mutant.empty()) options.mutant = parse_mutant_flag(command.mutant);
  if (!command.report_dir.empty()) prepare_report_folder(command.report_dir);
  SweepReport report{&scenario, command.file, "replay", command.mutant, {}, 0, command.program};
  const WallTimer timer;
  report.runs.push_back(run_scenario(scenario, command.seed, options));
  report.wall_seconds = timer.seconds();
  const RunResult& run = report.runs.front();
  if (!command.export_schedule.empty()) export_schedule(scenario, command, run);
  if (!command.report_dir.empty()) write_report_folder(report, command.report_dir);
  if (command.json) {
    nlohmann::json out = format_json(report);
    out["seed"] = run.seed;
    out["trace_hash"] = fmt::format("{:016x}", run.trace_hash);
    out["outcome"] = run.error.empty() ? std::string(sim::to_string(run.outcome)) : "error: " + run.error;
    out["faults"] = run.faults.size();
    fmt::print("{}\n", out.dump());
    return exit_status(report);
  }
  for (const auto& fault : run.faults) {
    fmt::print("fault {} {} {} {} {}\n", sim::format_instant(fault.at), fault.kind, fault.target, fault.node, fault.detail);
  }
  for (const auto& v : run.violations) {
    const KnownIssue* issue = v.known.empty() ? nullptr : find_known_issue(v.known);
    fmt::print("violation {}{} at {}: {}{}\n", v.property, v.clause.empty() ? "" : " " + v.clause,
               sim::format_instant(v.at), v.message,
               issue ? fmt::format(" [known: {} ({})]", issue->id, issue->summary) : std::string());
  }
  fmt::print("seed {}: trace_hash {:016x}, {}, {} kernel events\n", run.seed, run.trace_hash,
             run.error.empty() ? std::string(sim::to_string(run.outcome)) : "error: " + run.error, run.kernel_events);
  return print(report, false);
}

int explore_command(const ExploreCommand& command) {
  if (!command.runs && command.time_budget.empty()) {
    throw InputError("--runs", "explore needs --runs N or --time-budget DUR");
  }
  std::optional<sim::Duration> budget;
  if (!command.time_budget.empty()) {
    const auto parsed = model::flink::parse_flink_duration(command.time_budget);
    if (!parsed.value || parsed.value->ns <= 0) {
      throw InputError("--time-budget", "expected a positive duration such as \"60 s\", got \"" + command.time_budget + "\"");
    }
    budget = *parsed.value;
  }
  if (command.runs && *command.runs > 0 &&
      command.seed_start > std::numeric_limits<std::uint64_t>::max() - (*command.runs - 1)) {
    throw InputError("--seed-start", fmt::format("seeds {} and the {} after it pass 2^64-1", command.seed_start, *command.runs - 1));
  }
  std::optional<std::string> stop_property;
  if (!command.stop_on.empty() && command.stop_on != "any") {
    const auto& names = property_names();
    if (std::find(names.begin(), names.end(), command.stop_on) == names.end()) {
      throw InputError("--stop-on", "unknown property \"" + command.stop_on + "\" (expected any or a property name)");
    }
    stop_property = command.stop_on;
  }
  const std::string file = command.file.empty() ? "scenarios/explore.json" : command.file;
  Scenario scenario = load_scenario_file(file);
  if (!command.mutant.empty()) scenario.mutant = parse_mutant_flag(command.mutant);
  scenario.expect = Expectation{};  // exploring: every violation is a finding
  if (command.guided) return guided_explore_command(command, scenario, file);
  if (!command.schedules_dir.empty()) throw InputError("--schedules", "only --guided writes schedules");
  if (!command.report_dir.empty()) prepare_report_folder(command.report_dir);
  SweepReport report{&scenario, file, "explore", command.mutant, {}, 0, command.program};
  const WallTimer timer;
  std::uint64_t next = command.seed_start;
  const std::uint64_t batch = std::max(1u, command.jobs);
  Progress progress(command.runs.value_or(0), progress_wanted());
  std::optional<std::pair<std::uint64_t, double>> first;  // seed, wall seconds
  while (!first && (!command.runs || report.runs.size() < *command.runs)) {
    if (budget && timer.seconds() * 1e9 >= static_cast<double>(budget->ns)) break;
    std::uint64_t size = command.runs ? std::min<std::uint64_t>(batch, *command.runs - report.runs.size()) : batch;
    size = std::min(size, std::numeric_limits<std::uint64_t>::max() - next);  // a time budget stops at the last seed
    if (size == 0) break;
    for (auto& run : run_seeds(scenario, select_seeds(next, size, Shard{}), command.jobs, RunOptions{}, &progress)) {
      if (!command.stop_on.empty() && !first && shrink_target_of(run, stop_property)) first = {run.seed, timer.seconds()};
      report.runs.push_back(std::move(run));
    }
    next += size;
  }
  progress.finish();
  report.wall_seconds = timer.seconds();
  if (command.stop_on.empty()) return print_explore(report, command.json, command.report_dir);
  // Runs to first detection count the seeds up to and including the first breaking one, so the
  // figure does not depend on --jobs (a batch may run a little past it).
  const std::uint64_t runs_to_first = first ? first->first - command.seed_start + 1 : 0;
  if (!command.json) {
    if (first) {
      fmt::print("first unexplained {} violation: seed {} after {} runs, {:.2f} s\n", command.stop_on, first->first,
                 runs_to_first, first->second);
    } else {
      fmt::print("no unexplained {} violation in {} runs\n", command.stop_on, report.runs.size());
    }
    return print_explore(report, false, command.report_dir);
  }
  nlohmann::json extra;
  extra["stop_on"] = command.stop_on;
  extra["first_detection"] = first ? nlohmann::json{{"seed", first->first}, {"runs", runs_to_first}, {"wall_s", first->second}}
                                   : nlohmann::json(nullptr);
  return print_explore(report, true, command.report_dir, std::move(extra));
}

}  // namespace harness
