// Global cleanup of an ended job, as Flink 1.15+ runs it: off the Dispatcher's main thread, and
// ending with the job's znode deleted recursively.
#include <gtest/gtest.h>

#include "model/zookeeper/zk_client.hpp"
#include "tests/model/flink_cluster_fixture.hpp"

namespace flink_test {
namespace {

using model::flink::ClusterOptions;

// Another ZooKeeper session's lock on job-1's job graph pointer, held for the whole run: the
// residual case of FLINK-10011, where a deposed leader could not release its lock and kept its
// session. The job graph cannot be removed, so job-1's global cleanup retries for ever.
struct StaleLock {
  sim::ProcessId pid = sim::kNoProcess;
  std::unique_ptr<model::zk::ZkClient> client;
};

void hold_stale_lock(World& world, StaleLock& holder, const std::string& pointer) {
  holder.pid = world.sim.add_process("stranger", sim::ProcessHooks{[&world, &holder](sim::ProcessId pid) {
    holder.client = std::make_unique<model::zk::ZkClient>(
        world.sim, world.net, pid, model::zk::ZkClientConfig{world.ensemble.pids(), sim::seconds(10)},
        [](const model::zk::WatchedEvent&) {});
  }, [&holder](sim::ProcessId) { holder.client.reset(); }});
  world.sim.start(holder.pid);
  world.sim.spawn(holder.pid, "lock", [&world, &holder, pointer] {
    for (int attempt = 0; attempt < 100; attempt++) {
      const auto created = holder.client->create(pointer + "/locks/stranger", std::nullopt, model::zk::CreateMode::Ephemeral);
      if (created.code == model::zk::Code::Ok) return;
      world.sim.sleep(sim::milliseconds(100));
    }
  });
}

// job-1 finishes at 30 s but its cleanup cannot end; job-2, submitted at 40 s, must still be
// acknowledged and run: Flink cleans up asynchronously (a Dispatcher blocked in job-1's cleanup
// never acknowledged job-2).
TEST(FlinkCleanup, AStuckCleanupDoesNotBlockTheDispatcher) {
  ClusterOptions options = standard_options();
  options.jobs = {{"job-1", sim::seconds(5), sim::seconds(30), std::nullopt, std::nullopt},
                  {"job-2", sim::seconds(40), std::nullopt, std::nullopt, std::nullopt}};
  World world(3, options);
  StaleLock holder;
  world.run_for(sim::seconds(10));
  hold_stale_lock(world, holder, "/flink/standard/execution-plans/job-1");
  world.run_for(sim::seconds(60));
  bool job1_terminal = false, job2_running = false;
  for (const auto* event : world.events("job-terminal")) job1_terminal |= *event->string_field("job") == "job-1";
  for (const auto* event : world.events("job-running")) job2_running |= *event->string_field("job") == "job-2";
  EXPECT_TRUE(job1_terminal);
  EXPECT_TRUE(world.events("job-cleanup-done").empty()) << "the stale lock must block job-1's job graph removal";
  EXPECT_TRUE(job2_running) << "job-2 waited for job-1's cleanup";
}

// A checkpoint pointer locked by another session cannot be removed by the store shutdown: Flink
// logs it, keeps its file, and still deletes the job's znode recursively, so the cleanup ends.
TEST(FlinkCleanup, TheJobZnodeGoesRecursivelyEvenWhenAPointerIsStillLocked) {
  ClusterOptions options = standard_options();
  options.jobs = {{"job-1", sim::seconds(5), sim::seconds(30), std::nullopt, std::nullopt}};
  World world(5, options);
  StaleLock holder;
  std::string locked_pointer;
  world.run_for(sim::seconds(20));
  world.when(World::flink_event("checkpoint-added"), [&] {
    for (const auto* event : world.events("checkpoint-added")) locked_pointer = *event->string_field("path");
    hold_stale_lock(world, holder, locked_pointer);
  });
  world.run_for(sim::seconds(70));
  ASSERT_FALSE(locked_pointer.empty());
  bool still_locked = false;
  for (const auto* event : world.events("checkpoint-still-locked")) still_locked |= *event->string_field("path") == locked_pointer;
  EXPECT_TRUE(still_locked);
  ASSERT_EQ(world.events("job-cleanup-done").size(), 1u);
  for (int i = 0; i < world.ensemble.size(); i++) {
    EXPECT_FALSE(world.ensemble.server(i)->tree().stat("/flink/standard/jobs/job-1").has_value())
        << "the job znode is left on zk" << i + 1;
  }
}

}  // namespace
}  // namespace flink_test
