#include "harness/shrink.hpp"

#include <algorithm>

#include "harness/fault_schedule.hpp"
#include "harness/scenario_runner.hpp"
#include "sim/assert.hpp"

namespace harness {

Scenario with_schedule(const Scenario& scenario, const std::vector<FaultSpec>& faults, sim::Duration faults_end) {
  Scenario out = scenario;
  out.faults = faults;
  out.random_faults.reset();
  out.faults_end = faults_end;
  out.faults_end_explicit = true;
  return out;
}

std::optional<ShrinkTarget> shrink_target_of(const RunResult& run, const std::optional<std::string>& property) {
  if (!run.completed()) return std::nullopt;
  for (const auto& violation : run.violations) {
    if (!violation.known.empty() || is_incomplete_run_finding(violation.property)) continue;
    if (property && violation.property != *property) continue;
    return ShrinkTarget{violation.property, violation.clause};
  }
  return std::nullopt;
}

namespace {

// The end of a fault's effect: a kill without a restart, and anything without a duration, lasts
// until the heal, so it bounds nothing.
std::optional<sim::Duration> fault_effect_end(const FaultSpec& fault) {
  if (!fault.duration) return std::nullopt;
  return fault.at + (fault.trigger ? fault.trigger->delay : sim::Duration{}) + *fault.duration;
}

class Shrinker {
 public:
  Shrinker(const Scenario& scenario, const ShrinkOptions& options, ShrinkTarget target)
      : scenario_(scenario), options_(options), target_(std::move(target)) {
    run_options_.mutant = options.mutant;
  }

  // Whether the candidate still fails the same way; false once the run budget is spent.
  bool fails(const std::vector<FaultSpec>& faults, sim::Duration faults_end) {
    if (runs_ >= options_.runs_max) {
      limit_hit_ = true;
      return false;
    }
    runs_++;
    RunResult run = run_scenario(with_schedule(scenario_, faults, faults_end), options_.seed, run_options_);
    const auto target = shrink_target_of(run, target_.property);
    return target && std::any_of(run.violations.begin(), run.violations.end(), [&](const Violation& v) {
      return v.known.empty() && v.property == target_.property && v.clause == target_.clause;
    });
  }

  // ddmin: try each of n chunks alone, then each complement; refine n until chunks are single
  // faults. Then drop single faults until none can go (1-minimal).
  std::vector<FaultSpec> minimise(std::vector<FaultSpec> faults, sim::Duration faults_end) {
    std::size_t chunks = 2;
    while (faults.size() >= 2 && !limit_hit_) {
      const std::size_t chunk_size = (faults.size() + chunks - 1) / chunks;
      bool reduced = false;
      for (std::size_t start = 0; start < faults.size() && !reduced; start += chunk_size) {
        const std::size_t end = std::min(start + chunk_size, faults.size());
        std::vector<FaultSpec> subset(faults.begin() + static_cast<std::ptrdiff_t>(start),
                                      faults.begin() + static_cast<std::ptrdiff_t>(end));
        if (subset.size() < faults.size() && fails(subset, faults_end)) {
          faults = std::move(subset);
          chunks = 2;
          reduced = true;
        }
      }
      for (std::size_t start = 0; start < faults.size() && !reduced && chunks > 2; start += chunk_size) {
        const std::size_t end = std::min(start + chunk_size, faults.size());
        std::vector<FaultSpec> complement(faults.begin(), faults.begin() + static_cast<std::ptrdiff_t>(start));
        complement.insert(complement.end(), faults.begin() + static_cast<std::ptrdiff_t>(end), faults.end());
        if (fails(complement, faults_end)) {
          faults = std::move(complement);
          chunks = std::max<std::size_t>(chunks - 1, 2);
          reduced = true;
        }
      }
      if (reduced) continue;
      if (chunks >= faults.size()) break;
      chunks = std::min(chunks * 2, faults.size());
    }
    for (std::size_t i = 0; i < faults.size() && !limit_hit_;) {
      std::vector<FaultSpec> without = faults;
      without.erase(without.begin() + static_cast<std::ptrdiff_t>(i));
      if (fails(without, faults_end)) {
        faults = std::move(without);
      } else {
        i++;
      }
    }
    return faults;
  }

  // Halves each duration while the failure holds (down to 100 ms, the generator's shortest).
  void shorten(std::vector<FaultSpec>& faults, sim::Duration faults_end) {
    const sim::Duration shortest = sim::milliseconds(100);
    for (auto& fault : faults) {
      while (fault.duration && *fault.duration > shortest && !limit_hit_) {
        FaultSpec shorter = fault;
        shorter.duration = std::max(shortest, sim::Duration{fault.duration->ns / 2});
        std::vector<FaultSpec> candidate = faults;
        candidate[static_cast<std::size_t>(&fault - faults.data())] = shorter;
        if (!fails(candidate, faults_end)) break;
        fault = shorter;
      }
    }
  }

  // Moves the heal earlier, by bisection between the last fault's end and the current heal.
  sim::Duration heal_early(const std::vector<FaultSpec>& faults, sim::Duration faults_end) {
    sim::Duration low{};
    for (const auto& fault : faults) {
      low = std::max(low, fault.at + (fault.trigger ? fault.trigger->delay : sim::Duration{}));
      if (const auto end = fault_effect_end(fault)) low = std::max(low, *end);
    }
    sim::Duration high = faults_end;  // fails
    const sim::Duration resolution = sim::seconds(1);
    while (high - low > resolution && !limit_hit_) {
      const sim::Duration middle{low.ns + (high.ns - low.ns) / 2};
      if (fails(faults, middle)) {
        high = middle;
      } else {
        low = middle;
      }
    }
    return high;
  }

  std::uint64_t runs() const { return runs_; }
  bool limit_hit() const { return limit_hit_; }

 private:
  const Scenario& scenario_;
  const ShrinkOptions& options_;
  ShrinkTarget target_;
  RunOptions run_options_;
  std::uint64_t runs_ = 0;
  bool limit_hit_ = false;
};

}  // namespace

ShrinkResult shrink_seed(const Scenario& scenario, const ShrinkOptions& options) {
  SIM_ASSERT(options.runs_max > 0);
  ShrinkResult result;
  result.original = seed_fault_schedule(scenario, options.seed);
  RunOptions run_options;
  run_options.mutant = options.mutant;
  // The explicit form of the seed, not the scenario itself: the baseline every candidate shrinks.
  RunResult baseline = run_scenario(with_schedule(scenario, result.original, scenario.faults_end), options.seed, run_options);
  result.runs = 1;
  result.target = shrink_target_of(baseline, options.property);
  if (!result.target) {
    result.final_run = std::move(baseline);
    return result;
  }
  Shrinker shrinker(scenario, options, *result.target);
  std::vector<FaultSpec> faults = shrinker.minimise(result.original, scenario.faults_end);
  shrinker.shorten(faults, scenario.faults_end);
  result.faults_end = shrinker.heal_early(faults, scenario.faults_end);
  result.minimal = std::move(faults);
  result.runs += shrinker.runs();
  result.runs_limit_hit = shrinker.limit_hit();
  // Every accepted step was a failing run, so this one fails too; it is rerun for its violation
  // and trace hash, which the written scenario must reproduce.
  result.final_run = run_scenario(with_schedule(scenario, result.minimal, result.faults_end), options.seed, run_options);
  result.runs++;
  return result;
}

}  // namespace harness
