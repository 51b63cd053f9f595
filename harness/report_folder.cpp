#include "harness/report_folder.hpp"

#include <filesystem>
#include <fstream>
#include <system_error>

#include "harness/json_reader.hpp"
#include "harness/scenario_runner.hpp"
#include "harness/sweep.hpp"
#include "harness/timeline_builder.hpp"
#include "reports/index_page.hpp"
#include "reports/junit.hpp"
#include "reports/timeline.hpp"
#include "reports/markdown.hpp"

namespace harness {
namespace {

constexpr std::size_t kMaxSeedPages = 20;  // timeline pages per report folder

void write_file(const std::filesystem::path& path, const std::string& text, const std::string& flag = "--report") {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw InputError(flag, "cannot write " + path.string());
}

}  // namespace

void prepare_report_folder(const std::string& dir, const std::string& flag) {
  if (dir.empty()) throw InputError(flag, "needs a folder");
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error || !std::filesystem::is_directory(dir)) {
    throw InputError(flag, "cannot create the folder " + dir + (error ? ": " + error.message() : ""));
  }
  const std::filesystem::path probe = std::filesystem::path(dir) / ".hasim-write-check";
  write_file(probe, "", flag);
  std::filesystem::remove(probe, error);
}

void write_report_folder(const SweepReport& report, const std::string& dir) {
  prepare_report_folder(dir);
  const std::filesystem::path root(dir);
  reports::SweepSummary summary = summarize(report);
  nlohmann::json json = format_json(report);
  // What `hasim merge` needs to give shards the totals and distributions of one unsharded run.
  json["properties"] = summary.properties;
  json["samples"] = distribution_samples(report);
  write_file(root / "summary.json", json.dump(2) + "\n");
  write_file(root / "junit.xml", reports::junit_xml(summary));
  write_file(root / "summary.md", reports::markdown_summary(summary));
  // A timeline page per seed that failed or broke a property (a mutant's expected violation, a
  // known upstream issue), the first kMaxSeedPages of them, and for a replay its one seed. A run
  // without its events is run again to get them: same scenario and seed, the same trace.
  std::size_t pages = 0;
  for (const auto& run : report.runs) {
    const bool wanted = report.command == "replay" || run_failed(*report.scenario, run) || !run.violations.empty();
    if (!wanted || pages++ >= kMaxSeedPages) continue;
    RunResult again;
    const RunResult* with_events = &run;
    if (run.events.empty()) {
      RunOptions options;
      options.keep_events = true;
      again = run_scenario(*report.scenario, run.seed, options);
      with_events = &again;
    }
    const auto timeline = build_timeline(report.scenario->name, *with_events, replay_command(report, run.seed));
    write_file(root / ("seed-" + std::to_string(run.seed) + ".html"), reports::timeline_html(timeline));
    summary.seed_pages.push_back(run.seed);
  }
  write_file(root / "index.html", reports::index_html(summary));
}

}  // namespace harness
