#pragma once
// Running many seeds of one scenario: which seeds (a range, optionally one shard of it), on how
// many threads, and what the outcome means against the scenario's expectation.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/run_result.hpp"
#include "harness/scenario.hpp"
#include "harness/scenario_runner.hpp"

namespace harness {

// --shard I/N: this process runs the seeds whose position in the range is I modulo N.
struct Shard {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
};
// Throws InputError naming "--shard" unless `text` is "I/N" with 0 <= I < N.
Shard parse_shard(const std::string& text);

std::vector<std::uint64_t> select_seeds(std::uint64_t start, std::uint64_t count, const Shard& shard);

class Progress;

// Runs every seed, each simulation wholly on one of `jobs` threads. Results come back in the
// order of `seeds`, whatever the threads did, so output does not depend on `jobs`. `progress`, if
// given, hears of each finished seed (in completion order: display only).
std::vector<RunResult> run_seeds(const Scenario& scenario, const std::vector<std::uint64_t>& seeds, unsigned jobs,
                                 const RunOptions& options = {}, Progress* progress = nullptr);

// The same for any one-seed run. An exception that escapes `run_one` (a failed assertion while
// the model is built or judged, say) becomes that seed's `error`, reported as run-error, and the
// sweep goes on with the next seed.
std::vector<RunResult> run_seeds_with(const std::vector<std::uint64_t>& seeds, unsigned jobs,
                                      const std::function<RunResult(std::uint64_t seed)>& run_one,
                                      Progress* progress = nullptr);

// Whether a violation fails a pass scenario: an unexplained one always; one matched to a known
// upstream issue only when the scenario says "known_issues": "fail".
bool counts_against_pass(const Scenario& scenario, const Violation& violation);

// What a run means for the scenario: for a pass scenario, a run is failing when it did not
// complete or has a violation that counts_against_pass; for a scenario that expects a property to
// break (a mutant's, or a directed known-issue scenario's), a run is failing unless that property
// broke in it with the expected known-issue id (expect.known; "" = an unexplained violation).
bool run_failed(const Scenario& scenario, const RunResult& run);

}  // namespace harness
