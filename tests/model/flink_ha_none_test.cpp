// high-availability.type none (Flink's StandaloneHaServices): every JobManager leads from the start
// under HighAvailabilityServices.DEFAULT_LEADER_ID, TaskManagers and the client use the first master,
// and every store lives in the JobManager's memory, so a JobManager crash loses its jobs.
#include <gtest/gtest.h>

#include <set>

#include "model/flink/standalone_ha.hpp"
#include "tests/model/flink_cluster_fixture.hpp"

namespace {

using flink_test::World;

constexpr const char* kDefaultLeaderId = "00000000-0000-0000-0000-000000000000";

model::flink::ClusterOptions ha_none_options(int masters) {
  auto parsed = model::flink::parse_flink_config({{"high-availability.type", "none"},
                                                  {"execution.checkpointing.interval", "1 s"},
                                                  {"heartbeat.interval", "2 s"},
                                                  {"heartbeat.timeout", "10 s"}});
  model::flink::ClusterOptions options = flink_test::standard_options();
  options.config = std::get<model::flink::FlinkConfig>(parsed);
  options.masters.resize(static_cast<std::size_t>(masters));
  return options;
}

std::string text(const sim::TraceEvent* event, const char* key) {
  const std::string* value = event->string_field(key);
  return value == nullptr ? "" : *value;
}

std::size_t zookeeper_client_events(World& world) {
  std::size_t count = 0;
  for (const auto& event : world.sim.trace().events()) {
    if (event.category == "zkclient" || event.category == "curator") count++;
  }
  return count;
}

TEST(FlinkHaNone, TheModelsDefaultLeaderIdIsFlinks) { EXPECT_STREQ(model::flink::kDefaultLeaderId, kDefaultLeaderId); }

TEST(FlinkHaNone, OneJobManagerRunsTheJobAndCheckpointsUnderTheDefaultLeaderId) {
  for (std::uint64_t seed = 1; seed <= 4; seed++) {
    SCOPED_TRACE(seed);
    World world(seed, ha_none_options(1));
    world.run_for(sim::seconds(30));

    const auto grants = world.events("grant");
    ASSERT_EQ(grants.size(), 1u);
    EXPECT_EQ(text(grants[0], "session_id"), kDefaultLeaderId);
    EXPECT_EQ(grants[0]->at, sim::Instant{});  // granted at start, not after an election
    EXPECT_TRUE(world.events("revoke").empty());
    EXPECT_EQ(world.cluster.believed_leader(), 0);

    std::set<std::string> confirmed;
    for (const auto* confirm : world.events("confirm")) {
      EXPECT_EQ(text(confirm, "session_id"), kDefaultLeaderId);
      EXPECT_EQ(text(confirm, "cluster"), "");
      confirmed.insert(text(confirm, "component"));
    }
    EXPECT_EQ(confirmed, (std::set<std::string>{"resource_manager", "dispatcher", "job-job-1"}));

    ASSERT_EQ(world.events("job-submit-acked").size(), 1u);
    EXPECT_EQ(text(world.events("job-submit-acked")[0], "session_id"), kDefaultLeaderId);
    ASSERT_FALSE(world.events("job-running").empty());
    const auto ids = world.checkpoint_ids("checkpoint-completed");
    ASSERT_GE(ids.size(), 10u);
    for (std::size_t i = 0; i < ids.size(); i++) EXPECT_EQ(ids[i], static_cast<std::int64_t>(i + 1));  // counter from 1
    ASSERT_FALSE(world.events("tm-commit").empty());
    for (const auto* commit : world.events("tm-commit")) EXPECT_EQ(text(commit, "session_id"), kDefaultLeaderId);

    // Nothing went near ZooKeeper or the HA storage: no client, no pointers, no files.
    EXPECT_EQ(zookeeper_client_events(world), 0u);
    EXPECT_TRUE(world.events("checkpoint-added").empty());
    EXPECT_TRUE(world.events("job-graph-added").empty());
    for (const auto* retrieved : world.events("leader-retrieved")) {
      EXPECT_EQ(text(retrieved, "session_id"), kDefaultLeaderId);
      EXPECT_EQ(text(retrieved, "address"), "jm1");
    }
  }
}

TEST(FlinkHaNone, FinishedJobIsRecordedAndCleanedUpInMemory) {
  auto options = ha_none_options(1);
  options.jobs[0].finish_at = sim::seconds(20);
  World world(3, options);
  world.run_for(sim::seconds(40));
  ASSERT_EQ(world.events("job-terminal").size(), 1u);
  EXPECT_EQ(text(world.events("job-terminal")[0], "status"), "FINISHED");
  EXPECT_EQ(world.events("job-cleanup-done").size(), 1u);
}

TEST(FlinkHaNone, JobManagerCrashLosesTheJobEvenAfterTheSupervisorRestartsIt) {
  for (std::uint64_t seed = 1; seed <= 4; seed++) {
    SCOPED_TRACE(seed);
    World world(seed, ha_none_options(1));
    world.run_for(sim::seconds(20));
    ASSERT_FALSE(world.events("checkpoint-completed").empty());
    const std::size_t completed_before = world.events("checkpoint-completed").size();
    world.sim.crash(world.jm(0));
    world.run_for(sim::seconds(60));

    EXPECT_FALSE(world.events("supervisor-restart").empty());
    const auto grants = world.events("grant");
    ASSERT_EQ(grants.size(), 2u);  // the restarted process leads again, with the same id
    EXPECT_EQ(text(grants[1], "session_id"), kDefaultLeaderId);
    EXPECT_TRUE(world.events("revoke").empty());
    // Nothing was recovered: the job graph lived in the crashed process's memory.
    EXPECT_TRUE(world.events("job-recovered").empty());
    EXPECT_TRUE(world.events("job-cleanup-resumed").empty());
    EXPECT_EQ(world.events("job-running").size(), 1u);
    EXPECT_EQ(world.events("job-restored").size(), 1u);
    EXPECT_EQ(world.events("checkpoint-completed").size(), completed_before);
  }
}

TEST(FlinkHaNone, TwoMastersBothLeadUnderTheDefaultIdAndOnlyTheFirstIsUsed) {
  for (std::uint64_t seed = 1; seed <= 4; seed++) {
    SCOPED_TRACE(seed);
    World world(seed, ha_none_options(2));
    world.run_for(sim::seconds(30));

    // StandaloneLeaderElectionService: no election, each process is leader of its own components.
    std::set<std::string> granted;
    for (const auto* grant : world.events("grant")) {
      EXPECT_EQ(text(grant, "session_id"), kDefaultLeaderId);
      granted.insert(grant->process);
    }
    EXPECT_EQ(granted, (std::set<std::string>{"jm1", "jm2"}));
    EXPECT_TRUE(world.events("revoke").empty());
    std::set<std::string> dispatcher_confirms;
    for (const auto* confirm : world.events("confirm")) {
      if (text(confirm, "component") == "dispatcher") dispatcher_confirms.insert(confirm->process);
    }
    EXPECT_EQ(dispatcher_confirms, (std::set<std::string>{"jm1", "jm2"}));

    // The client and the TaskManagers only know jobmanager.rpc.address: the job runs on jm1.
    ASSERT_EQ(world.events("job-submit-acked").size(), 1u);
    EXPECT_EQ(world.events("job-submit-acked")[0]->process, "jm1");
    for (const auto* event : world.events("checkpoint-completed")) EXPECT_EQ(event->process, "jm1");
    EXPECT_FALSE(world.events("checkpoint-completed").empty());
  }
}

}  // namespace
