#include "harness/bench.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <numeric>
#include <vector>

#include "harness/scenario.hpp"
#include "harness/shrink.hpp"
#include "harness/sweep.hpp"

namespace harness {
namespace {

// Wall seconds of `work`, which runs whole simulations.
template <typename Work>
double wall_seconds(Work&& work) {
  const auto started = std::chrono::steady_clock::now();  // determinism-ok: outside any simulation
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();  // determinism-ok: as above
}

double median(std::vector<double> values) {
  SIM_ASSERT(!values.empty());
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

// Linux resets VmHWM to the current resident set when "5" is written to clear_refs (since 4.0);
// where that fails the peak stays the process's own, which only overstates.
void reset_peak_rss() {
  std::ofstream clear_refs("/proc/self/clear_refs");
  clear_refs << "5";
}

// VmHWM, the process's peak resident set, in MB; 0 where /proc does not say.
double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      double kb = 0;
      status >> kb;
      return kb / 1024.0;
    }
    std::getline(status, key);
  }
  return 0;
}

struct SweepTiming {
  double seconds = 0;
  std::uint64_t kernel_events = 0;
  double simulated_s = 0;
};

SweepTiming time_sweep(const Scenario& scenario, std::uint64_t seeds, unsigned jobs) {
  SweepTiming timing;
  std::vector<RunResult> runs;
  timing.seconds = wall_seconds([&] { runs = run_seeds(scenario, select_seeds(1, seeds, Shard{}), jobs); });
  for (const auto& run : runs) {
    timing.kernel_events += run.kernel_events;
    timing.simulated_s += static_cast<double>(run.ended_at.ns) / 1e9;
  }
  return timing;
}

}  // namespace

BenchResult run_bench(const BenchConfig& config) {
  SIM_ASSERT(config.repetitions >= 1 && config.standard_seeds >= 1 && config.explore_seeds >= 1);
  BenchResult result;
  result.kernel = run_kernel_bench(config.kernel);

  const Scenario standard = load_scenario_file(config.standard_file);
  const Scenario explore = load_scenario_file(config.explore_file);

  // RSS over one long sweep, in batches whose results are dropped, as a sweep that only counts.
  // It runs first: the later phases (explore's heaviest seeds, the shrink) leave freed heap that
  // glibc keeps (main.cpp's mallopt), which would count as the sweep's. The kernel bench before it
  // holds little, and the high-water mark is reset so that the figure is the sweep's own peak.
  if (config.rss_seeds > 0) {
    reset_peak_rss();
    const std::uint64_t batch = std::max<std::uint64_t>(1, config.rss_seeds / 10);
    for (std::uint64_t done = 0; done < config.rss_seeds; done += batch) {
      const std::uint64_t size = std::min(batch, config.rss_seeds - done);
      (void)run_seeds(standard, select_seeds(1 + done, size, Shard{}), 2);
      if (done == 0) result.peak_rss_mb_at_tenth = peak_rss_mb();
    }
    result.peak_rss_mb = peak_rss_mb();
    result.rss_seeds = config.rss_seeds;
  }
  std::vector<double> one_thread_s, two_threads_s, explore_s, replay_s, shrink_s;
  ShrinkOptions shrink;
  shrink.seed = 1'000'003;
  shrink.mutant = model::flink::Mutant::kFlink19154;
  shrink.runs_max = config.shrink_runs_max;
  SweepTiming last;
  for (std::uint32_t rep = 0; rep < config.repetitions; rep++) {
    last = time_sweep(standard, config.standard_seeds, 1);
    one_thread_s.push_back(last.seconds);
    two_threads_s.push_back(time_sweep(standard, config.standard_seeds, 2).seconds);
    explore_s.push_back(time_sweep(explore, config.explore_seeds, 1).seconds);
    replay_s.push_back(wall_seconds([&] { (void)run_scenario(standard, 1); }));
    shrink_s.push_back(wall_seconds([&] { result.shrink_runs = shrink_seed(explore, shrink).runs; }));
  }
  const double one = median(one_thread_s);
  const double seeds = static_cast<double>(config.standard_seeds);
  result.standard_seeds_per_s = seeds / one;
  result.standard_events_per_seed = static_cast<double>(last.kernel_events) / seeds;  // the same every repetition
  result.standard_events_per_s = result.standard_events_per_seed * result.standard_seeds_per_s;
  result.standard_sim_wall_ratio = last.simulated_s / one;
  result.standard_kernel_share =
      result.kernel.fiber_events_per_s > 0 ? result.standard_events_per_s / result.kernel.fiber_events_per_s : 0;
  result.explore_seeds_per_s = static_cast<double>(config.explore_seeds) / median(explore_s);
  result.jobs2_speedup = one / median(two_threads_s);
  result.replay_ms = median(replay_s) * 1000;
  result.shrink_s = median(shrink_s);

  return result;
}

}  // namespace harness
