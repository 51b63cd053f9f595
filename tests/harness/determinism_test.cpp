// Same scenario + seed: the same trace hash, run after run and whatever the thread count.
#include <gtest/gtest.h>

#include "harness/json_reader.hpp"
#include "harness/scenario.hpp"
#include "harness/scenario_runner.hpp"
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

// after_event: the fault fires at the first matching event, within one 100 µs poll, and only
// after its `following` event; the same seed gives the same trace.
TEST(EventTriggeredFaults, FireRightAfterTheirEventAndReplayIdentically) {
  const Scenario scenario = load_scenario_file(std::string(HASIM_SOURCE_DIR) + "/scenarios/mutant-flink-21979.json");
  ASSERT_EQ(scenario.faults.size(), 1u);
  ASSERT_TRUE(scenario.faults[0].trigger.has_value());
  RunOptions options;
  options.keep_events = true;
  const RunResult run = run_scenario(scenario, 3, options);
  const sim::TraceEvent* terminal = nullptr;
  const sim::TraceEvent* removed = nullptr;
  const sim::TraceEvent* kill = nullptr;
  for (const auto& event : run.events) {
    if (event.category == "flink" && event.name == "job-terminal" && !terminal) terminal = &event;
    if (event.category == "flink" && event.name == "checkpoint-removed" && terminal && !removed) removed = &event;
    if (event.category == "fault" && event.name == "kill-jobmanager" && !kill) kill = &event;
  }
  ASSERT_NE(terminal, nullptr);
  ASSERT_NE(removed, nullptr);
  ASSERT_NE(kill, nullptr);
  EXPECT_GT(kill->seq, removed->seq);
  EXPECT_LE(kill->at - removed->at, sim::microseconds(100));
  EXPECT_EQ(kill->process, removed->process) << "the leader that removed the checkpoint is killed";
  EXPECT_EQ(run_scenario(scenario, 3).trace_hash, run.trace_hash);
}

TEST(EventTriggeredFaults, ParseIntoATriggerAndRejectAtTogetherWithAfterEvent) {
  const std::string head =
      R"({"name":"x","zookeeper":{"servers":3},"clusters":[{"jobmanagers":2,"taskmanagers":1}],"duration":"10 min",)"
      R"("expect":{"outcome":"pass"},"faults":{"schedule":[)";
  const Scenario parsed = parse_scenario(
      head + R"({"after_event":{"name":"checkpoint-triggered","process":"leader","after":"20 s","delay":"5 ms"},)"
             R"("kind":"drop-zookeeper-reply","target":"leader-connection"}]}})",
      "x.json");
  ASSERT_EQ(parsed.faults.size(), 1u);
  ASSERT_TRUE(parsed.faults[0].trigger.has_value());
  EXPECT_EQ(parsed.faults[0].trigger->name, "checkpoint-triggered");
  EXPECT_EQ(parsed.faults[0].trigger->process, "leader");
  EXPECT_EQ(parsed.faults[0].at, sim::seconds(20));
  EXPECT_EQ(parsed.faults[0].trigger->delay, sim::milliseconds(5));
  EXPECT_THROW(parse_scenario(head + R"({"at":"1 s","after_event":{"name":"job-terminal"},"kind":"heal"}]}})", "x.json"),
               InputError);
  EXPECT_THROW(parse_scenario(head + R"({"after_event":{"name":"job-terminal","after":"11 min"},"kind":"heal"}]}})", "x.json"),
               InputError);
}

TEST(Shards, SplitTheSeedsWithoutOverlap) {
  EXPECT_EQ(select_seeds(10, 5, Shard{1, 2}), (std::vector<std::uint64_t>{11, 13}));
  EXPECT_EQ(select_seeds(10, 5, Shard{0, 2}), (std::vector<std::uint64_t>{10, 12, 14}));
  EXPECT_THROW(parse_shard("2/2"), InputError);
  EXPECT_THROW(parse_shard("a/2"), InputError);
  EXPECT_THROW(parse_shard("1/0"), InputError);
  EXPECT_EQ(parse_shard("3/4").index, 3u);
}


// The run measures CURATOR-696 zombie grants: the directed scenario has them under Curator 5.4,
// and the same seeds under "curator": "5.7" (the owner check on RECONNECTED) have none.
TEST(ZombieGrants, TheDirectedScenarioHasThemUnderCurator54AndNoneUnder57) {
  Scenario scenario = load_scenario_file(std::string(HASIM_SOURCE_DIR) + "/scenarios/curator-696-double-leader.json");
  std::size_t under_54 = 0, under_57 = 0;
  for (std::uint64_t seed = 1; seed <= 3; seed++) under_54 += run_scenario(scenario, seed).zombie_grants;
  scenario.curator_version = "5.7";
  for (std::uint64_t seed = 1; seed <= 3; seed++) under_57 += run_scenario(scenario, seed).zombie_grants;
  EXPECT_GE(under_54, 3u);
  EXPECT_EQ(under_57, 0u);
}

}  // namespace
}  // namespace harness
