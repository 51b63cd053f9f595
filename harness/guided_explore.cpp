#include "harness/guided_explore.hpp"

#include <algorithm>
#include <set>

#include <fmt/core.h>

#include "harness/abstract_state.hpp"
#include "harness/fault_plan.hpp"
#include "harness/shrink.hpp"
#include "harness/sweep.hpp"
#include "sim/assert.hpp"
#include "sim/prng.hpp"

namespace harness {
namespace {

// Trace events a mutation may make a fault wait for: the HA milestones of model/flink/TRACE.md
// (leadership, job and checkpoint steps). Generic: none names a particular bug.
const std::vector<std::string>& trigger_events() {
  static const std::vector<std::string> events = {
      "grant", "revoke", "confirm", "job-submit-acked", "job-running", "job-suspended", "job-restored",
      "job-ended", "job-terminal", "checkpoint-triggered", "checkpoint-added", "checkpoint-completed",
      "job-graph-added"};
  return events;
}

struct CorpusEntry {
  std::vector<FaultSpec> faults;
  std::uint64_t seed = 0;  // the run that reached something new with it
};

// A planned run: its schedule and how it came about.
struct Candidate {
  std::vector<FaultSpec> faults;
  std::string origin;
  bool fresh = true;
};

sim::Duration random_instant(const Scenario& scenario, sim::Prng& rng) {
  return rng.duration_between(sim::Duration{}, scenario.faults_end - sim::milliseconds(1));
}

void set_instant(FaultSpec& fault, sim::Duration at) {
  fault.at = at;
  if (fault.trigger) fault.trigger->after = at;
}

class Mutator {
 public:
  Mutator(const Scenario& scenario, const std::vector<CorpusEntry>& corpus, sim::Prng& rng)
      : scenario_(scenario), random_(*scenario.random_faults), corpus_(corpus), rng_(rng) {}

  // One mutation of `faults`; returns its name for the run's origin.
  std::string mutate(std::vector<FaultSpec>& faults) {
    const std::uint64_t op = faults.empty() ? 0 : rng_.below(9);
    switch (op) {
      case 0:
        faults.push_back(random_fault(scenario_, random_.kinds, random_instant(scenario_, rng_), rng_));
        return "add";
      case 1:
        faults.erase(faults.begin() + static_cast<std::ptrdiff_t>(rng_.below(faults.size())));
        return "remove";
      case 2: {
        FaultSpec& fault = pick(faults);
        const sim::Duration shift = rng_.duration_between(sim::seconds(-10), sim::seconds(10));
        set_instant(fault, std::clamp(fault.at + shift, sim::Duration{}, scenario_.faults_end - sim::milliseconds(1)));
        return "shift";
      }
      case 3:
        set_instant(pick(faults), random_instant(scenario_, rng_));
        return "move";
      case 4:
        change_duration(pick(faults));
        return "duration";
      case 5:
        redraw_fault_target(scenario_, pick(faults), rng_);
        return "target";
      case 6: {
        FaultSpec& fault = pick(faults);
        fault = random_fault(scenario_, random_.kinds, fault.at, rng_);
        return "kind";
      }
      case 7:
        toggle_trigger(pick(faults));
        return "trigger";
      default:
        splice(faults);
        return "splice";
    }
  }

 private:
  FaultSpec& pick(std::vector<FaultSpec>& faults) { return faults[rng_.below(faults.size())]; }

  // Halve, double or redraw; a kill may also lose or gain its restart.
  void change_duration(FaultSpec& fault) {
    const sim::Duration shortest = sim::milliseconds(100);
    const sim::Duration longest = std::max(shortest, random_.duration_max * 2);
    const bool kill = fault.kind.rfind("kill-", 0) == 0;
    if (kill && rng_.chance(1, 4)) {
      if (fault.duration) {
        fault.duration.reset();
      } else {
        fault.duration = rng_.duration_between(shortest, std::max(shortest, random_.duration_max));
      }
      return;
    }
    if (!fault.duration) return;
    switch (rng_.below(3)) {
      case 0: fault.duration = std::max(shortest, sim::Duration{fault.duration->ns / 2}); break;
      case 1: fault.duration = std::min(longest, *fault.duration * 2); break;
      default: fault.duration = rng_.duration_between(shortest, std::max(shortest, random_.duration_max)); break;
    }
  }

  // A timed fault waits for an HA milestone instead (from its instant on), or a triggered one
  // fires at its instant again.
  void toggle_trigger(FaultSpec& fault) {
    if (fault.trigger) {
      fault.trigger.reset();
      return;
    }
    EventTrigger trigger;
    trigger.name = rng_.pick(trigger_events());
    trigger.process = rng_.chance(1, 2) ? "leader" : "any";
    trigger.after = fault.at;
    trigger.delay = rng_.duration_between(sim::Duration{}, sim::seconds(3));
    fault.trigger = trigger;
  }

  // The faults of `faults` before an instant, then another entry's from that instant on.
  void splice(std::vector<FaultSpec>& faults) {
    const CorpusEntry& other = corpus_[rng_.below(corpus_.size())];
    const sim::Duration cut = random_instant(scenario_, rng_);
    std::vector<FaultSpec> out;
    for (const auto& fault : faults) {
      if (fault.at < cut) out.push_back(fault);
    }
    for (const auto& fault : other.faults) {
      if (fault.at >= cut) out.push_back(fault);
    }
    faults = std::move(out);
  }

  const Scenario& scenario_;
  const RandomFaults& random_;
  const std::vector<CorpusEntry>& corpus_;
  sim::Prng& rng_;
};

// What run `seed` runs: a fresh swarm schedule (a quarter of the time, and always while the
// corpus is empty) or one to three mutations of a corpus entry.
Candidate plan_run(const Scenario& scenario, const std::vector<CorpusEntry>& corpus, std::uint64_t seed) {
  sim::Prng rng = sim::Prng::stream(seed, "guided");
  Candidate candidate;
  if (corpus.empty() || rng.chance(1, 4)) {
    candidate.faults = seed_fault_schedule(scenario, seed);
    candidate.origin = "fresh";
    return candidate;
  }
  const CorpusEntry& parent = corpus[rng.below(corpus.size())];
  candidate.faults = parent.faults;
  candidate.fresh = false;
  Mutator mutator(scenario, corpus, rng);
  std::string ops;
  const std::uint64_t count = 1 + rng.below(3);
  for (std::uint64_t i = 0; i < count; i++) ops += (i ? "+" : "") + mutator.mutate(candidate.faults);
  std::stable_sort(candidate.faults.begin(), candidate.faults.end(),
                   [](const FaultSpec& a, const FaultSpec& b) { return a.at < b.at; });
  if (candidate.faults.size() > kGuidedFaultsMax) candidate.faults.resize(kGuidedFaultsMax);
  for (auto& fault : candidate.faults) fault.json_path = "$.faults.schedule";
  candidate.origin = fmt::format("{} of seed {}", ops, parent.seed);
  return candidate;
}

}  // namespace

bool breaks_stop_property(const RunResult& run, const std::string& stop_on) {
  if (stop_on.empty()) return false;
  return shrink_target_of(run, stop_on == "any" ? std::nullopt : std::optional<std::string>(stop_on)).has_value();
}

GuidedResult guided_explore(const Scenario& scenario, const GuidedOptions& options,
                            const std::function<bool()>& keep_going, Progress* progress) {
  SIM_ASSERT(scenario.random_faults.has_value());
  SIM_ASSERT(options.runs > 0);
  SIM_ASSERT(options.seed_start <= UINT64_MAX - (options.runs - 1));
  GuidedResult result;
  std::vector<CorpusEntry> corpus;
  std::set<std::uint64_t> reached;
  RunOptions run_options;
  run_options.keep_events = true;  // the feedback reads the trace; dropped after
  run_options.mutant = options.mutant;
  std::uint64_t done = 0;
  std::size_t kept_traces = 0;
  while (done < options.runs && !result.first_detection && keep_going()) {
    const std::uint64_t size = std::min(kGuidedBatchRuns, options.runs - done);
    std::vector<std::uint64_t> seeds;
    std::vector<Candidate> candidates;
    std::vector<Scenario> scenarios;
    for (std::uint64_t i = 0; i < size; i++) {
      const std::uint64_t seed = options.seed_start + done + i;
      seeds.push_back(seed);
      candidates.push_back(plan_run(scenario, corpus, seed));
      scenarios.push_back(with_schedule(scenario, candidates.back().faults, scenario.faults_end));
    }
    const std::uint64_t first_seed = seeds.front();
    std::vector<RunResult> runs = run_seeds_with(
        seeds, options.jobs,
        [&](std::uint64_t seed) { return run_scenario(scenarios[seed - first_seed], seed, run_options); }, progress);
    // Merged in seed order, so the corpus after the batch does not depend on which thread ran what.
    for (std::uint64_t i = 0; i < size; i++) {
      GuidedRun guided;
      guided.run = std::move(runs[i]);
      const RunFeedback feedback = run_feedback(guided.run.events, guided.run.probes);
      // A run with violations keeps its events for its timeline page (the report folder would
      // otherwise rerun the seed under the scenario's own faults, not this schedule).
      if (guided.run.violations.empty() || kept_traces >= kGuidedTracesKept) {
        guided.run.events = {};
      } else {
        kept_traces++;
      }
      for (const std::uint64_t key : feedback.keys) guided.new_coverage |= reached.insert(key).second;
      guided.faults = std::move(candidates[i].faults);
      guided.faults_end = scenario.faults_end;
      guided.origin = std::move(candidates[i].origin);
      guided.fresh = candidates[i].fresh;
      result.mutated_runs += !guided.fresh;
      if (guided.new_coverage && guided.run.completed()) {
        if (corpus.size() < kGuidedCorpusMax) {
          corpus.push_back(CorpusEntry{guided.faults, guided.run.seed});
        } else {
          result.corpus_limit_hit = true;
        }
      }
      if (!result.first_detection && breaks_stop_property(guided.run, options.stop_on)) {
        result.first_detection = result.runs.size();
      }
      result.runs.push_back(std::move(guided));
    }
    done += size;
  }
  result.corpus_entries = corpus.size();
  result.feedback_keys = reached.size();
  return result;
}

}  // namespace harness
