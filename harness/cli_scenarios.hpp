#pragma once
// The scenario commands of the `hasim` CLI: run, replay, explore. Each returns the exit code
// (0 as expected, 1 a violation or unexpected outcome, 2 unusable input) and throws InputError
// for unusable input. The wall clock is read here, around runs, and never inside one.
#include <cstdint>
#include <optional>
#include <string>

#include "model/flink/mutants.hpp"

namespace harness {

// --mutant NAME, or an InputError naming the flag.
model::flink::Mutant parse_mutant_flag(const std::string& name);
// Writes `text` to `path`, or throws an InputError naming `flag`.
void write_text_file(const std::string& path, const std::string& flag, const std::string& text);

struct RunCommand {
  std::string report_dir;  // --report: write summary.json, junit.xml, summary.md here
  std::string program = "hasim";  // argv[0] as invoked: replay commands name it so they work when pasted
  std::string file;
  std::optional<std::uint64_t> seed;
  std::optional<std::uint64_t> seeds;
  std::optional<std::uint64_t> seed_start;
  unsigned jobs = 1;
  std::string shard;  // "I/N" or ""
  bool json = false;
};
int run_command(const RunCommand& command);

struct ReplayCommand {
  std::string report_dir;  // --report: write summary.json, junit.xml, summary.md here
  std::string program = "hasim";  // argv[0] as invoked: replay commands name it so they work when pasted
  std::string file;
  std::uint64_t seed = 0;
  std::string trace_file;
  std::string mutant;
  std::string export_schedule;  // write the seed's whole fault schedule as an explicit scenario here
  bool json = false;
};
int replay_command(const ReplayCommand& command);

struct ExploreCommand {
  std::string report_dir;  // --report: write summary.json, junit.xml, summary.md here
  std::string program = "hasim";  // argv[0] as invoked: replay commands name it so they work when pasted
  std::string file;  // "" = scenarios/explore.json
  std::optional<std::uint64_t> runs;
  std::string time_budget;  // a Flink duration of wall time
  std::string mutant;
  std::uint64_t seed_start = 1'000'000;  // away from the seeds scenarios run in CI
  unsigned jobs = 1;
  std::string stop_on;  // a property, or "any": stop once a run breaks it as an unexplained violation
  bool guided = false;       // --guided: mutate a corpus of schedules (harness/guided_explore.hpp)
  std::string schedules_dir; // --schedules: where --guided writes failing runs' schedules
  bool json = false;
};
int explore_command(const ExploreCommand& command);

}  // namespace harness
