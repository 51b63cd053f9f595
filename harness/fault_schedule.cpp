#include "harness/fault_schedule.hpp"

#include <fstream>
#include <limits>
#include <sstream>

#include "harness/fault_plan.hpp"
#include "harness/json_reader.hpp"
#include "sim/prng.hpp"

namespace harness {

std::string exact_duration_text(sim::Duration duration) {
  const std::int64_t ns = duration.ns;
  if (ns != 0 && ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + " s";
  if (ns != 0 && ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + " ms";
  return std::to_string(ns) + " ns";
}

nlohmann::ordered_json fault_json(const FaultSpec& fault) {
  nlohmann::ordered_json out;
  if (fault.trigger) {
    nlohmann::ordered_json trigger;
    trigger["name"] = fault.trigger->name;
    trigger["process"] = fault.trigger->process;
    trigger["after"] = exact_duration_text(fault.trigger->after);
    if (!fault.trigger->following.empty()) trigger["following"] = fault.trigger->following;
    trigger["delay"] = exact_duration_text(fault.trigger->delay);
    out["after_event"] = trigger;
  } else {
    out["at"] = exact_duration_text(fault.at);
  }
  const std::string& kind = fault.kind;
  out["kind"] = kind;
  if (fault_has_target(kind)) out["target"] = fault.target;
  if (!fault.cluster.empty()) out["cluster"] = fault.cluster;
  if (fault.duration) out["duration"] = exact_duration_text(*fault.duration);
  if (kind == "partition") {
    if (!fault.split.empty()) {
      out["split"] = fault.split;
    } else {
      out["groups"] = fault.groups;
    }
  }
  if (kind == "cut" || kind == "latency-spike") {
    out["from"] = fault.from;
    out["to"] = fault.to;
  }
  if (kind == "cut") out["both_ways"] = fault.both_ways;
  if (kind == "latency-spike" || kind == "storage-slow") out["extra"] = exact_duration_text(fault.extra);
  if (kind == "storage-write-error") out["count"] = fault.count;
  if (kind == "storage-lose-file") out["path_prefix"] = fault.path_prefix;
  if (kind == "clock-skew") out["skew_ms"] = fault.skew_ms;
  if (kind == "clock-drift") out["drift_ppm"] = fault.drift_ppm;
  return out;
}

namespace {

nlohmann::ordered_json read_source(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw InputError(path, "cannot read the file");
  std::stringstream text;
  text << file.rdbuf();
  try {
    return nlohmann::ordered_json::parse(text.str());
  } catch (const nlohmann::json::exception&) {
    throw InputError(path, "not valid JSON");  // load_scenario_file names the place
  }
}

nlohmann::ordered_json expect_json(const Expectation& expect, const std::optional<std::string>& mutant) {
  nlohmann::ordered_json out;
  out["outcome"] = expect.pass ? "pass" : "violation";
  if (mutant) out["mutant"] = *mutant;
  if (!expect.pass) out["property"] = expect.property;
  if (!expect.known.empty()) out["known"] = expect.known;
  if (!expect.why.empty()) out["why"] = expect.why;
  return out;
}

}  // namespace

std::string explicit_scenario_text(const std::string& source_path, const ExplicitScenario& explicit_scenario) {
  constexpr auto kSeedMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (explicit_scenario.seed > kSeedMax) {
    throw InputError("--seed", "a scenario file holds seeds up to 9223372036854775807, got " +
                                   std::to_string(explicit_scenario.seed));
  }
  nlohmann::ordered_json root = read_source(source_path);
  root["name"] = explicit_scenario.name;
  root["description"] = explicit_scenario.description;
  nlohmann::ordered_json faults;
  faults["schedule"] = nlohmann::ordered_json::array();
  for (const auto& fault : explicit_scenario.faults) faults["schedule"].push_back(fault_json(fault));
  faults["end_at"] = exact_duration_text(explicit_scenario.faults_end);
  root["faults"] = faults;
  if (explicit_scenario.expect) {
    root["expect"] = expect_json(*explicit_scenario.expect, explicit_scenario.mutant);
  } else if (explicit_scenario.mutant) {
    root["expect"]["mutant"] = *explicit_scenario.mutant;
  }
  root["seeds"] = {{"start", explicit_scenario.seed}, {"count", 1}};
  return root.dump(2) + "\n";
}

}  // namespace harness
