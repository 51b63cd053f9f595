// The leading Dispatcher runs a job graph another process added (SessionDispatcherLeaderProcess
// onAddedJobGraph), as it does under a double leader when the other one accepted a submission.
#include <gtest/gtest.h>

#include "model/zookeeper/zk_client.hpp"
#include "tests/model/flink_cluster_fixture.hpp"

namespace flink_test {
namespace {

TEST(FlinkDispatcher, RunsAJobGraphAnotherProcessAdded) {
  model::flink::ClusterOptions options = standard_options();
  // The TaskManagers know job-x's tasks; this cluster's client would submit it only at 1000 s.
  options.jobs.push_back({"job-x", sim::seconds(1000), std::nullopt, std::nullopt, std::nullopt});
  World world(4, options);
  world.run_for(sim::seconds(20));
  ASSERT_FALSE(world.events("confirm").empty());
  // Another process stores job-x's graph the way addAndLock does: the file, then the pointer
  // naming it with its `locks` child.
  std::unique_ptr<model::zk::ZkClient> client;
  const sim::ProcessId pid = world.sim.add_process("stranger", sim::ProcessHooks{[&](sim::ProcessId self) {
    client = std::make_unique<model::zk::ZkClient>(world.sim, world.net, self,
                                                   model::zk::ZkClientConfig{world.ensemble.pids(), sim::seconds(10)},
                                                   [](const model::zk::WatchedEvent&) {});
  }, [&](sim::ProcessId) { client.reset(); }});
  world.sim.start(pid);
  bool stored = false;
  world.sim.spawn(pid, "submit", [&] {
    const std::string file = "/flink/ha/standard/submittedJobGraphstranger";
    if (world.storage.put(file, "job graph of job-x") != sim::FsStatus::kOk) return;
    const std::string pointer = "/flink/standard/execution-plans/job-x";
    for (int attempt = 0; attempt < 50 && !stored; attempt++) {
      const auto result = client->multi({model::zk::CreateRequest{pointer, file, model::zk::CreateMode::Persistent},
                                         model::zk::CreateRequest{pointer + "/locks", std::nullopt, model::zk::CreateMode::Persistent}});
      stored = result.code == model::zk::Code::Ok;
      if (!stored) world.sim.sleep(sim::milliseconds(100));
    }
  });
  world.run_for(sim::seconds(20));
  ASSERT_TRUE(stored);
  bool recovered = false, running = false;
  for (const auto* event : world.events("job-recovered")) recovered |= *event->string_field("job") == "job-x";
  for (const auto* event : world.events("job-running")) running |= *event->string_field("job") == "job-x";
  EXPECT_TRUE(recovered);
  EXPECT_TRUE(running);
}

}  // namespace
}  // namespace flink_test
