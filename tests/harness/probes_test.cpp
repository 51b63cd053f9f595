// The "sometimes" probes (model/probes.hpp) on whole scenario runs: they fire where the scenario
// drives the model into their state, stay at zero where it cannot get there, and never change a
// run's trace.
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

#include "harness/scenario.hpp"
#include "harness/probe_report.hpp"
#include "harness/scenario_runner.hpp"
#include "model/probes.hpp"

namespace {

using harness::RunResult;
using model::Probe;

harness::Scenario scenario(const std::string& name) {
  return harness::load_scenario_file(std::string(HASIM_SOURCE_DIR) + "/scenarios/" + name + ".json");
}

std::uint64_t hits(const RunResult& run, Probe probe) {
  const auto found = run.probes.find(model::probe_name(probe));
  return found == run.probes.end() ? 0 : found->second;
}

TEST(ProbeCatalogue, NamesAreUniqueKebabCaseWithALayerPrefix) {
  std::set<std::string> names;
  for (const model::ProbeInfo& info : model::probe_catalogue()) {
    const std::string name(info.name);
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_TRUE(name.starts_with("zk.") || name.starts_with("curator.") || name.starts_with("flink.")) << name;
    for (const char c : name.substr(name.find('.') + 1)) {
      EXPECT_TRUE(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-')
          << name;
    }
    EXPECT_FALSE(info.description.empty()) << name;
  }
  EXPECT_GE(names.size(), 20u);
}

TEST(ProbeCatalogue, CheckpointPointerPathsAreRecognised) {
  EXPECT_TRUE(model::is_checkpoint_pointer_path("/flink/explore/jobs/job-1/checkpoints/0000000000000000042"));
  EXPECT_FALSE(model::is_checkpoint_pointer_path("/flink/explore/jobs/job-1/checkpoints/0000000000000000042/locks"));
  EXPECT_FALSE(model::is_checkpoint_pointer_path("/flink/explore/jobs/job-1/checkpoints"));
  EXPECT_FALSE(model::is_checkpoint_pointer_path("/flink/explore/jobs/job-1/checkpoint_id_counter"));
  EXPECT_FALSE(model::is_checkpoint_pointer_path("/checkpoints/"));
}

// Leader kills only: ZooKeeper is never faulted, no process is paused, and a killed JobManager's
// session is never resumed, so none of these states can occur; failovers recover the job.
TEST(Probes, StandardScenarioReachesNoZooKeeperOrPauseState) {
  const harness::Scenario standard = scenario("standard");
  for (const std::uint64_t seed : {1u, 2u}) {
    const RunResult run = harness::run_scenario(standard, seed);
    EXPECT_EQ(hits(run, Probe::kZkFollowerTruncated), 0u) << seed;
    EXPECT_EQ(hits(run, Probe::kZkQuorumLostDuringCheckpointWrite), 0u) << seed;
    EXPECT_EQ(hits(run, Probe::kZkSessionExpiredWhileDisconnected), 0u) << seed;
    EXPECT_EQ(hits(run, Probe::kCuratorZombieGrant), 0u) << seed;
    EXPECT_EQ(hits(run, Probe::kFlinkStandbyGrantedWhileLeaderPaused), 0u) << seed;
    EXPECT_EQ(hits(run, Probe::kFlinkLeaderBelievedPastSessionExpiry), 0u) << seed;
    EXPECT_GT(hits(run, Probe::kFlinkJobRecoveredOnGrant), 0u) << seed;
  }
}

// A leader paused 25 s (> the 10 s session timeout): a standby takes over while the paused one
// still believes it leads, and on resume it learns that its session expired meanwhile.
TEST(Probes, LeaderPauseReachesThePauseStates) {
  const RunResult run = harness::run_scenario(scenario("leader-gc-pause"), 1);
  EXPECT_GT(hits(run, Probe::kFlinkStandbyGrantedWhileLeaderPaused), 0u);
  EXPECT_GT(hits(run, Probe::kFlinkLeaderBelievedPastSessionExpiry), 0u);
  EXPECT_GT(hits(run, Probe::kZkSessionExpiredWhileDisconnected), 0u);
  EXPECT_EQ(hits(run, Probe::kZkFollowerTruncated), 0u);
}

TEST(Probes, QuorumLossBeyondTheSessionTimeoutGrantsAZombie) {
  const RunResult run = harness::run_scenario(scenario("curator-696-double-leader"), 1);
  EXPECT_GT(hits(run, Probe::kCuratorZombieGrant), 0u);
}

TEST(Probes, DoNotChangeTheTraceHashOfAReplay) {
  // The probe counts are a side channel: two runs agree on both, and on the hash.
  const harness::Scenario explore = scenario("explore");
  const RunResult first = harness::run_scenario(explore, 1000000);
  const RunResult second = harness::run_scenario(explore, 1000000);
  EXPECT_EQ(first.trace_hash, second.trace_hash);
  EXPECT_EQ(first.probes, second.probes);
  EXPECT_FALSE(first.probes.empty());
}

TEST(ProbeReport, ListsEveryCatalogueProbeAndTheMissedOnes) {
  RunResult a, b;
  a.probes[std::string(model::probe_name(Probe::kZkFollowerTruncated))] = 2;
  b.probes[std::string(model::probe_name(Probe::kZkFollowerTruncated))] = 1;
  b.probes["not.in-the-catalogue"] = 5;
  nlohmann::json out;
  harness::add_probe_json(out, {a, b});
  EXPECT_EQ(out["probes"].size(), model::kProbeCount);
  EXPECT_EQ(out["probes"]["zk.follower-truncated"]["runs"], 2);
  EXPECT_EQ(out["probes"]["zk.follower-truncated"]["hits"], 3);
  EXPECT_EQ(out["probes"]["curator.zombie-grant"]["runs"], 0);
  EXPECT_EQ(out["probes_missed"].size(), model::kProbeCount - 1);
  EXPECT_FALSE(out["probes"].contains("not.in-the-catalogue"));
}

}  // namespace
