#pragma once
// Guided exploration (`hasim explore --guided`), after Mallory (Meng et al., CCS 2023): instead of
// drawing every run's faults afresh, keep a corpus of explicit fault schedules whose runs reached
// something no earlier run had (a new abstract-state transition or probe bucket,
// harness/abstract_state.hpp) and mutate them: add, remove or move a fault, change its duration,
// target or kind, make it fire on a trace event instead of an instant, or splice two entries.
//
// Determinism: run i has seed seed_start + i, and its choice (a fresh swarm schedule, exactly the
// one plain explore would run for that seed, or a mutation of a corpus entry) is drawn from that
// seed's "guided" PRNG stream against the corpus as it stood before its batch. Batches have a
// fixed size, whatever --jobs is, and their feedback is merged in seed order, so a campaign is a
// pure function of (scenario, mutant, seed_start, runs, binary). Each run is single-threaded.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/run_result.hpp"
#include "harness/scenario.hpp"
#include "model/flink/mutants.hpp"

namespace harness {

class Progress;

// Runs whose feedback is merged together; fixed so results do not depend on --jobs.
inline constexpr std::uint64_t kGuidedBatchRuns = 4;
// Bounds: a corpus entry never grows past this many faults, and the corpus past this many entries
// (hitting either is reported).
inline constexpr std::size_t kGuidedFaultsMax = 64;
inline constexpr std::size_t kGuidedCorpusMax = 512;
// Runs with violations whose events are kept for their timeline pages (report_folder's page cap).
inline constexpr std::size_t kGuidedTracesKept = 20;

struct GuidedOptions {
  std::uint64_t seed_start = 1'000'000;
  std::uint64_t runs = 0;
  unsigned jobs = 1;
  std::optional<model::flink::Mutant> mutant;
  // Stop after the batch in which a run breaks this as an unexplained violation ("" = never,
  // "any" = any property).
  std::string stop_on;
};

struct GuidedRun {
  RunResult run;
  std::vector<FaultSpec> faults;  // the explicit schedule the run ran
  sim::Duration faults_end{};
  std::string origin;             // "fresh", or the mutations and the corpus seed they started from
  bool fresh = true;              // fresh: identical to plain explore's run of the same seed
  bool new_coverage = false;      // it added feedback keys, so it joined the corpus
};

struct GuidedResult {
  std::vector<GuidedRun> runs;    // in seed order
  std::size_t corpus_entries = 0;
  std::size_t feedback_keys = 0;  // distinct transitions and probe buckets reached
  std::uint64_t mutated_runs = 0;
  bool corpus_limit_hit = false;
  std::optional<std::size_t> first_detection;  // index into runs
};

// Whether `run` breaks `stop_on` ("any" or a property) as an unexplained violation.
bool breaks_stop_property(const RunResult& run, const std::string& stop_on);

// `keep_going` is asked before each batch (a wall-time budget); it never changes what a run does.
GuidedResult guided_explore(const Scenario& scenario, const GuidedOptions& options,
                            const std::function<bool()>& keep_going, Progress* progress = nullptr);

}  // namespace harness
