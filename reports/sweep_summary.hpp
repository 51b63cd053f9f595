#pragma once
// What a sweep (run, replay or explore) found, as plain data for the report writers. The harness
// fills it; the writers know nothing of the simulator, the model or the checkers.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace reports {

struct Distribution {
  std::int64_t min = 0, p50 = 0, p99 = 0, max = 0;
  std::size_t samples = 0;
};

// One violation of one seed.
struct Finding {
  std::uint64_t seed = 0;
  std::string property;
  std::string clause;
  double at_s = 0;  // simulated time
  std::string message;
  std::string known;    // a known upstream issue id, "" when unexplained
  std::string replay;   // a command that works when pasted
  bool fails = false;   // counts against the scenario (unexplained, or known under "known_issues": "fail")
};

struct SweepSummary {
  std::string scenario;  // its name, as the scenario file gives it (untrusted text)
  std::string file;
  std::string command;           // "run", "replay", "explore"
  std::string expect = "pass";   // "pass", or the property a mutant or directed scenario must break
  std::string expect_known;      // the known id that expected violation must carry, "" = unexplained
  std::string known_issues = "pass";  // "pass": known issues are reported, "fail": they fail
  std::vector<std::string> properties;  // the properties the scenario checks
  std::uint64_t seeds = 0;
  std::vector<std::uint64_t> failing_seeds;  // runs not as the scenario expects
  std::vector<Finding> findings;
  std::size_t unexplained = 0;
  std::map<std::string, std::size_t> known_counts;  // id -> violations
  Distribution failover_ms;
  Distribution overlap_ms;
  Distribution overlap_both_running_ms;
  // The raw millisecond samples behind the three distributions, for the index page's histograms.
  std::vector<std::int64_t> failover_samples_ms, overlap_samples_ms, overlap_both_running_samples_ms;
  std::vector<std::uint64_t> seed_pages;  // seeds with a seed-<S>.html beside the index page
  double simulated_s = 0;
  double wall_s = 0;
  int exit = 0;
};

}  // namespace reports
