// The watchdog: test models that livelock or fail an assertion inside a simulation, swept beside
// healthy ones. The livelock ends as `stalled` and the assertion as `run-error`, each with its
// seed; neither stops the sweep, and a healthy seed run after them on the same thread gives the
// trace it gives alone.
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "harness/guarded_run.hpp"
#include "harness/json_reader.hpp"
#include "harness/scenario.hpp"
#include "harness/sweep.hpp"
#include "harness/sweep_report.hpp"
#include "sim/assert.hpp"
#include "sim/simulation.hpp"

namespace harness {
namespace {

enum class TestModel { kHealthy, kLivelock, kFailedAssertion };

// A ticker that records a trace event every second; the livelocking one, from 3 s on, keeps
// scheduling a callback for "now"; the failing one asserts something false at 4 s in a fiber.
RunResult run_test_model(TestModel model, std::uint64_t seed) {
  sim::SimConfig config;
  config.seed = seed;
  config.limits.events_per_instant_max = 10'000;  // the default is 1,000,000; this keeps the test fast
  sim::Simulation sim(config);
  sim::ProcessHooks hooks;
  hooks.boot = [&sim, model](sim::ProcessId process) {
    sim.spawn(process, "ticker", [&sim, model, process] {
      for (int tick = 1; tick <= 10; tick++) {
        sim.sleep(sim::seconds(1));
        sim.record("test", "tick", process, {{"n", std::to_string(tick)}});
        if (model == TestModel::kFailedAssertion && tick == 4) SIM_ASSERT_MSG(tick != 4, "deliberately false");
      }
    });
  };
  sim.start(sim.add_process("model", hooks));
  auto spin = std::make_shared<std::function<void()>>();
  if (model == TestModel::kLivelock) {
    *spin = [&sim, spin] { sim.after(sim::Duration{}, *spin); };
    sim.at(sim::Instant{} + sim::seconds(3), *spin);
  }
  RunResult result;
  result.seed = seed;
  run_guarded(sim, sim::Instant{} + sim::seconds(20), result);
  *spin = nullptr;  // break the cycle
  return result;
}

TestModel model_of(std::uint64_t seed) {
  return seed == 2 ? TestModel::kLivelock : seed == 3 ? TestModel::kFailedAssertion : TestModel::kHealthy;
}

TEST(Watchdog, ALivelockIsStalledAnAssertionIsRunErrorAndTheSweepGoesOn) {
  const std::vector<std::uint64_t> seeds = {1, 2, 3, 4};
  const auto results = run_seeds_with(seeds, 1, [](std::uint64_t seed) { return run_test_model(model_of(seed), seed); });
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results[0].completed());
  EXPECT_EQ(results[1].outcome, sim::RunOutcome::kStalled);
  EXPECT_EQ(results[1].ended_at, sim::Instant{} + sim::seconds(3));  // it never got past 3 s
  EXPECT_FALSE(results[1].completed());
  EXPECT_NE(results[2].error.find("assertion failed: tick != 4 (deliberately false)"), std::string::npos)
      << results[2].error;
  EXPECT_EQ(results[2].ended_at, sim::Instant{} + sim::seconds(4));
  EXPECT_TRUE(results[3].completed());
  // Seed 4 ran on the same thread after the stall and the failed assertion: the same trace as alone.
  EXPECT_EQ(results[3].trace_hash, run_test_model(TestModel::kHealthy, 4).trace_hash);
}

TEST(Watchdog, TheSweepReportNamesEachWithItsSeedAndFails) {
  const std::vector<std::uint64_t> seeds = {1, 2, 3};
  SweepReport report;
  const Scenario scenario = load_scenario_file(std::string(HASIM_SOURCE_DIR) + "/scenarios/standard.json");
  report.scenario = &scenario;
  report.file = "scenarios/standard.json";
  report.command = "run";
  report.runs = run_seeds_with(seeds, 2, [](std::uint64_t seed) { return run_test_model(model_of(seed), seed); });
  const nlohmann::json json = format_json(report);
  EXPECT_EQ(exit_status(report), 1);
  EXPECT_EQ(json["failing_seeds"], nlohmann::json({2, 3}));
  bool stalled = false, run_error = false;
  for (const auto& v : json["violations"]) {
    stalled |= v["seed"] == 2 && v["property"] == "stalled";
    run_error |= v["seed"] == 3 && v["property"] == "run-error";
  }
  EXPECT_TRUE(stalled) << json["violations"].dump();
  EXPECT_TRUE(run_error) << json["violations"].dump();
  const std::string text = format_text(report);
  EXPECT_NE(text.find("seed 2"), std::string::npos) << text;
  EXPECT_NE(text.find("stalled"), std::string::npos) << text;
}

TEST(Watchdog, AnExceptionEscapingTheRunItselfIsRunErrorButBadInputStaysBadInput) {
  const auto results = run_seeds_with({5, 6}, 1, [](std::uint64_t seed) -> RunResult {
    if (seed == 5) throw sim::AssertionFailed("assertion failed: while judging");
    RunResult ok;
    ok.seed = seed;
    return ok;
  });
  EXPECT_EQ(results[0].seed, 5u);
  EXPECT_EQ(results[0].error, "assertion failed: while judging");
  EXPECT_TRUE(results[1].completed());
  EXPECT_THROW(run_seeds_with({7}, 1, [](std::uint64_t) -> RunResult { throw InputError("$.clusters[0].name", "repeated"); }),
               InputError);
}

}  // namespace
}  // namespace harness
