#include "harness/report_merge.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>

#include "harness/json_reader.hpp"
#include "harness/report_folder.hpp"
#include "harness/sweep_report.hpp"
#include "reports/index_page.hpp"
#include "reports/junit.hpp"
#include "reports/markdown.hpp"

namespace harness {
namespace {

nlohmann::json read_summary(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "summary.json").string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot read (is it a --report folder?)");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json summary = parse_json_text(text.str(), path);
  for (const char* key : {"scenario", "file", "command", "expect", "known_issues", "properties", "samples", "runs",
                          "violations", "failing_seeds", "known_issue_seeds", "simulated_s", "wall_s"}) {
    if (!summary.contains(key)) throw InputError(path, std::string("missing \"") + key + "\" (written by an older hasim?)");
  }
  return summary;
}

// The same nearest-rank percentiles a sweep reports (percentiles_ms), from the merged raw values.
reports::Distribution distribution(const std::vector<std::int64_t>& values_ms) {
  std::vector<sim::Duration> values;
  values.reserve(values_ms.size());
  for (const std::int64_t ms : values_ms) values.push_back(sim::milliseconds(ms));
  const Percentiles p = percentiles_ms(std::move(values));
  return reports::Distribution{p.min, p.p50, p.p99, p.max, p.samples};
}

nlohmann::json to_json(const reports::Distribution& d) {
  return nlohmann::json{{"min", d.min}, {"p50", d.p50}, {"p99", d.p99}, {"max", d.max}, {"samples", d.samples}};
}

std::vector<std::uint64_t> sorted_seeds(const std::vector<nlohmann::json>& parts, const char* key) {
  std::vector<std::uint64_t> seeds;
  for (const auto& part : parts) {
    for (const auto& seed : part[key]) seeds.push_back(seed.get<std::uint64_t>());
  }
  std::sort(seeds.begin(), seeds.end());
  return seeds;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw InputError("-o", "cannot write " + path.string());
}

}  // namespace

int merge_report_folders(const std::vector<std::string>& inputs, const std::string& output) {
  if (inputs.empty()) throw InputError("merge", "give at least one --report folder");
  std::vector<nlohmann::json> parts;
  for (const auto& dir : inputs) parts.push_back(read_summary(dir));
  const nlohmann::json& first = parts.front();
  for (std::size_t i = 1; i < parts.size(); i++) {
    for (const char* key : {"scenario", "file", "command", "expect", "known_issues", "properties"}) {
      if (parts[i][key] != first[key]) {
        throw InputError(inputs[i], std::string("\"") + key + "\" differs from " + inputs.front() + ": not shards of one sweep");
      }
    }
  }
  // Runs and violations in seed order, as one unsharded run lists them.
  std::vector<nlohmann::json> runs, violations, samples;
  std::set<std::uint64_t> seen;
  std::vector<std::int64_t> failover, overlap, overlap_running;
  std::map<std::string, std::size_t> known_counts;
  double simulated_s = 0, wall_s = 0;
  std::uint64_t zombie_grants = 0, zombie_grant_seeds = 0;
  for (std::size_t i = 0; i < parts.size(); i++) {
    const nlohmann::json& part = parts[i];
    for (const auto& run : part["runs"]) {
      if (!seen.insert(run["seed"].get<std::uint64_t>()).second) {
        throw InputError(inputs[i], "seed " + run["seed"].dump() + " is in two inputs: shards must not overlap");
      }
      runs.push_back(run);
    }
    for (const auto& v : part["violations"]) violations.push_back(v);
    if (part.contains("known_violations") && part["known_violations"].is_object()) {
      const nlohmann::json& known = part["known_violations"];
      for (auto it = known.begin(); it != known.end(); ++it) known_counts[it.key()] += it.value().get<std::size_t>();
    }
    for (const auto& seed : part["samples"]) {
      samples.push_back(seed);
      for (const auto& v : seed["failover_ms"]) failover.push_back(v.get<std::int64_t>());
      overlap.push_back(seed["believed_leader_overlap_ms"].get<std::int64_t>());
      overlap_running.push_back(seed["believed_leader_overlap_both_running_ms"].get<std::int64_t>());
    }
    simulated_s += part["simulated_s"].get<double>();
    wall_s += part["wall_s"].get<double>();  // machine time spent, over all shards
    zombie_grants += part.value("zombie_grants", std::uint64_t{0});
    zombie_grant_seeds += part.value("zombie_grant_seeds", std::uint64_t{0});
  }
  const auto by_seed = [](const nlohmann::json& a, const nlohmann::json& b) { return a["seed"] < b["seed"]; };
  std::sort(runs.begin(), runs.end(), by_seed);
  std::stable_sort(violations.begin(), violations.end(), by_seed);
  std::sort(samples.begin(), samples.end(), by_seed);
  const std::vector<std::uint64_t> failing = sorted_seeds(parts, "failing_seeds");
  const std::vector<std::uint64_t> known_seeds = sorted_seeds(parts, "known_issue_seeds");

  reports::SweepSummary summary;
  summary.scenario = first["scenario"].get<std::string>();
  summary.file = first["file"].get<std::string>();
  summary.command = first["command"].get<std::string>();
  summary.expect = first["expect"].get<std::string>();
  summary.expect_known = first.value("expect_known", std::string());
  summary.known_issues = first["known_issues"].get<std::string>();
  summary.properties = first["properties"].get<std::vector<std::string>>();
  summary.seeds = runs.size();
  summary.failing_seeds = failing;
  for (const auto& v : violations) {
    const std::string known = v["known"].is_null() ? "" : v["known"].get<std::string>();
    const std::string property = v["property"].get<std::string>();
    const bool incomplete = is_incomplete_run_finding(property);
    const bool fails = incomplete || (summary.expect == "pass" && (known.empty() || summary.known_issues == "fail"));
    summary.findings.push_back({v["seed"].get<std::uint64_t>(), property, v["clause"].get<std::string>(),
                                v["at"].get<double>(), v["message"].get<std::string>(), known,
                                v["replay"].get<std::string>(), fails});
    if (known.empty()) summary.unexplained++;
  }
  summary.known_counts = known_counts;
  summary.failover_ms = distribution(failover);
  summary.overlap_ms = distribution(overlap);
  summary.overlap_both_running_ms = distribution(overlap_running);
  summary.failover_samples_ms = failover;
  summary.overlap_samples_ms = overlap;
  summary.overlap_both_running_samples_ms = overlap_running;
  summary.simulated_s = simulated_s;
  summary.wall_s = wall_s;
  summary.exit = failing.empty() ? 0 : 1;

  nlohmann::json merged = first;
  merged["seeds"] = runs.size();
  merged["runs"] = runs;
  merged["violations"] = violations;
  merged["failing_seeds"] = failing;
  merged["known_issue_seeds"] = known_seeds;
  merged["unexplained_violations"] = summary.unexplained;
  merged["known_violations"] = nlohmann::json(known_counts);
  merged["failover_ms"] = to_json(summary.failover_ms);
  merged["believed_leader_overlap_ms"] = to_json(summary.overlap_ms);
  merged["believed_leader_overlap_both_running_ms"] = to_json(summary.overlap_both_running_ms);
  merged["zombie_grants"] = zombie_grants;
  merged["zombie_grant_seeds"] = zombie_grant_seeds;
  merged["simulated_s"] = simulated_s;
  merged["wall_s"] = wall_s;
  merged["sim_wall_ratio"] = wall_s > 0 ? simulated_s / wall_s : 0.0;
  merged["exit"] = summary.exit;
  merged["merged_from"] = inputs;
  merged["samples"] = samples;

  prepare_report_folder(output, "-o");
  const std::filesystem::path root(output);
  write_text(root / "summary.json", merged.dump(2) + "\n");
  write_text(root / "junit.xml", reports::junit_xml(summary));
  write_text(root / "summary.md", reports::markdown_summary(summary));
  // The shards' timeline pages come along, so the merged index links every page a shard wrote.
  for (const auto& dir : inputs) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("seed-", 0) != 0 || entry.path().extension() != ".html") continue;
      const std::string digits = name.substr(5, name.size() - 10);
      std::uint64_t seed = 0;
      const auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), seed);
      if (digits.empty() || parsed.ec != std::errc() || parsed.ptr != digits.data() + digits.size()) continue;
      std::filesystem::copy_file(entry.path(), root / name, std::filesystem::copy_options::overwrite_existing, error);
      if (error) throw InputError("-o", "cannot copy " + entry.path().string() + ": " + error.message());
      summary.seed_pages.push_back(seed);
    }
    if (error) throw InputError(dir, "cannot list the folder: " + error.message());
  }
  std::sort(summary.seed_pages.begin(), summary.seed_pages.end());
  write_text(root / "index.html", reports::index_html(summary));
  return summary.exit;
}

}  // namespace harness
