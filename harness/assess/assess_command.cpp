#include "harness/assess/assess_command.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "harness/assess/assess_run.hpp"
#include "harness/assess/conf_dir.hpp"
#include "harness/assess/effective_config.hpp"
#include "harness/assess/fault_catalogue.hpp"
#include "harness/assess/run_figures.hpp"
#include "harness/checkers/known_issues.hpp"
#include "harness/json_reader.hpp"
#include "harness/scenario_runner.hpp"
#include "harness/sweep.hpp"
#include "harness/sweep_report.hpp"
#include "sim/assert.hpp"

namespace harness::assess {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitViolation = 1;
constexpr int kExitBadInput = 2;

// One kind of finding in a class: a property clause broken, known or not, or a run that did
// not complete.
struct Finding {
  std::string property;
  std::string clause;
  std::string known;  // "" unexplained
  std::uint64_t seeds = 0;
  std::uint64_t first_seed = 0;
  std::uint64_t last_seed = 0;
  std::string first_message;
  sim::Instant first_at;
};

struct ClassResult {
  FaultClass fault;
  std::uint64_t runs = 0;
  std::vector<sim::Duration> failovers;
  std::vector<sim::Duration> downtimes;
  std::vector<sim::Duration> checkpoint_gaps;
  std::uint64_t runs_without_checkpoint = 0;  // no checkpoint completed after the fault
  std::vector<sim::Duration> overlaps;
  std::vector<Finding> findings;  // unexplained first, then known, each in order of first seed

  std::uint64_t unexplained_seeds = 0;
  std::uint64_t known_seeds = 0;
};

struct VariantResult {
  Variant variant;
  sim::Duration negotiated{};
  std::vector<ClassResult> classes;
};

std::string replay_command(const AssessCommand& command, const Variant& variant, const std::string& fault, std::uint64_t seed) {
  std::string text = shell_word(command.program) + " assess " + shell_word(command.dir) + " --fault " + fault +
                     " --seed " + std::to_string(seed);
  if (variant.name != "as-configured") text += " --variant " + variant.name;
  return text;
}

void add_finding(std::vector<Finding>& findings, const std::string& property, const std::string& clause,
                 const std::string& known, std::uint64_t seed, const std::string& message, sim::Instant at) {
  for (auto& finding : findings) {
    if (finding.property == property && finding.clause == clause && finding.known == known) {
      if (finding.last_seed != seed) finding.seeds++;
      finding.last_seed = seed;
      return;
    }
  }
  findings.push_back({property, clause, known, 1, seed, seed, message, at});
}

ClassResult run_class(const AssessCommand& command, const EffectiveConfig& config, const Variant& variant,
                      const FaultClass& fault) {
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t i = 0; i < command.seeds; i++) seeds.push_back(command.seed_start + i);
  // Threads write only their own seed's slot.
  std::vector<RunFigures> figures(seeds.size());
  const auto results = run_seeds_with(seeds, command.jobs, [&](std::uint64_t seed) {
    AssessRun run = run_assess_seed(config, variant, fault, seed);
    figures[seed - command.seed_start] = run.figures;
    return std::move(run.result);
  });
  ClassResult out;
  out.fault = fault;
  for (std::size_t i = 0; i < results.size(); i++) {
    const RunResult& run = results[i];
    out.runs++;
    if (figures[i].failover) out.failovers.push_back(*figures[i].failover);
    out.downtimes.push_back(figures[i].job_downtime);
    if (figures[i].checkpoint_gap) {
      out.checkpoint_gaps.push_back(*figures[i].checkpoint_gap);
    } else {
      out.runs_without_checkpoint++;
    }
    out.overlaps.push_back(run.believed_leader_overlap);
    bool unexplained = false, known = false;
    if (!run.completed()) {
      const std::string what = !run.error.empty() ? "run-error" : "run-limit";
      add_finding(out.findings, what, "", "", run.seed, run.error.empty() ? std::string(sim::to_string(run.outcome)) : run.error, run.ended_at);
      unexplained = true;
    }
    for (const auto& violation : run.violations) {
      add_finding(out.findings, violation.property, violation.clause, violation.known, run.seed, violation.message, violation.at);
      (violation.known.empty() ? unexplained : known) = true;
    }
    out.unexplained_seeds += unexplained;
    out.known_seeds += known;
  }
  std::stable_sort(out.findings.begin(), out.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.known.empty() && !b.known.empty(); });
  return out;
}

std::string seconds_text(std::int64_t ms) { return fmt::format("{:.1f} s", static_cast<double>(ms) / 1000.0); }

std::string distribution_text(const std::vector<sim::Duration>& values) {
  const Percentiles p = percentiles_ms(values);
  if (p.samples == 0) return "-";
  return seconds_text(p.p50) + " / " + seconds_text(p.p99) + " / " + seconds_text(p.max);
}

nlohmann::json distribution_json(const std::vector<sim::Duration>& values) {
  const Percentiles p = percentiles_ms(values);
  if (p.samples == 0) return {{"samples", 0}, {"p50", nullptr}, {"p99", nullptr}, {"max", nullptr}};
  return {{"samples", p.samples}, {"min", p.min}, {"p50", p.p50}, {"p99", p.p99}, {"max", p.max}};
}

std::string finding_title(const Finding& finding) {
  std::string title = finding.property + (finding.clause.empty() ? "" : " " + finding.clause);
  if (finding.known.empty()) return "unexplained " + title;
  const KnownIssue* issue = find_known_issue(finding.known);
  return "known " + finding.known + (issue != nullptr ? " (" + issue->summary + ")" : "") + ": " + title;
}

nlohmann::json class_json(const AssessCommand& command, const Variant& variant, const ClassResult& c) {
  nlohmann::json violations = nlohmann::json::array();
  for (const auto& f : c.findings) {
    violations.push_back({{"property", f.property},
                          {"clause", f.clause},
                          {"known", f.known.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.known)},
                          {"seeds", f.seeds},
                          {"first_seed", f.first_seed},
                          {"first_at_ms", f.first_at.to_ms()},
                          {"message", f.first_message},
                          {"replay", replay_command(command, variant, c.fault.name, f.first_seed)}});
  }
  return {{"fault", c.fault.name},
          {"description", c.fault.description},
          {"runs", c.runs},
          {"runs_with_failover", c.failovers.size()},
          {"failover_ms", distribution_json(c.failovers)},
          {"job_downtime_ms", distribution_json(c.downtimes)},
          {"checkpoint_gap_ms", distribution_json(c.checkpoint_gaps)},
          {"runs_without_checkpoint_after_fault", c.runs_without_checkpoint},
          {"believed_leader_overlap_ms", distribution_json(c.overlaps)},
          {"unexplained_seeds", c.unexplained_seeds},
          {"known_seeds", c.known_seeds},
          {"violations", violations}};
}

sim::Duration total(const std::vector<sim::Duration>& values) {
  sim::Duration sum{};
  for (const auto value : values) sum += value;
  return sum;
}

std::uint64_t unexplained_seeds(const VariantResult& v) {
  std::uint64_t n = 0;
  for (const auto& c : v.classes) n += c.unexplained_seeds;
  return n;
}
std::uint64_t known_seeds(const VariantResult& v) {
  std::uint64_t n = 0;
  for (const auto& c : v.classes) n += c.known_seeds;
  return n;
}
sim::Duration total_downtime(const VariantResult& v) {
  sim::Duration sum{};
  for (const auto& c : v.classes) sum += total(c.downtimes);
  return sum;
}

// Where a variant measurably differs from the configuration as given, class by class: failover
// or downtime p50 moved by a tenth and at least 0.5 s, or the seeds that broke a property changed.
std::vector<std::string> class_differences(const VariantResult& base, const VariantResult& v) {
  std::vector<std::string> out;
  const auto moved = [](const Percentiles& a, const Percentiles& b) {
    if (a.samples == 0 || b.samples == 0) return a.samples != b.samples;
    const std::int64_t change_ms = std::abs(a.p50 - b.p50);
    return change_ms >= 500 && change_ms * 10 >= std::max<std::int64_t>(a.p50, b.p50);
  };
  const auto p50_text = [](const Percentiles& p) { return p.samples == 0 ? std::string("none") : seconds_text(p.p50); };
  for (std::size_t i = 0; i < base.classes.size() && i < v.classes.size(); i++) {
    const ClassResult& a = base.classes[i];
    const ClassResult& b = v.classes[i];
    std::vector<std::string> parts;
    const Percentiles fa = percentiles_ms(a.failovers), fb = percentiles_ms(b.failovers);
    if (moved(fa, fb)) parts.push_back(fmt::format("failover p50 {} -> {} ({}/{} -> {}/{} runs)", p50_text(fa), p50_text(fb),
                                                   fa.samples, a.runs, fb.samples, b.runs));
    const Percentiles da = percentiles_ms(a.downtimes), db = percentiles_ms(b.downtimes);
    if (moved(da, db)) parts.push_back(fmt::format("job downtime p50 {} -> {}", p50_text(da), p50_text(db)));
    if (a.unexplained_seeds != b.unexplained_seeds || a.known_seeds != b.known_seeds) {
      parts.push_back(fmt::format("seeds broken {}+{} -> {}+{} (unexplained+known)", a.unexplained_seeds, a.known_seeds,
                                  b.unexplained_seeds, b.known_seeds));
    }
    if (parts.empty()) continue;
    std::string line = a.fault.name + ": ";
    for (std::size_t k = 0; k < parts.size(); k++) line += (k == 0 ? "" : "; ") + parts[k];
    out.push_back(line);
  }
  return out;
}

// Each recommendation compares one measured variant with the configuration as given, over the
// same classes and seeds, and lists the classes behind it; nothing is asserted without a run.
std::vector<std::string> recommendations(const std::vector<VariantResult>& variants) {
  std::vector<std::string> out;
  if (variants.size() < 2) return out;
  const VariantResult& base = variants.front();
  const auto base_downtime = total_downtime(base);
  for (std::size_t i = 1; i < variants.size(); i++) {
    const VariantResult& v = variants[i];
    const auto downtime = total_downtime(v);
    if (v.negotiated == base.negotiated && v.variant.session_timeout_percent != 100) {
      out.push_back(v.variant.name + ": no change: ZooKeeper negotiates the same " + duration_text(v.negotiated) +
                    " session timeout (the requested value is clamped by maxSessionTimeout/minSessionTimeout)");
      continue;
    }
    const bool fewer_breaks = unexplained_seeds(v) + known_seeds(v) <= unexplained_seeds(base) + known_seeds(base);
    const std::string figures = fmt::format(
        "job downtime summed over the catalogue {} vs {} as configured; seeds broken {}+{} vs {}+{} (unexplained+known)",
        seconds_text(downtime.to_ms()), seconds_text(base_downtime.to_ms()), unexplained_seeds(v), known_seeds(v),
        unexplained_seeds(base), known_seeds(base));
    if (downtime < base_downtime && fewer_breaks) {
      out.push_back("consider " + v.variant.name + ": " + figures);
    } else if (downtime > base_downtime || !fewer_breaks) {
      out.push_back("keep the current setting rather than " + v.variant.name + ": " + figures);
    } else {
      out.push_back(v.variant.name + ": no measured difference: " + figures);
    }
    for (const auto& line : class_differences(base, v)) out.push_back("    " + line);
  }
  return out;
}

void print_effective(const EffectiveConfig& config) {
  fmt::print("Effective configuration\n");
  std::size_t key_width = 0, value_width = 0;
  for (const auto& s : config.settings) {
    key_width = std::max(key_width, s.key.size());
    value_width = std::max(value_width, s.value.size());
  }
  for (const auto& s : config.settings) fmt::print("  {:<{}}  {:<{}}  {}\n", s.key, key_width, s.value, value_width, s.source);
  if (!config.warnings.empty()) fmt::print("\nWarnings\n");
  for (const auto& w : config.warnings) fmt::print("  [{}] {}\n", w.rule, w.message);
  if (!config.notes.empty()) fmt::print("\nAssumptions\n");
  for (const auto& note : config.notes) fmt::print("  - {}\n", note);
}

void print_catalogue(const AssessCommand& command, const VariantResult& v) {
  fmt::print("\nFault catalogue ({}): {} seeds per class, session timeout {}; p50 / p99 / max\n", v.variant.name,
             command.seeds, duration_text(v.negotiated));
  fmt::print("  {:<31} {:<26} {:>9}  {:<26} {:<26} {:<12} {}\n", "fault", "failover", "failovers", "job downtime",
             "checkpoint gap", "overlap max", "broken (seeds)");
  for (const auto& c : v.classes) {
    const Percentiles overlap = percentiles_ms(c.overlaps);
    std::string broken = "none";
    if (c.unexplained_seeds + c.known_seeds > 0) {
      broken = fmt::format("{} unexplained, {} known", c.unexplained_seeds, c.known_seeds);
    }
    std::string gap = distribution_text(c.checkpoint_gaps);
    if (c.runs_without_checkpoint > 0) gap += fmt::format(" ({} none)", c.runs_without_checkpoint);
    fmt::print("  {:<31} {:<26} {:>9}  {:<26} {:<26} {:<12} {}\n", c.fault.name, distribution_text(c.failovers),
               fmt::format("{}/{}", c.failovers.size(), c.runs), distribution_text(c.downtimes), gap,
               seconds_text(overlap.max), broken);
  }
  bool any = false;
  for (const auto& c : v.classes) {
    for (const auto& f : c.findings) {
      if (!any) fmt::print("\n  Properties broken ({}):\n", v.variant.name);
      any = true;
      fmt::print("  {}: {} in {} seed(s); first seed {} at {}: {}\n    replay: {}\n", c.fault.name, finding_title(f), f.seeds,
                 f.first_seed, seconds_text(f.first_at.to_ms()), f.first_message,
                 replay_command(command, v.variant, c.fault.name, f.first_seed));
    }
  }
}

void print_what_if(const std::vector<VariantResult>& variants) {
  fmt::print("\nWhat-if (failover p50, job downtime p50, seeds broken unexplained+known)\n  {:<31}", "fault");
  for (const auto& v : variants) fmt::print(" {:<34}", v.variant.name + " (" + duration_text(v.negotiated) + ")");
  fmt::print("\n");
  for (std::size_t i = 0; i < variants.front().classes.size(); i++) {
    fmt::print("  {:<31}", variants.front().classes[i].fault.name);
    for (const auto& v : variants) {
      const ClassResult& c = v.classes[i];
      const Percentiles failover = percentiles_ms(c.failovers);
      const Percentiles downtime = percentiles_ms(c.downtimes);
      fmt::print(" {:<34}", fmt::format("{}, {}, {}+{}", failover.samples ? seconds_text(failover.p50) : "-",
                                        seconds_text(downtime.p50), c.unexplained_seeds, c.known_seeds));
    }
    fmt::print("\n");
  }
}

nlohmann::json effective_json(const EffectiveConfig& config) {
  nlohmann::json settings = nlohmann::json::array();
  for (const auto& s : config.settings) settings.push_back({{"key", s.key}, {"value", s.value}, {"source", s.source}});
  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& w : config.warnings) warnings.push_back({{"rule", w.rule}, {"message", w.message}});
  return {{"settings", settings},
          {"zookeeper_session_timeout_requested_ms", config.session_timeout_requested.to_ms()},
          {"zookeeper_session_timeout_negotiated_ms", config.session_timeout_negotiated.to_ms()},
          {"zookeeper_tick_time_ms", config.zookeeper.tick.to_ms()},
          {"zookeeper_servers", config.zookeeper.servers.size()},
          {"jobmanagers", config.masters.size()},
          {"zoo_cfg_given", config.zoo_cfg_given},
          {"warnings", warnings},
          {"notes", config.notes}};
}

int replay(const AssessCommand& command, const EffectiveConfig& config) {
  if (!command.seed) throw InputError("--seed", "--fault replays one run and needs its --seed");
  const auto variant = find_variant(config, command.variant.empty() ? "as-configured" : command.variant);
  if (!variant) throw InputError("--variant", "unknown what-if variant \"" + command.variant + "\"");
  const auto classes = fault_classes(variant_negotiated_session_timeout(config, *variant));
  const auto fault = std::find_if(classes.begin(), classes.end(), [&](const FaultClass& c) { return c.name == command.fault; });
  SIM_ASSERT(fault != classes.end());  // checked by the caller
  const AssessRun run = run_assess_seed(config, *variant, *fault, *command.seed, command.trace_file);
  const RunResult& r = run.result;
  const bool unexplained = !r.completed() || std::any_of(r.violations.begin(), r.violations.end(),
                                                         [](const Violation& v) { return v.known.empty(); });
  if (command.json) {
    nlohmann::json violations = nlohmann::json::array();
    for (const auto& v : r.violations) {
      violations.push_back({{"property", v.property}, {"clause", v.clause}, {"at_ms", v.at.to_ms()}, {"message", v.message},
                            {"known", v.known.empty() ? nlohmann::json(nullptr) : nlohmann::json(v.known)}});
    }
    nlohmann::json faults = nlohmann::json::array();
    for (const auto& f : r.faults) faults.push_back({{"at_ms", f.at.to_ms()}, {"kind", f.kind}, {"target", f.target}, {"node", f.node}});
    fmt::print("{}\n", nlohmann::json{{"fault", fault->name},
                                      {"variant", variant->name},
                                      {"seed", *command.seed},
                                      {"trace_hash", fmt::format("{:016x}", r.trace_hash)},
                                      {"completed", r.completed()},
                                      {"fault_at_ms", run.fault_at.to_ms()},
                                      {"failover_ms", run.figures.failover ? nlohmann::json(run.figures.failover->to_ms())
                                                                           : nlohmann::json(nullptr)},
                                      {"job_downtime_ms", run.figures.job_downtime.to_ms()},
                                      {"believed_leader_overlap_ms", r.believed_leader_overlap.to_ms()},
                                      {"faults", faults},
                                      {"violations", violations}}
                           .dump());
  } else {
    fmt::print("{} seed {} ({}): trace hash {:016x}, ended at {}{}\n", fault->name, *command.seed, variant->name, r.trace_hash,
               seconds_text(r.ended_at.to_ms()), r.completed() ? "" : " (incomplete: " + r.error + ")");
    for (const auto& f : r.faults) {
      fmt::print("  fault {} {} {}{}\n", seconds_text(f.at.to_ms()), f.kind, f.target, f.node.empty() ? "" : " -> " + f.node);
    }
    fmt::print("  failover {}, job downtime {}, believed-leader overlap {}\n",
               run.figures.failover ? seconds_text(run.figures.failover->to_ms()) : std::string("none (no new leader session)"),
               seconds_text(run.figures.job_downtime.to_ms()), seconds_text(r.believed_leader_overlap.to_ms()));
    for (const auto& v : r.violations) {
      fmt::print("  {} {}{} at {}: {}\n", v.known.empty() ? "unexplained" : "known " + v.known, v.property,
                 v.clause.empty() ? "" : " " + v.clause, seconds_text(v.at.to_ms()), v.message);
    }
  }
  return unexplained ? kExitViolation : kExitOk;
}

}  // namespace

int assess_command(const AssessCommand& command) {
  if (!command.fault.empty() && !is_fault_class(command.fault)) {
    std::string names;
    for (const auto& c : fault_classes(sim::seconds(1))) names += (names.empty() ? "" : ", ") + c.name;
    throw InputError("--fault", "unknown fault class \"" + command.fault + "\" (expected one of: " + names + ")");
  }
  if (command.fault.empty() && (command.seed || !command.variant.empty() || !command.trace_file.empty())) {
    throw InputError(command.seed ? "--seed" : !command.variant.empty() ? "--variant" : "--trace",
                     "replays one run: give --fault CLASS too");
  }
  const ConfDir conf = read_conf_dir(command.dir);
  const EffectiveConfig config = effective_config(conf);
  if (!command.fault.empty()) {
    if (!config.unusable_where.empty()) throw InputError(config.unusable_where, config.unusable_message);
    return replay(command, config);
  }
  if (!command.json) {
    fmt::print("hasim assess {}: standalone cluster, ZooKeeper HA\n\n", command.dir);
    print_effective(config);
  }
  if (!config.unusable_where.empty()) {
    if (command.json) fmt::print("{}\n", nlohmann::json{{"effective", effective_json(config)}, {"faults", nlohmann::json::array()}}.dump());
    std::fflush(stdout);
    std::fprintf(stderr, "hasim: error: %s\n", InputError(config.unusable_where, config.unusable_message).what());
    return kExitBadInput;
  }
  std::vector<Variant> variants = command.what_if ? what_if_variants(config) : std::vector<Variant>{Variant{}};
  std::vector<VariantResult> results;
  for (const auto& variant : variants) {
    VariantResult result;
    result.variant = variant;
    result.negotiated = variant_negotiated_session_timeout(config, variant);
    for (const auto& fault : fault_classes(result.negotiated)) result.classes.push_back(run_class(command, config, variant, fault));
    results.push_back(std::move(result));
  }
  std::uint64_t unexplained = 0;
  for (const auto& r : results) unexplained += unexplained_seeds(r);
  const auto advice = recommendations(results);
  if (command.json) {
    nlohmann::json what_if = nlohmann::json::array();
    for (const auto& r : results) {
      nlohmann::json faults = nlohmann::json::array();
      for (const auto& c : r.classes) faults.push_back(class_json(command, r.variant, c));
      what_if.push_back({{"variant", r.variant.name},
                         {"zookeeper_session_timeout_negotiated_ms", r.negotiated.to_ms()},
                         {"job_downtime_total_ms", total_downtime(r).to_ms()},
                         {"unexplained_seeds", unexplained_seeds(r)},
                         {"known_seeds", known_seeds(r)},
                         {"faults", faults}});
    }
    nlohmann::json out{{"conf_dir", command.dir},
                       {"mode", "standalone"},
                       {"seeds", command.seeds},
                       {"seed_start", command.seed_start},
                       {"effective", effective_json(config)},
                       {"faults", what_if.front()["faults"]},
                       {"unexplained_seeds", unexplained},
                       {"recommendations", advice}};
    if (command.what_if) out["what_if"] = what_if;
    fmt::print("{}\n", out.dump());
  } else {
    for (const auto& r : results) print_catalogue(command, r);
    if (results.size() > 1) print_what_if(results);
    if (!advice.empty()) fmt::print("\nRecommendations (each from the what-if runs above)\n");
    for (const auto& line : advice) fmt::print("  {}{}\n", line.rfind("    ", 0) == 0 ? "" : "- ", line);
    fmt::print("\nfailover: fault instant to the job running again under a leader session confirmed after the fault "
               "(runs without a new session count under 'failovers' only); job downtime: time after the fault with no "
               "unpaused JobManager running the job, as the JobMasters see it; checkpoint gap: fault instant to the job's next "
               "completed checkpoint; overlap: two JobManagers both believing they lead. "
               "An HTML report (--report) is not there yet.\n");
    fmt::print("verdict: {}\n", unexplained == 0 ? "nothing unexplained broke" : fmt::format("{} seed(s) broke a property unexplained", unexplained));
  }
  return unexplained == 0 ? kExitOk : kExitViolation;
}

}  // namespace harness::assess
