#include "harness/determinism_audit.hpp"

#include <filesystem>
#include <fstream>
#include <limits>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "harness/json_reader.hpp"
#include "harness/scenario.hpp"
#include "harness/scenario_runner.hpp"
#include "harness/sweep.hpp"
#include "harness/sweep_report.hpp"

namespace harness {
namespace {

constexpr std::size_t kMaxShownChars = 600;  // of each differing line

std::string shorten(std::string line) {
  if (line.size() > kMaxShownChars) line = line.substr(0, kMaxShownChars) + "...";
  return line;
}

std::vector<std::uint64_t> hashes(const std::vector<std::uint64_t>& seeds, unsigned jobs, const AuditRun& run) {
  const auto results = run_seeds_with(seeds, jobs, [&](std::uint64_t seed) {
    RunResult result;
    result.seed = seed;
    result.trace_hash = run(seed, "");
    return result;
  });
  std::vector<std::uint64_t> out;
  out.reserve(results.size());
  for (const auto& result : results) {
    // A run that threw has no hash to compare; it is a finding of `run`, not of the audit.
    out.push_back(result.error.empty() ? result.trace_hash : 0);
  }
  return out;
}

}  // namespace

std::optional<LineDifference> first_difference(const std::string& first_file, const std::string& second_file) {
  std::ifstream first(first_file, std::ios::binary), second(second_file, std::ios::binary);
  if (!first || !second) throw InputError("audit", "cannot read the traces " + first_file + " and " + second_file);
  std::string a, b;
  for (std::uint64_t line = 1;; line++) {
    const bool more_a = static_cast<bool>(std::getline(first, a));
    const bool more_b = static_cast<bool>(std::getline(second, b));
    if (!more_a && !more_b) return std::nullopt;
    if (more_a != more_b || a != b) {
      return LineDifference{line, more_a ? shorten(a) : "<end of trace>", more_b ? shorten(b) : "<end of trace>"};
    }
  }
}

std::vector<Divergence> audit_seeds(const std::vector<std::uint64_t>& seeds, unsigned jobs, const AuditRun& run,
                                    const std::string& scratch_dir) {
  const std::vector<std::uint64_t> first = hashes(seeds, jobs, run);
  const std::vector<std::uint64_t> second = hashes(seeds, jobs, run);
  std::vector<Divergence> out;
  for (std::size_t i = 0; i < seeds.size(); i++) {
    if (first[i] == second[i]) continue;
    Divergence d;
    d.seed = seeds[i];
    d.first_hash = first[i];
    d.second_hash = second[i];
    const std::filesystem::path dir(scratch_dir);
    const std::string a = (dir / fmt::format("seed-{}-a.jsonl", d.seed)).string();
    const std::string b = (dir / fmt::format("seed-{}-b.jsonl", d.seed)).string();
    run(d.seed, a);
    run(d.seed, b);
    if (const auto difference = first_difference(a, b)) {
      d.located = true;
      d.line = difference->line;
      d.first = difference->first;
      d.second = difference->second;
    }
    std::error_code ignored;
    std::filesystem::remove(a, ignored);
    std::filesystem::remove(b, ignored);
    out.push_back(std::move(d));
  }
  return out;
}

int audit_command(const AuditCommand& command) {
  const Scenario scenario = load_scenario_file(command.file);
  const std::uint64_t start = command.seed_start.value_or(scenario.seed_start);
  const std::uint64_t count = command.seeds.value_or(scenario.seed_count);
  if (count > 0 && start > std::numeric_limits<std::uint64_t>::max() - (count - 1)) {
    throw InputError(command.seed_start ? "--seed-start" : "--seeds",
                     fmt::format("seeds {} and the {} after it pass 2^64-1", start, count - 1));
  }
  std::error_code error;
  const std::filesystem::path scratch = std::filesystem::temp_directory_path(error) / "hasim-audit";
  std::filesystem::create_directories(scratch, error);
  if (error) throw InputError("audit", "cannot create a scratch folder " + scratch.string() + ": " + error.message());
  const AuditRun run = [&](std::uint64_t seed, const std::string& trace_file) {
    RunOptions options;
    options.trace_file = trace_file;
    options.trace_file_kernel_events = true;
    return run_scenario(scenario, seed, options).trace_hash;
  };
  const auto divergences = audit_seeds(select_seeds(start, count, Shard{}), command.jobs, run, scratch.string());
  if (command.json) {
    nlohmann::json found = nlohmann::json::array();
    for (const auto& d : divergences) {
      found.push_back({{"seed", d.seed},
                       {"first_hash", fmt::format("{:016x}", d.first_hash)},
                       {"second_hash", fmt::format("{:016x}", d.second_hash)},
                       {"located", d.located},
                       {"line", d.line},
                       {"first", d.first},
                       {"second", d.second}});
    }
    fmt::print("{}\n", nlohmann::json{{"scenario", scenario.name}, {"file", command.file}, {"seed_start", start},
                                      {"seeds", count}, {"divergences", found},
                                      {"exit", divergences.empty() ? 0 : 1}}
                           .dump());
  } else {
    for (const auto& d : divergences) {
      fmt::print("seed {}: nondeterministic: trace hash {:016x} then {:016x}\n", d.seed, d.first_hash, d.second_hash);
      if (d.located) {
        fmt::print("  first difference at trace line {}:\n    first run:  {}\n    second run: {}\n", d.line, d.first,
                   d.second);
      } else {
        fmt::print("  two more runs with the full trace did not diverge: the cause is rare or depends on the thread\n");
      }
      fmt::print("  again: {} audit {} --seed-start {} --seeds 1\n", shell_word(command.program), shell_word(command.file),
                 d.seed);
    }
    fmt::print("audited {} seed(s) of {} twice each: {} nondeterministic\n", count, scenario.name, divergences.size());
  }
  return divergences.empty() ? 0 : 1;
}

}  // namespace harness
