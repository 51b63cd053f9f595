// The checkpoint store's ZooKeeper protocol over the whole simulated stack, and FLINK-24543's
// mechanism: a reply lost after the multi committed.
#include <gtest/gtest.h>

#include <memory>

#include "model/flink/checkpoint_id_counter.hpp"
#include "model/flink/completed_checkpoint_store.hpp"
#include "model/flink/job_graph_store.hpp"
#include "model/zookeeper/ensemble.hpp"

namespace {

using model::flink::AddOutcome;
using model::flink::RecoverOutcome;
using sim::Instant;
using sim::milliseconds;
using sim::seconds;

Instant at_s(std::int64_t s) { return Instant{} + seconds(s); }

struct StoreWorld {
  explicit StoreWorld(std::uint64_t seed)
      : sim(sim::SimConfig{seed, {}}),
        net(sim, sim::NetworkConfig{sim::LatencyModel::uniform(sim::microseconds(200), milliseconds(2)), milliseconds(1), 10000}),
        storage(sim, sim::FilesystemConfig{}),
        ensemble(sim, net, model::zk::default_ensemble(3, milliseconds(2000))) {
    ensemble.start();
  }

  model::flink::CheckpointStoreOptions store_options(const std::string& owner, model::flink::Mutant mutant) {
    return {"/flink/default", "job-1", "hdfs:///flink/ha", "/default", 1, owner, mutant, {}};
  }

  // Runs `body` in a fresh JobManager process with its own Curator client, from 10 s on.
  template <typename Body>
  void jobmanager(const std::string& name, Body body) {
    const auto pid = sim.add_process(name, {[this, body, name](sim::ProcessId self) {
                                             sim.spawn(self, "main", [this, body, self, name] {
                                               model::curator::CuratorOptions options;
                                               options.servers = ensemble.pids();
                                               options.session_timeout = seconds(10);
                                               options.retry = model::curator::ExponentialBackoffRetry{milliseconds(500), 3};
                                               options.name = name;
                                               model::curator::CuratorFramework client(sim, net, self, options);
                                               client.start();
                                               // Let the ensemble elect a leader first; Curator waits for a connection anyway.
                                               if (sim.now() < at_s(10)) sim.sleep(at_s(10) - sim.now());
                                               body(client);
                                               sim.sleep(seconds(100000));
                                             });
                                           },
                                           nullptr});
    sim.start(pid);
  }

  sim::Simulation sim;
  sim::Network net;
  sim::Filesystem storage;
  model::zk::Ensemble ensemble;
};

TEST(CompletedCheckpointStore, SubsumesToNumRetainedAndRecoversTheLatest) {
  StoreWorld w(1);
  std::vector<AddOutcome> added;
  model::flink::RecoverResult recovered;
  w.jobmanager("jm1", [&](model::curator::CuratorFramework& client) {
    model::flink::CompletedCheckpointStore store(client, w.storage, w.store_options("uuid-a", model::flink::Mutant::kNone));
    for (std::int64_t id = 1; id <= 3; id++) {
      added.push_back(store.add(id, "metadata-" + std::to_string(id)));
      EXPECT_TRUE(store.subsume());
    }
  });
  w.sim.run_until(at_s(20));
  w.jobmanager("jm2", [&](model::curator::CuratorFramework& client) {
    model::flink::CompletedCheckpointStore store(client, w.storage, w.store_options("uuid-b", model::flink::Mutant::kNone));
    recovered = store.recover();
  });
  w.sim.run_until(at_s(40));
  EXPECT_EQ(added, (std::vector<AddOutcome>{AddOutcome::kAdded, AddOutcome::kAdded, AddOutcome::kAdded}));
  ASSERT_EQ(recovered.outcome, RecoverOutcome::kRecovered);
  ASSERT_EQ(recovered.checkpoints.size(), 1u);
  EXPECT_EQ(recovered.checkpoints[0].id, 3);
  EXPECT_EQ(recovered.checkpoints[0].metadata, "metadata-3");
  // Subsumed checkpoints took their files with them: one metadata file is left.
  int files = 0;
  for (const auto& path : w.storage.paths()) files += path.find("completedCheckpoint") != std::string::npos;
  EXPECT_EQ(files, 1);
  w.sim.shutdown();
}

TEST(CompletedCheckpointStore, ALockHeldByAnotherInstanceKeepsPointerAndFile) {
  StoreWorld w(2);
  bool removed = true;
  w.jobmanager("jm1", [&](model::curator::CuratorFramework& client) {
    model::flink::CompletedCheckpointStore store(client, w.storage, w.store_options("uuid-a", model::flink::Mutant::kNone));
    ASSERT_EQ(store.add(1, "m1"), AddOutcome::kAdded);
    client.sim().sleep(seconds(10));  // meanwhile jm2 recovers and locks checkpoint 1
    removed = store.release_and_try_remove(1);
  });
  w.jobmanager("jm2", [&](model::curator::CuratorFramework& client) {
    client.sim().sleep(seconds(3));
    model::flink::CompletedCheckpointStore store(client, w.storage, w.store_options("uuid-b", model::flink::Mutant::kNone));
    EXPECT_EQ(store.recover().outcome, RecoverOutcome::kRecovered);
  });
  w.sim.run_until(at_s(40));
  EXPECT_FALSE(removed);  // locks was NotEmpty
  int files = 0;
  for (const auto& path : w.storage.paths()) files += path.find("completedCheckpoint") != std::string::npos;
  EXPECT_EQ(files, 1);
  w.sim.shutdown();
}

// The multi commits, its reply is lost with the connection, Curator retries on another server
// and gets NodeExists. Fixed Flink takes that as its own success; with FLINK-24543 it takes it as
// a failure and discards the file while the pointer stays, so the next recovery fails.
void lose_the_commit_reply(model::flink::Mutant mutant, AddOutcome& outcome, RecoverOutcome& recovery,
                           std::int64_t& multi_attempts) {
  StoreWorld w(3);
  w.jobmanager("jm1", [&](model::curator::CuratorFramework& client) {
    model::flink::CompletedCheckpointStore store(client, w.storage, w.store_options("uuid-a", mutant));
    ASSERT_EQ(store.ensure_root(), model::zk::Code::Ok);
    const auto server = client.connected_server();
    ASSERT_TRUE(server.has_value());
    for (int i = 0; i < w.ensemble.size(); i++) {
      if (w.ensemble.pid(i) == *server) w.ensemble.drop_next_write_reply(i);
    }
    outcome = store.add(1, "m1");
  });
  w.sim.run_until(at_s(30));
  w.jobmanager("jm2", [&](model::curator::CuratorFramework& client) {
    model::flink::CompletedCheckpointStore store(client, w.storage, w.store_options("uuid-b", mutant));
    recovery = store.recover().outcome;
  });
  w.sim.run_until(at_s(60));
  // The fault hit the multi itself: it was sent more than once.
  for (const auto& event : w.sim.trace().events()) {
    if (const auto* attempts = event.int_field("attempts")) multi_attempts = *attempts;
  }
  bool dropped = false;
  for (const auto& event : w.sim.trace().events()) dropped |= event.name == "fault-drop-reply";
  EXPECT_TRUE(dropped);
  w.sim.shutdown();
}

// Deletes `path` and everything under it, as the job's global cleanup deletes the job's znode.
bool delete_tree(model::curator::CuratorFramework& client, const std::string& path, int depth_left = 6) {
  if (depth_left == 0) return false;
  const auto children = client.get_children(path);
  if (children.code == model::zk::Code::NoNode) return true;
  if (children.code != model::zk::Code::Ok) return false;
  for (const auto& child : children.children) {
    if (!delete_tree(client, path + "/" + child, depth_left - 1)) return false;
  }
  const auto removed = client.remove(path);
  return removed == model::zk::Code::Ok || removed == model::zk::Code::NoNode;
}

bool znode_exists(StoreWorld& w, const std::string& path) {
  const int leader = w.ensemble.leader();
  return leader >= 0 && w.ensemble.server(leader)->tree().stat(path).has_value();
}

// The store's root is ensured when the store is created (recovered), never again: a stale term's
// store whose job another JobManager cleaned up meanwhile fails its next add instead of
// re-creating the job's znode with a checkpoint nobody will ever clean up (explore-5zk-5jm 837).
TEST(CompletedCheckpointStore, AStoreWhoseJobWasCleanedUpDoesNotBringItsZnodeBack) {
  StoreWorld w(8);
  std::vector<AddOutcome> added;
  bool deleted = false;
  w.jobmanager("jm1", [&](model::curator::CuratorFramework& client) {
    model::flink::CompletedCheckpointStore store(client, w.storage, w.store_options("uuid-a", model::flink::Mutant::kNone));
    ASSERT_EQ(store.recover().outcome, RecoverOutcome::kRecovered);
    client.sim().sleep(seconds(10));  // meanwhile the job is cleaned up, before this term's first add
    added.push_back(store.add(1, "metadata-1"));
  });
  w.jobmanager("jm2", [&](model::curator::CuratorFramework& client) {
    client.sim().sleep(seconds(5));
    deleted = delete_tree(client, "/flink/default/jobs/job-1");
  });
  w.sim.run_until(at_s(40));
  ASSERT_TRUE(deleted);
  ASSERT_EQ(added.size(), 1u);
  EXPECT_NE(added[0], AddOutcome::kAdded);
  EXPECT_FALSE(znode_exists(w, "/flink/default/jobs/job-1"));
  w.sim.shutdown();
}

TEST(CompletedCheckpointStore, LostCommitReplyIsTakenAsOurOwnSuccess) {
  AddOutcome outcome = AddOutcome::kFailedFileKept;
  RecoverOutcome recovery = RecoverOutcome::kZooKeeperFailed;
  std::int64_t attempts = 0;
  lose_the_commit_reply(model::flink::Mutant::kNone, outcome, recovery, attempts);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(outcome, AddOutcome::kAdded);
  EXPECT_EQ(recovery, RecoverOutcome::kRecovered);
}

TEST(CompletedCheckpointStore, MutantFlink24543DiscardsTheFileBehindALivePointer) {
  AddOutcome outcome = AddOutcome::kAdded;
  RecoverOutcome recovery = RecoverOutcome::kRecovered;
  std::int64_t attempts = 0;
  lose_the_commit_reply(model::flink::Mutant::kFlink24543, outcome, recovery, attempts);
  EXPECT_EQ(outcome, AddOutcome::kFailedFileDiscarded);
  EXPECT_EQ(recovery, RecoverOutcome::kMissingFile);
}

}  // namespace

namespace {

TEST(CheckpointIdCounter, HandsOutConsecutiveIdsFromOne) {
  StoreWorld w(4);
  std::vector<std::optional<std::int64_t>> ids;
  w.jobmanager("jm1", [&](model::curator::CuratorFramework& client) {
    model::flink::CheckpointIdCounter counter(client, "/flink/default", "job-1");
    ASSERT_EQ(counter.start(), model::zk::Code::Ok);
    for (int i = 0; i < 3; i++) ids.push_back(counter.get_and_increment());
  });
  w.sim.run_until(at_s(30));
  EXPECT_EQ(ids, (std::vector<std::optional<std::int64_t>>{1, 2, 3}));
  w.sim.shutdown();
}

// The counter is started once per JobMaster: a restart of the job does not re-create a counter
// node that the job's cleanup deleted, so ids are never handed out again from 1 (explore seed 600).
TEST(CheckpointIdCounter, StartingAgainDoesNotRecreateADeletedCounter) {
  StoreWorld w(9);
  std::vector<std::optional<std::int64_t>> ids;
  model::zk::Code second_start = model::zk::Code::SystemError;
  w.jobmanager("jm1", [&](model::curator::CuratorFramework& client) {
    model::flink::CheckpointIdCounter counter(client, "/flink/default", "job-1");
    ASSERT_EQ(counter.start(), model::zk::Code::Ok);
    ids.push_back(counter.get_and_increment());
    ASSERT_TRUE(delete_tree(client, "/flink/default/jobs/job-1"));
    second_start = counter.start();
    ids.push_back(counter.get_and_increment());
  });
  w.sim.run_until(at_s(30));
  EXPECT_EQ(second_start, model::zk::Code::Ok);
  EXPECT_EQ(ids, (std::vector<std::optional<std::int64_t>>{1, std::nullopt}));
  EXPECT_FALSE(znode_exists(w, "/flink/default/jobs/job-1"));
  w.sim.shutdown();
}

// Two JobManagers that both believe they lead draw ids at the same time from the same cached
// value. With compare-and-set the loser re-reads and gets the next id; without it both get the
// same id: the synthetic mutant's "checkpoint id reused".
std::vector<std::int64_t> two_writers_draw(model::flink::Mutant mutant) {
  StoreWorld w(5);
  std::vector<std::int64_t> ids;
  for (const char* name : {"jm1", "jm2"}) {
    w.jobmanager(name, [&, mutant](model::curator::CuratorFramework& client) {
      model::flink::CheckpointIdCounter counter(client, "/flink/default", "job-1", mutant);
      ASSERT_EQ(counter.start(), model::zk::Code::Ok);
      client.sim().sleep(seconds(5));  // both have read the same value by now
      if (auto id = counter.get_and_increment()) ids.push_back(*id);
    });
  }
  w.sim.run_until(at_s(40));
  w.sim.shutdown();
  return ids;
}

TEST(CheckpointIdCounter, CompareAndSetNeverHandsOutAnIdTwice) {
  const auto ids = two_writers_draw(model::flink::Mutant::kNone);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_NE(ids[0], ids[1]);
}

TEST(CheckpointIdCounter, SyntheticMutantWithoutCasReusesAnId) {
  const auto ids = two_writers_draw(model::flink::Mutant::kSyntheticCounterWithoutCas);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], ids[1]);
}

// A blip: the JobManager is cut off past its read timeout but within its session timeout, so
// Curator goes SUSPENDED then RECONNECTED. Fixed, the counter works again; with FLINK-14091 it
// refuses forever.
std::optional<std::int64_t> draw_after_a_blip(model::flink::Mutant mutant) {
  StoreWorld w(6);
  std::optional<std::int64_t> after;
  sim::ProcessId jm = sim::kNoProcess;
  w.jobmanager("jm1", [&, mutant](model::curator::CuratorFramework& client) {
    jm = client.owner();
    model::flink::CheckpointIdCounter counter(client, "/flink/default", "job-1", mutant);
    ASSERT_EQ(counter.start(), model::zk::Code::Ok);
    EXPECT_EQ(counter.get_and_increment(), std::optional<std::int64_t>(1));
    client.sim().sleep(seconds(30));  // the blip happens at 15-23 s
    after = counter.get_and_increment();
  });
  w.sim.run_until(at_s(15));
  w.net.isolate(jm);
  w.sim.run_until(at_s(23));
  w.net.heal();
  w.sim.run_until(at_s(60));
  bool suspended = false;
  for (const auto& event : w.sim.trace().events()) suspended |= event.name == "SUSPENDED";
  EXPECT_TRUE(suspended);
  w.sim.shutdown();
  return after;
}

TEST(CheckpointIdCounter, WorksAgainAfterABlip) {
  EXPECT_EQ(draw_after_a_blip(model::flink::Mutant::kNone), std::optional<std::int64_t>(2));
}

TEST(CheckpointIdCounter, MutantFlink14091RefusesForeverAfterABlip) {
  EXPECT_EQ(draw_after_a_blip(model::flink::Mutant::kFlink14091), std::nullopt);
}

}  // namespace

namespace {

// Global cleanup cannot remove a job graph another JobManager still has locked; once that one
// releases its lock (local cleanup), it can.
TEST(JobGraphStore, GlobalCleanupWaitsForEveryLockToGo) {
  StoreWorld w(7);
  bool first_cleanup = true, second_cleanup = false;
  model::flink::StateRead seen;
  w.jobmanager("jm1", [&](model::curator::CuratorFramework& client) {
    model::flink::JobGraphStore store(client, w.storage, "/flink/default", "hdfs:///flink/ha", "/default", "uuid-a");
    ASSERT_EQ(store.put("job-1", "graph-1"), model::flink::AddOutcome::kAdded);
    client.sim().sleep(seconds(5));  // jm2 recovers (and locks) the graph
    first_cleanup = store.global_cleanup("job-1");
    client.sim().sleep(seconds(10));  // jm2 releases its lock
    second_cleanup = store.global_cleanup("job-1");
  });
  w.jobmanager("jm2", [&](model::curator::CuratorFramework& client) {
    client.sim().sleep(seconds(2));
    model::flink::JobGraphStore store(client, w.storage, "/flink/default", "hdfs:///flink/ha", "/default", "uuid-b");
    seen = store.recover("job-1");
    client.sim().sleep(seconds(8));
    EXPECT_EQ(store.local_cleanup("job-1"), model::zk::Code::Ok);
  });
  w.sim.run_until(at_s(60));
  EXPECT_EQ(seen.outcome, model::flink::ReadOutcome::kRead);
  EXPECT_EQ(seen.bytes, "graph-1");
  EXPECT_FALSE(first_cleanup);
  EXPECT_TRUE(second_cleanup);
  for (const auto& path : w.storage.paths()) EXPECT_EQ(path.find("submittedJobGraph"), std::string::npos) << path;
  w.sim.shutdown();
}

}  // namespace
