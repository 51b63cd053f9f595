#pragma once
// What `hasim run`, `replay` and `explore` print: one line per failing seed with a copy-paste
// replay command, then the seeds whose violations are all known upstream issues (each marked
// "known: <id> (<summary>)"), then a summary (seeds, violations unexplained and known,
// believed-leader overlap in all and with both JobManagers running, failover time
// min/p50/p99/max, simulated/wall time ratio); or all of it as one JSON object with --json.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run_result.hpp"
#include "harness/scenario.hpp"
#include "reports/sweep_summary.hpp"

namespace harness {

struct SweepReport {
  const Scenario* scenario = nullptr;
  std::string file;     // as given on the command line, for replay commands
  std::string command;  // "run", "replay", "explore"
  std::string mutant;   // an explore --mutant override, "" for none
  std::vector<RunResult> runs;
  double wall_seconds = 0;
  std::string program = "hasim";  // the binary as invoked, for replay commands
  // explore --guided: a run whose schedule was mutated is no seed of `file`; it replays from the
  // schedule file written for it, with this command instead of `replay FILE --seed S`.
  std::map<std::uint64_t, std::string> replay_overrides{};
};

struct Percentiles {
  std::int64_t min = 0, p50 = 0, p99 = 0, max = 0;
  std::size_t samples = 0;
};
// Nearest-rank percentiles of millisecond values.
Percentiles percentiles_ms(std::vector<sim::Duration> values);

std::string replay_command(const SweepReport& report, std::uint64_t seed);
// `word` quoted for a POSIX shell when it needs it, so a printed command works when pasted.
std::string shell_word(const std::string& word);
// The lines for failing seeds, then the summary.
std::string format_text(const SweepReport& report);
nlohmann::json format_json(const SweepReport& report);
// 0: every run as the scenario expects (known upstream issues do not fail a pass scenario unless
// it sets "known_issues": "fail"); 1: some run is not.
int exit_status(const SweepReport& report);
// Per seed, the raw millisecond values behind the distributions (failover_ms,
// believed_leader_overlap_ms, believed_leader_overlap_both_running_ms), so shards merge exactly.
nlohmann::json distribution_samples(const SweepReport& report);
// The plain data the report writers (reports/) take.
reports::SweepSummary summarize(const SweepReport& report);

}  // namespace harness
