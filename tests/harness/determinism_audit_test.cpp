// The determinism audit on test models: a deliberately nondeterministic one (its second run of a
// seed records a different value at 5 s) is caught, with the first differing event and both
// values; a deterministic one, and the standard scenario, stay quiet.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "harness/determinism_audit.hpp"
#include "harness/json_reader.hpp"
#include "harness/scenario.hpp"
#include "harness/scenario_runner.hpp"
#include "sim/simulation.hpp"

namespace harness {
namespace {

std::string scratch() {
  const auto dir = std::filesystem::temp_directory_path() / "hasim-audit-test";
  std::filesystem::create_directories(dir);
  return dir.string();
}

// Ticks every second for 10 s; `value_at_5s` is what it records at 5 s.
std::uint64_t ticker(std::uint64_t seed, const std::string& trace_file, std::int64_t value_at_5s) {
  sim::SimConfig config;
  config.seed = seed;
  sim::Simulation sim(config);
  if (!trace_file.empty()) {
    EXPECT_TRUE(sim.trace().open_file(trace_file, sim::TraceFileLevel::kAll));
  }
  sim::ProcessHooks hooks;
  hooks.boot = [&sim, value_at_5s](sim::ProcessId process) {
    sim.spawn(process, "ticker", [&sim, process, value_at_5s] {
      for (std::int64_t tick = 1; tick <= 10; tick++) {
        sim.sleep(sim::seconds(1));
        sim.record("test", "tick", process, {{"value", tick == 5 ? value_at_5s : tick}});
      }
    });
  };
  sim.start(sim.add_process("model", hooks));
  sim.run_until(sim::Instant{} + sim::seconds(20));
  sim.trace().close_file();
  sim.shutdown();
  return sim.trace().hash();
}

TEST(DeterminismAudit, NamesTheFirstDifferingEventWithBothValues) {
  std::atomic<int> runs_of_seed_2{0};
  // Seed 2 is nondeterministic: each run of it records the number of runs before it at 5 s.
  const AuditRun run = [&](std::uint64_t seed, const std::string& trace_file) {
    return ticker(seed, trace_file, seed == 2 ? 100 + runs_of_seed_2++ : 5);
  };
  const auto found = audit_seeds({1, 2, 3}, 2, run, scratch());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].seed, 2u);
  EXPECT_NE(found[0].first_hash, found[0].second_hash);
  ASSERT_TRUE(found[0].located);
  EXPECT_NE(found[0].first.find("\"value\":102"), std::string::npos) << found[0].first;
  EXPECT_NE(found[0].second.find("\"value\":103"), std::string::npos) << found[0].second;
  EXPECT_NE(found[0].first.find("tick"), std::string::npos);
  EXPECT_GT(found[0].line, 1u);  // the ticks before 5 s and the kernel events around them agree
}

TEST(DeterminismAudit, ADeterministicModelAndTheStandardScenarioStayQuiet) {
  const AuditRun model = [](std::uint64_t seed, const std::string& trace_file) { return ticker(seed, trace_file, 5); };
  EXPECT_TRUE(audit_seeds({1, 2, 3, 4}, 2, model, scratch()).empty());
  const Scenario standard = load_scenario_file(std::string(HASIM_SOURCE_DIR) + "/scenarios/standard.json");
  const AuditRun scenario = [&](std::uint64_t seed, const std::string& trace_file) {
    RunOptions options;
    options.trace_file = trace_file;
    options.trace_file_kernel_events = true;
    return run_scenario(standard, seed, options).trace_hash;
  };
  EXPECT_TRUE(audit_seeds({1, 2}, 2, scenario, scratch()).empty());
}

TEST(DeterminismAudit, FirstDifferenceOfFiles) {
  const std::string dir = scratch();
  const std::string a = dir + "/a.jsonl", b = dir + "/b.jsonl";
  std::ofstream(a) << "x\ny\nz\n";
  std::ofstream(b) << "x\ny\nz\n";
  EXPECT_FALSE(first_difference(a, b).has_value());
  std::ofstream(b) << "x\ny\n";
  const auto shorter = first_difference(a, b);
  ASSERT_TRUE(shorter.has_value());
  EXPECT_EQ(shorter->line, 3u);
  EXPECT_EQ(shorter->first, "z");
  EXPECT_EQ(shorter->second, "<end of trace>");
}

}  // namespace
}  // namespace harness
