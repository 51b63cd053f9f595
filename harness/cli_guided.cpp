#include "harness/cli_guided.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "harness/fault_schedule.hpp"
#include "harness/guided_explore.hpp"
#include "harness/json_reader.hpp"
#include "harness/probe_report.hpp"
#include "harness/progress.hpp"
#include "harness/report_folder.hpp"
#include "harness/sweep.hpp"
#include "harness/sweep_report.hpp"

namespace harness {
namespace {

// At most this many schedule files per campaign (one per failing run); the rest are counted.
constexpr std::size_t kScheduleFilesMax = 50;

double wall_seconds_since(std::chrono::steady_clock::time_point start) {  // determinism-ok: wall time only
  // Wall time around the campaign, reported beside it, never fed into a run.
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();  // determinism-ok: outside any simulation
}

std::string schedules_dir_of(const ExploreCommand& command) {
  if (!command.schedules_dir.empty()) return command.schedules_dir;
  if (!command.report_dir.empty()) return command.report_dir;
  return fmt::format("guided-{}", command.seed_start);
}

// Writes `guided`'s schedule as a scenario of its one seed; returns the path.
std::string write_schedule(const ExploreCommand& command, const std::string& file, const std::string& dir,
                           const Scenario& scenario, const GuidedRun& guided) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw InputError("--schedules", "cannot create \"" + dir + "\": " + error.message());
  const std::string path = (std::filesystem::path(dir) / fmt::format("guided-seed-{}.json", guided.run.seed)).string();
  ExplicitScenario out;
  out.faults = guided.faults;
  out.faults_end = guided.faults_end;
  out.seed = guided.run.seed;
  out.name = fmt::format("{}-guided-seed-{}", scenario.name, guided.run.seed);
  out.description = fmt::format("Run {} of hasim explore --guided --seed-start {} on {}{} ({}); trace hash {:016x}. {}",
                                guided.run.seed, command.seed_start, file,
                                command.mutant.empty() ? "" : " with mutant " + command.mutant, guided.origin,
                                guided.run.trace_hash, scenario.description);
  if (!command.mutant.empty()) out.mutant = command.mutant;
  write_text_file(path, "--schedules", explicit_scenario_text(file, out));
  return path;
}

}  // namespace

int guided_explore_command(const ExploreCommand& command, const Scenario& scenario, const std::string& file) {
  if (!scenario.random_faults) {
    throw InputError("--guided", file + " has no faults.random: guided exploration mutates generated schedules");
  }
  if (!command.runs) throw InputError("--guided", "guided exploration needs --runs N (its campaign is fixed by the count)");
  const auto start = std::chrono::steady_clock::now();  // determinism-ok: wall time of the campaign only
  GuidedOptions options;
  options.seed_start = command.seed_start;
  options.runs = *command.runs;
  options.jobs = command.jobs;
  if (scenario.mutant != model::flink::Mutant::kNone) options.mutant = scenario.mutant;
  options.stop_on = command.stop_on;
  Progress progress(options.runs, progress_wanted());
  GuidedResult result = guided_explore(scenario, options, [] { return true; }, &progress);
  progress.finish();
  const double first_wall_s = wall_seconds_since(start);

  SweepReport report{&scenario, file, "explore", command.mutant, {}, 0, command.program};
  const std::string dir = schedules_dir_of(command);
  std::size_t written = 0, unwritten = 0;
  nlohmann::json findings = nlohmann::json::array();
  for (auto& guided : result.runs) {
    if (run_failed(scenario, guided.run)) {
      if (written < kScheduleFilesMax) {
        const std::string path = write_schedule(command, file, dir, scenario, guided);
        written++;
        const std::string replay = fmt::format("{} replay {} --seed {}", shell_word(command.program), shell_word(path),
                                               guided.run.seed);
        report.replay_overrides[guided.run.seed] = replay;
        findings.push_back({{"seed", guided.run.seed}, {"origin", guided.origin}, {"schedule", path},
                            {"faults", guided.faults.size()}, {"replay", replay}});
      } else {
        unwritten++;
      }
    }
  }
  for (auto& guided : result.runs) report.runs.push_back(std::move(guided.run));
  report.wall_seconds = wall_seconds_since(start);
  if (!command.report_dir.empty()) write_report_folder(report, command.report_dir);

  nlohmann::json summary{{"corpus_entries", result.corpus_entries},
                         {"feedback_keys", result.feedback_keys},
                         {"mutated_runs", result.mutated_runs},
                         {"corpus_limit_hit", result.corpus_limit_hit},
                         {"schedules_dir", written > 0 ? nlohmann::json(dir) : nlohmann::json(nullptr)},
                         {"schedule_files_not_written", unwritten},
                         {"findings", findings}};
  std::optional<std::uint64_t> first_seed;
  if (result.first_detection) first_seed = report.runs[*result.first_detection].seed;
  if (command.json) {
    nlohmann::json out = format_json(report);
    out["guided"] = summary;
    if (!command.stop_on.empty()) {
      out["stop_on"] = command.stop_on;
      out["first_detection"] =
          first_seed ? nlohmann::json{{"seed", *first_seed}, {"runs", *result.first_detection + 1}, {"wall_s", first_wall_s},
                                      {"replay", replay_command(report, *first_seed)}}
                     : nlohmann::json(nullptr);
    }
    add_probe_json(out, report.runs);
    fmt::print("{}\n", out.dump());
  } else {
    if (!command.stop_on.empty()) {
      if (first_seed) {
        fmt::print("first unexplained {} violation: seed {} after {} runs, {:.2f} s; replay: {}\n", command.stop_on,
                   *first_seed, *result.first_detection + 1, first_wall_s, replay_command(report, *first_seed));
      } else {
        fmt::print("no unexplained {} violation in {} runs\n", command.stop_on, report.runs.size());
      }
    }
    fmt::print("{}{}", format_text(report), format_probe_text(report.runs));
    fmt::print("guided: {} of {} runs mutated a corpus entry; corpus {} entries{}; {} feedback keys reached\n",
               result.mutated_runs, report.runs.size(), result.corpus_entries,
               result.corpus_limit_hit ? " (limit hit: new finds were not kept)" : "", result.feedback_keys);
    if (written > 0) {
      fmt::print("guided: wrote {} failing runs' schedules to {}{}\n", written, dir,
                 unwritten ? fmt::format(" ({} more not written: limit {})", unwritten, kScheduleFilesMax) : "");
    }
  }
  std::fflush(stdout);
  return exit_status(report);
}

}  // namespace harness
