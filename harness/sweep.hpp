#pragma once
// Running many seeds of one scenario: which seeds (a range, optionally one shard of it), on how
// many threads, and what the outcome means against the scenario's expectation.
#include <cstdint>
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

// Runs every seed, each simulation wholly on one of `jobs` threads. Results come back in the
// order of `seeds`, whatever the threads did, so output does not depend on `jobs`.
std::vector<RunResult> run_seeds(const Scenario& scenario, const std::vector<std::uint64_t>& seeds, unsigned jobs,
                                 const RunOptions& options = {});

// What a run means for the scenario: for a pass scenario, a run is failing when it has any
// violation or did not complete; for a scenario that expects a property to break (a mutant's),
// a run is failing when that property did not break in it.
bool run_failed(const Scenario& scenario, const RunResult& run);

}  // namespace harness
