// Same scenario + seed: the same trace hash, run after run and whatever the thread count.
#include <gtest/gtest.h>

#include "harness/json_reader.hpp"
#include "harness/scenario.hpp"
#include "harness/sweep.hpp"

namespace harness {
namespace {

Scenario standard() { return load_scenario_file(std::string(HASIM_SOURCE_DIR) + "/scenarios/standard.json"); }

TEST(HarnessDeterminism, SameSeedSameTraceHashTwice) {
  const Scenario scenario = standard();
  const RunResult first = run_scenario(scenario, 7);
  const RunResult second = run_scenario(scenario, 7);
  EXPECT_EQ(first.trace_hash, second.trace_hash);
  EXPECT_EQ(first.faults.size(), second.faults.size());
  EXPECT_NE(first.trace_hash, run_scenario(scenario, 8).trace_hash);
}

TEST(HarnessDeterminism, TwoThreadsGiveThePerSeedResultsOfOne) {
  const Scenario scenario = standard();
  const auto seeds = select_seeds(1, 6, Shard{});
  const auto serial = run_seeds(scenario, seeds, 1);
  const auto parallel = run_seeds(scenario, seeds, 2);
  ASSERT_EQ(serial.size(), parallel.size());
  for (std::size_t i = 0; i < serial.size(); i++) {
    EXPECT_EQ(serial[i].seed, parallel[i].seed);
    EXPECT_EQ(serial[i].trace_hash, parallel[i].trace_hash) << "seed " << serial[i].seed;
    EXPECT_EQ(serial[i].violations.size(), parallel[i].violations.size());
    EXPECT_EQ(serial[i].failover_times, parallel[i].failover_times);
  }
}

TEST(Shards, SplitTheSeedsWithoutOverlap) {
  EXPECT_EQ(select_seeds(10, 5, Shard{1, 2}), (std::vector<std::uint64_t>{11, 13}));
  EXPECT_EQ(select_seeds(10, 5, Shard{0, 2}), (std::vector<std::uint64_t>{10, 12, 14}));
  EXPECT_THROW(parse_shard("2/2"), InputError);
  EXPECT_THROW(parse_shard("a/2"), InputError);
  EXPECT_THROW(parse_shard("1/0"), InputError);
  EXPECT_EQ(parse_shard("3/4").index, 3u);
}

}  // namespace
}  // namespace harness
