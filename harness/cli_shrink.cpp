#include "harness/cli_shrink.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "harness/cli_scenarios.hpp"
#include "harness/fault_schedule.hpp"
#include "harness/json_reader.hpp"
#include "harness/shrink.hpp"

namespace harness {
namespace {

std::string fault_line(const FaultSpec& fault) { return fault_json(fault).dump(); }

Expectation expectation_of(const ShrinkTarget& target, const ShrinkCommand& command, std::size_t original_faults,
                           std::size_t minimal_faults) {
  Expectation expect;
  expect.pass = false;
  expect.property = target.property;
  expect.why = fmt::format("hasim shrink of seed {} of {}{}: {} of its {} faults still break {}{}", command.seed,
                           command.file, command.mutant.empty() ? "" : " with mutant " + command.mutant,
                           minimal_faults, original_faults, target.property,
                           target.clause.empty() ? "" : " (clause " + target.clause + ")");
  return expect;
}

}  // namespace

int shrink_command(const ShrinkCommand& command) {
  const Scenario scenario = load_scenario_file(command.file);
  if (command.property.empty() == false) {
    const auto& names = property_names();
    if (std::find(names.begin(), names.end(), command.property) == names.end()) {
      throw InputError("--property", "unknown property \"" + command.property + "\"");
    }
  }
  if (command.seed > static_cast<std::uint64_t>(INT64_MAX)) {
    throw InputError("--seed", "a scenario file holds seeds up to 9223372036854775807");
  }
  ShrinkOptions options;
  options.seed = command.seed;
  if (!command.mutant.empty()) options.mutant = parse_mutant_flag(command.mutant);
  if (!command.property.empty()) options.property = command.property;
  options.runs_max = command.runs_max;
  const ShrinkResult result = shrink_seed(scenario, options);
  if (!result.target) {
    const std::string what = command.property.empty() ? "an unexplained violation" : "an unexplained " + command.property + " violation";
    throw InputError("--seed", fmt::format("seed {} of {} shows no {} to shrink", command.seed, command.file, what));
  }
  ExplicitScenario out;
  out.faults = result.minimal;
  out.faults_end = result.faults_end;
  out.seed = command.seed;
  out.name = scenario.name + "-shrunk-seed-" + std::to_string(command.seed);
  out.description = fmt::format("Seed {} of {}{} shrunk from {} faults to {} by hasim shrink ({} runs). {}", command.seed,
                                command.file, command.mutant.empty() ? "" : " with mutant " + command.mutant,
                                result.original.size(), result.minimal.size(), result.runs, scenario.description);
  if (!command.mutant.empty()) out.mutant = command.mutant;
  out.expect = expectation_of(*result.target, command, result.original.size(), result.minimal.size());
  if (command.mutant.empty() && scenario.mutant != model::flink::Mutant::kNone) {
    out.mutant = std::string(model::flink::mutant_name(scenario.mutant));
  }
  write_text_file(command.output, "--output", explicit_scenario_text(command.file, out));

  const Violation* kept = nullptr;
  for (const auto& v : result.final_run.violations) {
    if (v.known.empty() && v.property == result.target->property && v.clause == result.target->clause) {
      kept = &v;
      break;
    }
  }
  const std::string replay = fmt::format("{} run {}", command.program, command.output);
  if (command.json) {
    nlohmann::json json;
    json["command"] = "shrink";
    json["file"] = command.file;
    json["seed"] = command.seed;
    json["mutant"] = command.mutant;
    json["property"] = result.target->property;
    json["clause"] = result.target->clause;
    json["faults_before"] = result.original.size();
    json["faults_after"] = result.minimal.size();
    json["runs"] = result.runs;
    json["runs_limit_hit"] = result.runs_limit_hit;
    json["heal_at_s"] = static_cast<double>(result.faults_end.ns) / 1e9;
    json["trace_hash"] = fmt::format("{:016x}", result.final_run.trace_hash);
    json["message"] = kept ? kept->message : "";
    json["output"] = command.output;
    json["replay"] = replay;
    fmt::print("{}\n", json.dump());
    return 0;
  }
  fmt::print("shrunk seed {} of {}: {} of {} faults still break {}{} ({} runs{})\n", command.seed, command.file,
             result.minimal.size(), result.original.size(), result.target->property,
             result.target->clause.empty() ? "" : " clause " + result.target->clause, result.runs,
             result.runs_limit_hit ? "; run limit hit, may not be minimal: raise --runs-max" : "");
  for (const auto& fault : result.minimal) fmt::print("  fault {}\n", fault_line(fault));
  fmt::print("  heal at {}\n", exact_duration_text(result.faults_end));
  if (kept) fmt::print("  violation at {}: {}\n", sim::format_instant(kept->at), kept->message);
  fmt::print("wrote {}; replay: {} (trace hash {:016x})\n", command.output, replay, result.final_run.trace_hash);
  return 0;
}

}  // namespace harness
