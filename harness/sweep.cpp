#include "harness/sweep.hpp"

#include "harness/progress.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <exception>
#include <thread>

#include "harness/json_reader.hpp"

namespace harness {
namespace {

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  const auto index = slash == std::string::npos ? std::nullopt : parse_number(std::string_view(text).substr(0, slash));
  const auto count = slash == std::string::npos ? std::nullopt : parse_number(std::string_view(text).substr(slash + 1));
  if (!index || !count || *count == 0 || *index >= *count) {
    throw InputError("--shard", "expected I/N with 0 <= I < N, got \"" + text + "\"");
  }
  return {*index, *count};
}

std::vector<std::uint64_t> select_seeds(std::uint64_t start, std::uint64_t count, const Shard& shard) {
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t position = 0; position < count; position++) {
    if (position % shard.count == shard.index) seeds.push_back(start + position);
  }
  return seeds;
}

std::vector<RunResult> run_seeds_with(const std::vector<std::uint64_t>& seeds, unsigned jobs,
                                      const std::function<RunResult(std::uint64_t seed)>& run_one,
                                      Progress* progress) {
  std::vector<RunResult> results(seeds.size());
  std::vector<std::exception_ptr> bad_input(seeds.size());
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i = next++; i < seeds.size(); i = next++) {
      try {
        results[i] = run_one(seeds[i]);
      } catch (const InputError&) {
        bad_input[i] = std::current_exception();  // unusable input, not a finding: exit 2
      } catch (const std::exception& error) {
        results[i] = RunResult{};
        results[i].seed = seeds[i];
        results[i].error = error.what();
      } catch (...) {
        results[i] = RunResult{};
        results[i].seed = seeds[i];
        results[i].error = "an exception that is not a std::exception";
      }
      if (progress != nullptr) progress->seed_done(results[i]);
    }
  };
  const unsigned threads = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(seeds.size())));
  if (threads == 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; t++) pool.emplace_back(worker);
    for (auto& thread : pool) thread.join();
  }
  for (const auto& failure : bad_input) {
    if (failure) std::rethrow_exception(failure);  // the first in seed order: deterministic
  }
  return results;
}

std::vector<RunResult> run_seeds(const Scenario& scenario, const std::vector<std::uint64_t>& seeds, unsigned jobs,
                                 const RunOptions& options, Progress* progress) {
  return run_seeds_with(seeds, jobs, [&](std::uint64_t seed) { return run_scenario(scenario, seed, options); },
                        progress);
}

bool counts_against_pass(const Scenario& scenario, const Violation& violation) {
  return violation.known.empty() || scenario.known_issues_fail;
}

bool run_failed(const Scenario& scenario, const RunResult& run) {
  if (!run.completed()) return true;
  if (scenario.expect.pass) {
    return std::any_of(run.violations.begin(), run.violations.end(), [&](const Violation& v) {
             return counts_against_pass(scenario, v);
           });
  }
  return !std::any_of(run.violations.begin(), run.violations.end(), [&](const Violation& v) {
    return v.property == scenario.expect.property && v.known == scenario.expect.known;
  });
}

}  // namespace harness
