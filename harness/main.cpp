// The `hasim` command line. Exit codes: 0 all properties held (or, for a scenario that expects a
// mutant's violation, the expected property broke in every seed), 1 a violation or an unexpected
// outcome, 2 unusable input (a bad flag, file or value), with a one-line error naming it.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <malloc.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "harness/assess/assess_command.hpp"
#include "harness/cli_scenarios.hpp"
#include "harness/cli_shrink.hpp"
#include "harness/determinism_audit.hpp"
#include "harness/json_reader.hpp"
#include "harness/bench.hpp"
#include "harness/kernel_bench.hpp"
#include "harness/report_merge.hpp"
#include "harness/scenario.hpp"
#include "harness/kernel_workload.hpp"

// CLI11 reads a leading 0 as octal ("010" is 8): numbers on this command line are decimal.
const CLI::Validator kDecimal(
    [](std::string& text) {
      if (text.size() > 1 && text.find_first_not_of("0123456789") == std::string::npos) {
        text = text.substr(std::min(text.find_first_not_of('0'), text.size() - 1));
      }
      return std::string();
    },
    "", "decimal");

// A seed is a whole number in [0, 2^64-1]; CLI11 would wrap "-1" round to 2^64-1 silently.
const CLI::Validator kSeedValidator(
    [](std::string& text) {
      const std::string max = "18446744073709551615";
      const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
      if (digits) text = text.substr(std::min(text.find_first_not_of('0'), text.size() - 1));  // decimal, as kDecimal
      const bool fits = text.size() < max.size() || (text.size() == max.size() && text <= max);
      return digits && fits ? std::string() : "expected a seed from 0 to 18446744073709551615, got \"" + text + "\"";
    },
    "SEED");

namespace {

constexpr int kExitOk = 0;
constexpr int kExitViolation = 1;
constexpr int kExitBadInput = 2;

struct SeedRange {
  std::uint64_t start = 1;
  std::uint64_t count = 100;
};

void add_seed_options(CLI::App& command, SeedRange& seeds) {
  command.add_option("--seeds", seeds.count, "how many seeds to run")->transform(kDecimal)->check(CLI::Range(1ull, 100'000'000ull));
  command.add_option("--seed-start", seeds.start, "first seed")->transform(kSeedValidator);
}

// Runs each seed of the kernel workload twice and compares the trace hashes: the kernel's own
// determinism audit, and `make run`'s default sweep until scenarios exist.
int sweep_kernel(const SeedRange& seeds, bool json) {
  std::uint64_t mismatches = 0, events = 0, limits = 0;
  for (std::uint64_t seed = seeds.start; seed < seeds.start + seeds.count; seed++) {
    const harness::KernelWorkloadConfig config{seed, 16, sim::seconds(20), true};
    const auto first = harness::run_kernel_workload(config);
    const auto second = harness::run_kernel_workload(config);
    events += first.events;
    limits += sim::is_incomplete(first.outcome);
    if (first.trace_hash != second.trace_hash) {
      mismatches++;
      fmt::print("seed {}: nondeterministic: trace hash {:016x} then {:016x}; replay: hasim sweep kernel --seed-start {} --seeds 1\n",
                 seed, first.trace_hash, second.trace_hash, seed);
    }
  }
  if (json) {
    fmt::print("{}\n", nlohmann::json{{"seeds", seeds.count}, {"mismatches", mismatches}, {"events", events},
                                      {"limits_reached", limits}}
                           .dump());
  } else {
    fmt::print("kernel sweep: {} seeds, each run twice; {} nondeterministic; {} events; {} runs hit a limit\n",
               seeds.count, mismatches, events, limits);
  }
  return mismatches == 0 && limits == 0 ? kExitOk : kExitViolation;
}

int trace_hashes_kernel(const SeedRange& seeds) {
  for (std::uint64_t seed = seeds.start; seed < seeds.start + seeds.count; seed++) {
    const auto result = harness::run_kernel_workload(harness::KernelWorkloadConfig{seed, 16, sim::seconds(20), true});
    fmt::print("{} {:016x}\n", seed, result.trace_hash);
  }
  return kExitOk;
}

int bench_kernel(const harness::KernelBenchConfig& config, bool json) {
  const auto result = harness::run_kernel_bench(config);
  const nlohmann::json out{{"fiber_events_per_s", result.fiber_events_per_s},
                           {"callback_events_per_s", result.callback_events_per_s},
                           {"ratio", result.ratio},
                           {"processes", result.processes},
                           {"events", result.events},
                           {"repetitions", result.repetitions}};
  if (json) {
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("fiber events/s {:.0f}, callback events/s {:.0f}, ratio {:.3f} (median of {})\n",
               result.fiber_events_per_s, result.callback_events_per_s, result.ratio, result.repetitions);
  }
  return kExitOk;
}

// The whole bench (issue 13's figures), one JSON object or one line per figure.
int bench_all(const harness::BenchConfig& config, bool json) {
  const auto r = harness::run_bench(config);
  const auto optional_number = [](const std::optional<double>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  const nlohmann::json out{
      {"kernel.fiber_events_per_s", r.kernel.fiber_events_per_s},
      {"kernel.callback_events_per_s", r.kernel.callback_events_per_s},
      {"standard.seeds_per_s", r.standard_seeds_per_s},
      {"standard.events_per_seed", r.standard_events_per_seed},
      {"standard.events_per_s", r.standard_events_per_s},
      {"standard.sim_wall_ratio", r.standard_sim_wall_ratio},
      {"standard.kernel_share", r.standard_kernel_share},
      {"explore.seeds_per_s", r.explore_seeds_per_s},
      {"jobs2.speedup", r.jobs2_speedup},
      {"replay_ms", r.replay_ms},
      {"peak_rss_mb", optional_number(r.peak_rss_mb)},
      {"peak_rss_mb_at_tenth", optional_number(r.peak_rss_mb_at_tenth)},
      {"rss_seeds", r.rss_seeds},
      {"shrink_s", r.shrink_s},
      {"shrink_runs", r.shrink_runs},
      {"repetitions", config.repetitions},
      {"standard_seeds", config.standard_seeds},
      {"explore_seeds", config.explore_seeds}};
  if (json) {
    fmt::print("{}\n", out.dump());
  } else {
    for (const auto& [key, value] : out.items()) fmt::print("{:30} {}\n", key, value.dump());
  }
  return kExitOk;
}

// Checks each scenario file; one line per file. Exit 2 if any is unusable.
int validate(const std::vector<std::string>& files) {
  int status = kExitOk;
  for (const auto& file : files) {
    try {
      const harness::Scenario scenario = harness::load_scenario_file(file);
      fmt::print("ok: {}: scenario \"{}\", {} cluster(s), {} ZooKeeper server(s), {} scheduled fault(s)\n", file,
                 scenario.name, scenario.clusters.size(), scenario.zookeeper.servers.size(), scenario.faults.size());
    } catch (const harness::InputError& error) {
      std::fprintf(stderr, "hasim: error: %s\n", error.what());
      status = kExitBadInput;
    }
  }
  return status;
}

}  // namespace

// Each seed builds and frees a whole world (fiber stacks, trees, trace). With glibc's defaults the
// heap top is returned to the kernel after every seed and faulted in again by the next one, which
// cost about a fifth of a standard sweep's time. Keep freed memory; peak RSS is bounded by one
// seed's footprint per thread either way. Allocation addresses order nothing in a run, so this
// changes no trace.
void keep_freed_memory() {
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
}

int main(int argc, char** argv) {
  keep_freed_memory();
  CLI::App app{"hasim: deterministic simulation and chaos testing of Flink JobManager high availability"};
  app.require_subcommand(1);
  bool json = false;

  auto* bench = app.add_subcommand("bench", "measure simulator throughput (medians over repetitions)");
  bench->require_subcommand(0, 1);
  harness::BenchConfig full_bench;
  bench->add_flag("--json", json, "print one JSON object");
  bench->add_option("--seeds", full_bench.standard_seeds, "standard seeds per repetition")->transform(kDecimal)
      ->check(CLI::Range(1ull, 100'000ull));
  bench->add_option("--explore-seeds", full_bench.explore_seeds, "explore seeds per repetition")->transform(kDecimal)
      ->check(CLI::Range(1ull, 100'000ull));
  bench->add_option("--repetitions", full_bench.repetitions, "repetitions; medians are reported")->transform(kDecimal)
      ->check(CLI::Range(1u, 101u));
  bench->add_option("--rss-seeds", full_bench.rss_seeds, "seeds of the RSS sweep; 0 skips it")->transform(kDecimal)
      ->check(CLI::Range(0ull, 10'000'000ull));
  bench->add_option("--shrink-runs-max", full_bench.shrink_runs_max, "bound on the runs of the timed shrink")
      ->transform(kDecimal)->check(CLI::Range(1ull, 100'000ull));
  harness::KernelBenchConfig bench_config;
  auto* bench_kernel_cmd = bench->add_subcommand("kernel", "fiber events/s against a bare callback loop");
  bench_kernel_cmd->add_flag("--json", json, "print one JSON object");
  bench_kernel_cmd->add_option("--events", bench_config.events, "events per repetition")->transform(kDecimal)
      ->check(CLI::Range(1000ull, 1'000'000'000ull));
  bench_kernel_cmd->add_option("--processes", bench_config.processes, "simulated processes")->transform(kDecimal)
      ->check(CLI::Range(1u, 100'000u));
  bench_kernel_cmd->add_option("--repetitions", bench_config.repetitions, "repetitions; medians are reported")->transform(kDecimal)
      ->check(CLI::Range(1u, 101u));

  SeedRange seeds;
  auto* sweep = app.add_subcommand("sweep", "run many seeds");
  sweep->require_subcommand(1);
  auto* sweep_kernel_cmd = sweep->add_subcommand("kernel", "the kernel workload, each seed twice, hashes compared");
  add_seed_options(*sweep_kernel_cmd, seeds);
  sweep_kernel_cmd->add_flag("--json", json, "print one JSON object");

  auto* hashes = app.add_subcommand("trace-hashes", "print the trace hash of each seed (determinism audits)");
  hashes->require_subcommand(1);
  auto* hashes_kernel_cmd = hashes->add_subcommand("kernel", "the kernel workload");
  add_seed_options(*hashes_kernel_cmd, seeds);

  std::vector<std::string> validate_files;
  auto* validate_cmd = app.add_subcommand("validate", "check scenario files; exit 2 naming the JSON path of the first problem");
  validate_cmd->add_option("scenarios", validate_files, "scenario JSON files")->required();

  harness::RunCommand run;
  auto* run_cmd = app.add_subcommand("run", "run a scenario over many seeds and check every property");
  run_cmd->add_option("scenario", run.file, "scenario JSON file")->required();
  run_cmd->add_option("--seed", run.seed, "run this one seed")->transform(kSeedValidator);
  run_cmd->add_option("--seeds", run.seeds, "how many seeds (default: the scenario's seeds.count)")->transform(kDecimal)
      ->check(CLI::Range(1ull, 100'000'000ull));
  run_cmd->add_option("--seed-start", run.seed_start, "first seed (default: the scenario's seeds.start)")
      ->transform(kSeedValidator);
  run_cmd->add_option("--jobs", run.jobs, "threads; each simulation runs wholly on one; output is the same for any N")->transform(kDecimal)
      ->check(CLI::Range(1u, 1024u));
  run_cmd->add_option("--shard", run.shard, "I/N: run only the seeds whose position is I modulo N");
  run_cmd->add_flag("--json", run.json, "print one JSON object");
  run_cmd->add_option("--report", run.report_dir, "write summary.json, junit.xml and summary.md into this folder");

  harness::ReplayCommand replay;
  auto* replay_cmd = app.add_subcommand("replay", "rerun one seed of a scenario, print its trace hash, faults and violations");
  replay_cmd->add_option("scenario", replay.file, "scenario JSON file")->required();
  replay_cmd->add_option("--seed", replay.seed, "the seed")->required()->transform(kSeedValidator);
  replay_cmd->add_option("--trace", replay.trace_file, "write the model events as JSON lines to this file");
  replay_cmd->add_option("--mutant", replay.mutant, "switch on this mutant instead of the scenario's");
  replay_cmd->add_option("--report", replay.report_dir, "write summary.json, junit.xml and summary.md into this folder");
  replay_cmd->add_option("--export-schedule", replay.export_schedule,
                         "write the seed's whole fault schedule as a scenario with no random faults to this file");
  replay_cmd->add_flag("--json", replay.json, "print one JSON object");

  harness::ShrinkCommand shrink;
  auto* shrink_cmd = app.add_subcommand("shrink", "shrink a failing seed to a minimal explicit fault schedule");
  shrink_cmd->add_option("scenario", shrink.file, "scenario JSON file")->required();
  shrink_cmd->add_option("--seed", shrink.seed, "the failing seed")->required()->transform(kSeedValidator);
  shrink_cmd->add_option("--mutant", shrink.mutant, "switch on this mutant instead of the scenario's");
  shrink_cmd->add_option("--property", shrink.property, "the property whose violation to keep (default: the first unexplained)");
  shrink_cmd->add_option("-o,--output", shrink.output, "the minimal scenario to write")->required();
  shrink_cmd->add_option("--runs-max", shrink.runs_max, "at most this many runs")->transform(kDecimal)
      ->check(CLI::Range(1ull, 100'000ull));
  shrink_cmd->add_flag("--json", shrink.json, "print one JSON object");

  harness::AuditCommand audit;
  auto* audit_cmd = app.add_subcommand("audit", "run each seed twice and compare traces; name the first differing event");
  audit_cmd->add_option("scenario", audit.file, "scenario JSON file")->required();
  audit_cmd->add_option("--seeds", audit.seeds, "how many seeds (default: the scenario's seeds.count)")->transform(kDecimal)
      ->check(CLI::Range(1ull, 100'000'000ull));
  audit_cmd->add_option("--seed-start", audit.seed_start, "first seed (default: the scenario's seeds.start)")
      ->transform(kSeedValidator);
  audit_cmd->add_option("--jobs", audit.jobs, "threads; the second run of a seed may go on another thread")
      ->transform(kDecimal)->check(CLI::Range(1u, 1024u));
  audit_cmd->add_flag("--json", audit.json, "print one JSON object");

  harness::ExploreCommand explore;
  std::vector<std::string> merge_inputs;
  std::string merge_output;
  auto* merge_cmd = app.add_subcommand("merge", "merge the --report folders of --shard runs into one report");
  merge_cmd->add_option("folders", merge_inputs, "the shards' --report folders")->required();
  merge_cmd->add_option("-o,--output", merge_output, "the merged report folder")->required();

  auto* explore_cmd = app.add_subcommand("explore", "run fresh seeds (default from 1000000) looking for violations");
  explore_cmd->add_option("scenario", explore.file, "scenario JSON file (default: scenarios/explore.json)");
  auto* runs_opt = explore_cmd->add_option("--runs", explore.runs, "how many seeds")->transform(kDecimal)->check(CLI::Range(1ull, 100'000'000ull));
  explore_cmd->add_option("--time-budget", explore.time_budget, "wall time to spend, e.g. \"10 min\"")->excludes(runs_opt);
  explore_cmd->add_option("--mutant", explore.mutant, "switch on this mutant (a FLINK-id from the catalogue)");
  explore_cmd->add_option("--report", explore.report_dir, "write summary.json, junit.xml and summary.md into this folder");
  explore_cmd->add_option("--seed-start", explore.seed_start, "first seed")->transform(kSeedValidator);
  explore_cmd->add_option("--jobs", explore.jobs, "threads")->transform(kDecimal)->check(CLI::Range(1u, 1024u));
  explore_cmd->add_option("--stop-on", explore.stop_on,
                          "stop once a run breaks this property (or \"any\") as an unexplained violation");
  explore_cmd->add_flag("--guided", explore.guided, "mutate a corpus of schedules that reached new states (needs --runs)");
  explore_cmd->add_option("--schedules", explore.schedules_dir,
                          "--guided: write failing runs' schedules here (default: --report, else guided-<seed-start>)");
  explore_cmd->add_flag("--json", explore.json, "print one JSON object");

  harness::assess::AssessCommand assess;
  auto* assess_cmd = app.add_subcommand("assess", "chaos-test the HA configuration of a Flink conf directory (standalone, ZooKeeper)");
  assess_cmd->add_option("conf_dir", assess.dir, "the conf directory: config.yaml or flink-conf.yaml, masters, optional zoo.cfg and workers")
      ->required();
  assess_cmd->add_option("--seeds", assess.seeds, "seeds per fault class (default 200)")->transform(kDecimal)
      ->check(CLI::Range(1ull, 1'000'000ull));
  assess_cmd->add_option("--seed-start", assess.seed_start, "first seed")->transform(kSeedValidator);
  assess_cmd->add_option("--jobs", assess.jobs, "threads; output is the same for any N")->transform(kDecimal)->check(CLI::Range(1u, 1024u));
  assess_cmd->add_flag("--what-if", assess.what_if, "also run the catalogue with one setting changed, side by side");
  assess_cmd->add_flag("--json", assess.json, "print one JSON object");
  assess_cmd->add_option("--fault", assess.fault, "replay one run: this fault class (with --seed)");
  assess_cmd->add_option("--seed", assess.seed, "replay one run: this seed")->transform(kSeedValidator);
  assess_cmd->add_option("--variant", assess.variant, "replay one run: this what-if variant");
  assess_cmd->add_option("--trace", assess.trace_file, "replay one run: write its model events as JSON lines here");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "hasim: error: %s\n", e.what());
    return kExitBadInput;
  }

  if (bench_kernel_cmd->parsed()) return bench_kernel(bench_config, json);
  if (bench->parsed()) {
    try {
      return bench_all(full_bench, json);
    } catch (const harness::InputError& error) {
      std::fprintf(stderr, "hasim: error: %s\n", error.what());
      return kExitBadInput;
    }
  }
  if (sweep_kernel_cmd->parsed()) return sweep_kernel(seeds, json);
  if (hashes_kernel_cmd->parsed()) return trace_hashes_kernel(seeds);
  if (validate_cmd->parsed()) return validate(validate_files);
  // Replay commands name the binary as it was invoked: `build/harness/hasim`, not a `hasim` that
  // may not be on PATH.
  if (argc > 0 && argv[0] != nullptr && *argv[0] != '\0') {
    run.program = replay.program = explore.program = audit.program = shrink.program = assess.program = argv[0];
  }
  try {
    if (run_cmd->parsed()) return harness::run_command(run);
    if (merge_cmd->parsed()) return harness::merge_report_folders(merge_inputs, merge_output);
    if (replay_cmd->parsed()) return harness::replay_command(replay);
    if (shrink_cmd->parsed()) return harness::shrink_command(shrink);
    if (explore_cmd->parsed()) return harness::explore_command(explore);
    if (audit_cmd->parsed()) return harness::audit_command(audit);
    if (assess_cmd->parsed()) return harness::assess::assess_command(assess);
  } catch (const harness::InputError& error) {
    std::fprintf(stderr, "hasim: error: %s\n", error.what());
    return kExitBadInput;
  }
  return kExitBadInput;
}
