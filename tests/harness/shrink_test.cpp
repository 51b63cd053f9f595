// Export of a seed's schedule and shrinking of a failing seed (harness/fault_schedule.hpp,
// harness/shrink.hpp): an exported schedule runs exactly as the generated one, a mutant's failing
// seed shrinks to a small schedule that still fails the same way, and a correct seed has nothing
// to shrink.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

#include "harness/fault_plan.hpp"
#include "harness/fault_schedule.hpp"
#include "harness/json_reader.hpp"
#include "harness/scenario_runner.hpp"
#include "harness/shrink.hpp"
#include "model/flink/flink_duration.hpp"
#include "tests/sweep_seeds.hpp"

namespace harness {
namespace {

std::string scenario_path(const std::string& name) { return std::string(HASIM_SOURCE_DIR) + "/scenarios/" + name; }

Scenario reload(const std::string& source, const ExplicitScenario& out) {
  return parse_scenario(explicit_scenario_text(source, out), "exported");
}

RC_GTEST_PROP(ExactDurationText, ReadsBackAsTheSameDuration, ()) {
  const std::int64_t ns = *rc::gen::inRange<std::int64_t>(0, std::int64_t{1} << 50);
  const auto scale = *rc::gen::element<std::int64_t>(1, 1'000, 1'000'000, 1'000'000'000);
  const sim::Duration duration{ns / scale * scale};
  const auto parsed = model::flink::parse_flink_duration(exact_duration_text(duration));
  RC_ASSERT(parsed.value.has_value());
  RC_ASSERT(parsed.value->ns == duration.ns);
}

TEST(ExportSchedule, AnExportedSeedRunsExactlyAsTheGeneratedOne) {
  for (const std::string name : {"explore.json", "explore-5zk-5jm.json"}) {
    const std::string source = scenario_path(name);
    const Scenario scenario = load_scenario_file(source);
    for (std::uint64_t seed = 1; seed <= hasim_tests::sweep_seeds(6); seed++) {
      ExplicitScenario out;
      out.faults = seed_fault_schedule(scenario, seed);
      out.faults_end = scenario.faults_end;
      out.seed = seed;
      out.name = "exported";
      const Scenario exported = reload(source, out);
      EXPECT_FALSE(exported.random_faults.has_value());
      EXPECT_EQ(exported.faults.size(), out.faults.size());
      EXPECT_EQ(exported.seed_start, seed);
      const RunResult generated = run_scenario(scenario, seed);
      const RunResult written = run_scenario(exported, seed);
      EXPECT_EQ(generated.trace_hash, written.trace_hash) << name << " seed " << seed;
      EXPECT_EQ(generated.violations.size(), written.violations.size()) << name << " seed " << seed;
    }
  }
}

TEST(ExportSchedule, ASeedAboveWhatAScenarioHoldsIsAnInputError) {
  ExplicitScenario out;
  out.seed = std::uint64_t{1} << 63;
  EXPECT_THROW(explicit_scenario_text(scenario_path("explore.json"), out), InputError);
}

TEST(Shrink, AMutantSeedShrinksToAFewFaultsThatStillBreakTheSameClause) {
  const std::string source = scenario_path("explore.json");
  const Scenario scenario = load_scenario_file(source);
  ShrinkOptions options;
  options.seed = 1'000'003;
  options.mutant = model::flink::Mutant::kFlink19154;
  options.runs_max = 300;
  const ShrinkResult result = shrink_seed(scenario, options);
  ASSERT_TRUE(result.target.has_value());
  EXPECT_FALSE(result.runs_limit_hit);
  EXPECT_LE(result.runs, options.runs_max + 2);
  EXPECT_GE(result.original.size(), 3u);
  EXPECT_LE(result.minimal.size(), 3u);
  EXPECT_LE(result.faults_end, scenario.faults_end);

  // The written file is a regression case: it expects the violation and reproduces the run.
  ExplicitScenario out;
  out.faults = result.minimal;
  out.faults_end = result.faults_end;
  out.seed = options.seed;
  out.name = "shrunk";
  out.mutant = "FLINK-19154";
  Expectation expect;
  expect.pass = false;
  expect.property = result.target->property;
  out.expect = expect;
  const Scenario shrunk = reload(source, out);
  EXPECT_EQ(shrunk.mutant, model::flink::Mutant::kFlink19154);
  const RunResult rerun = run_scenario(shrunk, options.seed);
  EXPECT_EQ(rerun.trace_hash, result.final_run.trace_hash);
  const auto kept = shrink_target_of(rerun, result.target->property);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->clause, result.target->clause);
}

TEST(Shrink, TheRunBudgetIsRespectedAndReported) {
  const Scenario scenario = load_scenario_file(scenario_path("explore.json"));
  ShrinkOptions options;
  options.seed = 1'000'003;
  options.mutant = model::flink::Mutant::kFlink19154;
  options.runs_max = 3;
  const ShrinkResult result = shrink_seed(scenario, options);
  ASSERT_TRUE(result.target.has_value());
  EXPECT_TRUE(result.runs_limit_hit);
  EXPECT_LE(result.runs, 5u);  // the baseline, three candidates, the final rerun
  // Whatever it stopped at still fails: every accepted step was a failing run.
  EXPECT_TRUE(shrink_target_of(result.final_run, result.target->property).has_value());
}

TEST(Shrink, ACorrectSeedHasNothingToShrink) {
  const Scenario scenario = load_scenario_file(scenario_path("standard.json"));
  ShrinkOptions options;
  options.seed = 1;
  options.runs_max = 10;
  const ShrinkResult result = shrink_seed(scenario, options);
  EXPECT_FALSE(result.target.has_value());
  EXPECT_EQ(result.runs, 1u);
}

}  // namespace
}  // namespace harness
