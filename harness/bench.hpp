#pragma once
// `hasim bench`: the throughput figures of one machine, measured in one run so that their ratios
// survive a noisy machine. Every figure is a median over repetitions, except the RSS samples of
// one long sweep. Wall time is read around whole runs, never inside one.
#include <cstdint>
#include <optional>
#include <string>

#include "harness/kernel_bench.hpp"

namespace harness {

struct BenchConfig {
  KernelBenchConfig kernel;
  std::string standard_file = "scenarios/standard.json";
  std::string explore_file = "scenarios/explore.json";
  std::uint64_t standard_seeds = 50;  // per repetition, on one thread
  std::uint64_t explore_seeds = 10;   // per repetition, on one thread
  std::uint32_t repetitions = 5;
  std::uint64_t rss_seeds = 10'000;  // the RSS sweep (standard, 2 threads); 0 skips it
  std::uint64_t shrink_runs_max = 500;  // the timed shrink's bound (a test passes a small one)
};

struct BenchResult {
  KernelBenchResult kernel;
  double standard_seeds_per_s = 0;
  double standard_events_per_seed = 0;
  double standard_events_per_s = 0;
  double standard_sim_wall_ratio = 0;
  double standard_kernel_share = 0;  // standard_events_per_s / kernel.fiber_events_per_s
  double explore_seeds_per_s = 0;
  double jobs2_speedup = 0;  // the same standard seeds with --jobs 2 against --jobs 1
  double replay_ms = 0;      // one standard seed, as `hasim replay` runs it
  // One `hasim shrink` of a failing mutant seed of the explore workload (FLINK-19154, seed
  // 1000003: 8 faults to 1), and how many runs it took.
  double shrink_s = 0;
  std::uint64_t shrink_runs = 0;
  // VmHWM after the first tenth of the RSS sweep and at its end; empty when skipped.
  std::optional<double> peak_rss_mb_at_tenth;
  std::optional<double> peak_rss_mb;
  std::uint64_t rss_seeds = 0;
};

BenchResult run_bench(const BenchConfig& config);

}  // namespace harness
