// The Flink cluster model end to end: failover, checkpoints resuming, the job lifecycle and its
// cleanup order, fencing, heartbeats, the supervisor, and tolerate-suspended-connections.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "model/flink/completed_checkpoint_store.hpp"
#include "model/flink/rpc.hpp"
#include "tests/model/flink_cluster_fixture.hpp"

namespace {

using flink_test::World;
using sim::Instant;
using sim::seconds;

const std::string kNs = "/flink/standard";

// [grant, revoke or crash) per JobManager, from the trace.
struct Interval {
  std::string jm;
  Instant from, to;
};
std::vector<Interval> believed_leadership(World& world) {
  std::vector<Interval> done;
  std::map<std::string, Instant> open;
  for (const auto& event : world.sim.trace().events()) {
    const bool grant = event.category == "flink" && event.name == "grant";
    const bool end = (event.category == "flink" && event.name == "revoke") || (event.category == "proc" && event.name == "crash");
    if (grant) open[event.process] = event.at;
    if (end && open.count(event.process) != 0) {
      done.push_back({event.process, open[event.process], event.at});
      open.erase(event.process);
    }
  }
  for (const auto& [jm, from] : open) done.push_back({jm, from, world.sim.now()});
  return done;
}

std::int64_t last_completed_before(World& world, Instant at) {
  std::int64_t last = 0;
  for (const auto* event : world.events("checkpoint-completed")) {
    if (event->at < at) last = std::max(last, *event->int_field("checkpoint_id"));
  }
  return last;
}

bool znode_exists(World& world, const std::string& path) {
  const int leader = world.ensemble.leader();
  return leader >= 0 && world.ensemble.server(leader)->tree().stat(path).has_value();
}

// Runs until an event of that name appears (at most `limit`), in 10 ms steps.
bool run_until_event(World& world, const std::string& name, sim::Duration limit) {
  const Instant deadline = world.sim.now() + limit;
  while (world.sim.now() < deadline) {
    if (!world.events(name).empty()) return true;
    world.run_for(sim::milliseconds(10));
  }
  return !world.events(name).empty();
}

void isolate_from_zookeeper(World& world, sim::ProcessId process) {
  for (const sim::ProcessId zk : world.ensemble.pids()) {
    world.net.cut(process, zk);
    world.net.cut(zk, process);
  }
}
void reconnect_to_zookeeper(World& world, sim::ProcessId process) {
  for (const sim::ProcessId zk : world.ensemble.pids()) world.net.heal(process, zk);
}

// The standard scenario of the Flink-model issue: 10 simulated minutes, the leader killed every
// 60 s and brought back by the supervisor as a standby.
TEST(FlinkCluster, StandardScenarioFailsOverToOneLeaderAndResumesCheckpoints) {
  for (std::uint64_t seed = 1; seed <= 3; seed++) {
    World world(seed);
    std::vector<Instant> kills;
    for (int minute = 1; minute <= 8; minute++) {
      world.sim.run_until(Instant{} + seconds(60 * minute));
      const auto leader = world.cluster.believed_leader();
      ASSERT_TRUE(leader.has_value()) << "seed " << seed << " minute " << minute;
      world.sim.crash(world.jm(*leader));
      kills.push_back(world.sim.now());
    }
    world.sim.run_until(Instant{} + seconds(600));

    // Never two believed leaders at once: kills leave no overlap.
    const auto intervals = believed_leadership(world);
    for (std::size_t i = 0; i < intervals.size(); i++) {
      for (std::size_t j = i + 1; j < intervals.size(); j++) {
        const bool overlap = intervals[i].from < intervals[j].to && intervals[j].from < intervals[i].to;
        EXPECT_FALSE(overlap) << "seed " << seed << ": " << intervals[i].jm << " and " << intervals[j].jm;
      }
    }
    // After every kill: a new Dispatcher confirmed within 30 s, and a restore from >= the last commit.
    for (const Instant kill : kills) {
      const auto confirms = world.events("confirm");
      const bool confirmed = std::any_of(confirms.begin(), confirms.end(), [&](const sim::TraceEvent* e) {
        return *e->string_field("component") == "dispatcher" && e->at > kill && e->at < kill + seconds(30);
      });
      EXPECT_TRUE(confirmed) << "seed " << seed << " kill at " << kill.to_ms() << " ms";
    }
    for (const auto* restored : world.events("job-restored")) {
      EXPECT_GE(*restored->int_field("checkpoint_id"), last_completed_before(world, restored->at)) << "seed " << seed;
    }
    // Checkpoints completed after the last failover, with ids never reused.
    auto ids = world.checkpoint_ids("checkpoint-completed");
    EXPECT_GT(last_completed_before(world, Instant{} + seconds(600)), last_completed_before(world, kills.back() + seconds(1)));
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end()) << "seed " << seed;
    EXPECT_GT(ids.size(), 400u);  // ~1 per second outside the failovers
  }
}

TEST(FlinkCluster, TraceShowsTheZnodeLayoutOfTheFactsFile) {
  World world(7);
  world.run_for(seconds(30));
  const auto latch_nodes = [&] {
    std::vector<std::string> paths;
    for (const auto& e : world.sim.trace().events()) {
      if (e.category == "curator" && e.name == "latch-node") paths.push_back(*e.string_field("path"));
    }
    return paths;
  }();
  ASSERT_EQ(latch_nodes.size(), 3u);
  for (const auto& path : latch_nodes) {
    EXPECT_EQ(path.rfind(kNs + "/leader/latch/_c_", 0), 0u) << path;
    EXPECT_NE(path.find("-latch-"), std::string::npos) << path;
  }
  for (const char* component : {"dispatcher", "resource_manager", "job-job-1"}) {
    EXPECT_TRUE(znode_exists(world, kNs + "/leader/" + component + "/connection_info")) << component;
  }
  EXPECT_TRUE(znode_exists(world, kNs + "/execution-plans/job-1"));
  EXPECT_TRUE(znode_exists(world, kNs + "/jobs/job-1/checkpoint_id_counter"));
  const auto added = world.events("checkpoint-added");
  ASSERT_FALSE(added.empty());
  const std::string pointer = *added.back()->string_field("path");
  EXPECT_EQ(pointer.rfind(kNs + "/jobs/job-1/checkpoints/", 0), 0u);
  EXPECT_EQ(pointer.size() - (kNs + "/jobs/job-1/checkpoints/").size(), 19u);  // %019d
  EXPECT_EQ(added.back()->string_field("file")->rfind("/flink/ha/standard/completedCheckpoint", 0), 0u);
  EXPECT_TRUE(znode_exists(world, pointer + "/locks"));
}

void expect_cleaned_up(World& world, const std::string& status) {
  const auto terminal = world.events("job-terminal");
  ASSERT_EQ(terminal.size(), 1u);
  EXPECT_EQ(*terminal[0]->string_field("status"), status);
  ASSERT_EQ(world.events("job-cleanup-done").size(), 1u);
  EXPECT_FALSE(znode_exists(world, kNs + "/jobs/job-1"));
  EXPECT_FALSE(znode_exists(world, kNs + "/execution-plans/job-1"));
  for (const std::string& path : world.storage.paths()) {
    EXPECT_EQ(path.find("completedCheckpoint"), std::string::npos) << path;
    EXPECT_EQ(path.find("submittedJobGraph"), std::string::npos) << path;
    EXPECT_EQ(path.find("_DIRTY"), std::string::npos) << path;
  }
  // Order: dirty entry, then checkpoints, then the job graph; nothing runs after.
  const Instant terminal_at = terminal[0]->at;
  for (const auto* removed : world.events("job-graph-removed")) EXPECT_GT(removed->at, terminal_at);
  for (const auto* running : world.events("job-running")) EXPECT_LT(running->at, terminal_at);
}

// The job's end scheduled at 20-30 s; the run lasts 60 s.
void run_job_to_its_end(std::uint64_t seed, void (*schedule)(model::flink::JobSchedule&), const std::string& status) {
  auto options = flink_test::standard_options();
  schedule(options.jobs[0]);
  World world(seed, options);
  world.run_for(seconds(60));
  expect_cleaned_up(world, status);
}

TEST(FlinkCluster, FinishedJobIsRecordedThenCleanedUp) {
  run_job_to_its_end(3, [](model::flink::JobSchedule& job) { job.finish_at = seconds(30); }, "FINISHED");
}

TEST(FlinkCluster, CancelledJobIsRecordedThenCleanedUp) {
  run_job_to_its_end(4, [](model::flink::JobSchedule& job) { job.cancel_at = seconds(20); }, "CANCELED");
}

TEST(FlinkCluster, FailedJobIsRecordedThenCleanedUp) {
  run_job_to_its_end(5, [](model::flink::JobSchedule& job) { job.fail_at = seconds(20); }, "FAILED");
}

// A crash between the dirty entry and the end of cleanup: the next leader finishes the cleanup
// and never runs the job again.
TEST(FlinkCluster, NewLeaderResumesCleanupOfADirtyJobInsteadOfRunningIt) {
  auto options = flink_test::standard_options();
  options.jobs[0].finish_at = seconds(30);
  World world(6, options);
  ASSERT_TRUE(run_until_event(world, "job-terminal", seconds(60)));
  world.sim.crash(world.jm(*world.cluster.believed_leader()));
  world.run_for(seconds(60));
  const auto terminal_at = world.events("job-terminal")[0]->at;
  EXPECT_EQ(world.events("job-cleanup-resumed").size(), 1u);
  for (const auto* running : world.events("job-running")) EXPECT_LT(running->at, terminal_at);
  for (const auto* recovered : world.events("job-recovered")) EXPECT_LT(recovered->at, terminal_at);
  EXPECT_FALSE(znode_exists(world, kNs + "/execution-plans/job-1"));
  EXPECT_FALSE(znode_exists(world, kNs + "/jobs/job-1"));
}

// A ZooKeeper blip revokes the leader while its slow storage is still writing a FINISHED job's
// dirty entry; the same JobManager regains leadership at once. Its next leader term starts only
// after the previous one's entry write ended (DefaultDispatcherRunner, Dispatcher.onStop), so it
// finds the entry, finishes the cleanup and never runs the job again (explore seed 143).
TEST(FlinkCluster, ARegainedTermWaitsForThePreviousTermsResultWrite) {
  auto options = flink_test::standard_options();
  options.jobs[0].finish_at = seconds(30);
  World world(6, options);
  ASSERT_TRUE(run_until_event(world, "job-running", seconds(30)));
  world.when(World::flink_event("job-ended"), [&world] { world.storage.set_slow(seconds(5)); });
  ASSERT_TRUE(run_until_event(world, "job-ended", seconds(40)));
  const auto ended_at = world.events("job-ended")[0]->at;
  const int leader = *world.cluster.believed_leader();
  world.run_for(sim::milliseconds(500));  // the entry's create is under way
  ASSERT_TRUE(world.events("job-terminal").empty());
  isolate_from_zookeeper(world, world.jm(leader));
  world.run_for(seconds(8));  // past the read timeout (2T/3): SUSPENDED revokes; within T
  reconnect_to_zookeeper(world, world.jm(leader));
  world.run_for(seconds(30));
  world.storage.clear_slow();
  world.run_for(seconds(30));
  ASSERT_EQ(world.events("revoke").size(), 1u);
  ASSERT_EQ(world.events("grant").size(), 2u);
  EXPECT_EQ(world.cluster.believed_leader(), leader);
  const auto regranted_at = world.events("grant")[1]->at;
  const auto terminal = world.events("job-terminal");
  ASSERT_FALSE(terminal.empty());
  EXPECT_GT(terminal[0]->at, regranted_at);  // the write outlived the old term
  for (const auto* recovered : world.events("job-recovered")) EXPECT_LT(recovered->at, ended_at);
  for (const auto* running : world.events("job-running")) EXPECT_LT(running->at, ended_at);
  EXPECT_EQ(world.events("job-cleanup-resumed").size(), 1u);
  EXPECT_FALSE(znode_exists(world, kNs + "/execution-plans/job-1"));
  EXPECT_FALSE(znode_exists(world, kNs + "/jobs/job-1"));
}

// SUSPENDED (tolerate off) revokes: the job is suspended with its HA data intact, and the same
// JobManager, whose latch node survived, leads again and restores the latest checkpoint.
TEST(FlinkCluster, ZooKeeperBlipSuspendsTheJobAndKeepsItsHaData) {
  World world(8);
  world.run_for(seconds(30));
  const int leader = *world.cluster.believed_leader();
  const std::int64_t before = last_completed_before(world, world.sim.now());
  isolate_from_zookeeper(world, world.jm(leader));
  world.run_for(seconds(8));  // < the 10 s session timeout
  EXPECT_EQ(world.events("revoke").size(), 1u);
  reconnect_to_zookeeper(world, world.jm(leader));
  ASSERT_TRUE(run_until_event(world, "job-suspended", seconds(20)));
  // Suspended, not cleaned up: the latest checkpoint's pointer and file are still there.
  const std::string pointer = kNs + "/jobs/job-1/checkpoints/" + model::flink::checkpoint_node_name(before);
  EXPECT_TRUE(znode_exists(world, pointer));
  EXPECT_TRUE(znode_exists(world, kNs + "/execution-plans/job-1"));
  world.run_for(seconds(20));
  EXPECT_EQ(world.cluster.believed_leader(), leader);
  const auto restored = world.events("job-restored");
  ASSERT_GE(restored.size(), 2u);
  EXPECT_GE(*restored.back()->int_field("checkpoint_id"), before);
  EXPECT_GT(last_completed_before(world, world.sim.now()), before);
}

TEST(FlinkCluster, TolerateSuspendedConnectionsKeepsLeadershipThroughABlip) {
  auto options = flink_test::standard_options();
  options.config.zookeeper_client.tolerate_suspended_connections = true;
  World world(8, options);
  world.run_for(seconds(30));
  const int leader = *world.cluster.believed_leader();
  isolate_from_zookeeper(world, world.jm(leader));
  world.run_for(seconds(8));
  reconnect_to_zookeeper(world, world.jm(leader));
  world.run_for(seconds(20));
  EXPECT_TRUE(world.events("revoke").empty());
  EXPECT_TRUE(world.events("job-suspended").empty());
  EXPECT_EQ(world.events("grant").size(), 1u);
}

// A TaskManager killed: its JobMaster notices after heartbeat.timeout and restarts the job from
// the latest checkpoint; the supervisor brings the TaskManager back.
TEST(FlinkCluster, LostTaskManagerRestartsTheJobAfterTheHeartbeatTimeout) {
  World world(9);
  world.run_for(seconds(30));
  world.sim.crash(world.cluster.taskmanagers()[0]);
  const Instant killed = world.sim.now();
  world.run_for(seconds(40));
  const auto restarting = world.events("job-restarting");
  ASSERT_FALSE(restarting.empty());
  const sim::Duration noticed = restarting[0]->at - killed;
  EXPECT_GE(noticed, seconds(10));                       // heartbeat.timeout
  EXPECT_LE(noticed, seconds(10) + seconds(2) + seconds(1));  // + one heartbeat interval
  EXPECT_EQ(world.sim.process_state(world.cluster.taskmanagers()[0]), sim::ProcessState::kUp);
  EXPECT_GT(last_completed_before(world, world.sim.now()), last_completed_before(world, restarting[0]->at));
}

// A leader paused past its session expiry: TaskManagers follow the new leader and nothing of the
// old session is accepted once the new JobMaster has confirmed.
TEST(FlinkCluster, PausedLeaderIsFencedOffAfterANewLeaderConfirms) {
  for (std::uint64_t seed = 1; seed <= 5; seed++) {
    World world(seed);
    world.run_for(seconds(30));
    const int leader = *world.cluster.believed_leader();
    const std::string old_session = *world.events("grant").back()->string_field("session_id");
    world.sim.pause(world.jm(leader));
    world.run_for(seconds(25));
    world.sim.resume(world.jm(leader));
    world.run_for(seconds(30));
    Instant new_confirm = Instant{} + seconds(100000);
    for (const auto* confirm : world.events("confirm")) {
      if (*confirm->string_field("component") == "job-job-1" && *confirm->string_field("session_id") != old_session) {
        new_confirm = std::min(new_confirm, confirm->at);
      }
    }
    ASSERT_LT(new_confirm, world.sim.now()) << "seed " << seed;
    for (const auto* accept : world.events("tm-accept")) {
      if (*accept->string_field("session_id") == old_session) {
        EXPECT_LT(accept->at, new_confirm) << "seed " << seed;
      }
    }
    for (const auto* completed : world.events("checkpoint-completed")) {
      if (*completed->string_field("session_id") == old_session) {
        EXPECT_LT(completed->at, new_confirm) << "seed " << seed;
      }
    }
    // The old leader learns it lost only after it resumes (Disconnected, then expiry).
    const auto revokes = world.events("revoke");
    ASSERT_FALSE(revokes.empty());
    EXPECT_GE(revokes[0]->at, Instant{} + seconds(55));
  }
}

TEST(FlinkCluster, SupervisorBringsAKilledJobManagerBackAsAStandby) {
  World world(10);
  world.run_for(seconds(20));
  const int leader = *world.cluster.believed_leader();
  const int standby = (leader + 1) % 3;
  world.sim.crash(world.jm(standby));
  world.run_for(seconds(10));
  EXPECT_EQ(world.sim.process_state(world.jm(standby)), sim::ProcessState::kUp);
  EXPECT_EQ(world.events("supervisor-restart").size(), 1u);
  world.run_for(seconds(30));
  EXPECT_EQ(world.cluster.believed_leader(), leader);
  EXPECT_EQ(world.events("grant").size(), 1u);
  EXPECT_EQ(world.cluster.zookeeper_leader(), leader);
}

TEST(FlinkCluster, SameSeedSameTrace) {
  std::uint64_t hashes[2];
  for (auto& hash : hashes) {
    World world(11);
    world.run_for(seconds(60));
    world.sim.crash(world.jm(*world.cluster.believed_leader()));
    world.run_for(seconds(60));
    hash = world.sim.trace().hash();
  }
  EXPECT_EQ(hashes[0], hashes[1]);
}

}  // namespace

// --- RPC over a partition (triage G6 a/b): Pekko classic remoting rides TCP and Flink disables
// its transport failure detector, so a message sent during a short cut is retransmitted and
// arrives after the heal, in order; only a restarted peer loses what was sent to its old life. ---
namespace rpc_test {

struct Endpoints {
  explicit Endpoints(std::uint64_t seed)
      : sim(sim::SimConfig{seed, {}}),
        net(sim, sim::NetworkConfig{sim::LatencyModel::uniform(sim::microseconds(200), sim::milliseconds(2)),
                                    sim::milliseconds(1), 10000}),
        rpc(sim, net, "rpc-test") {
    sender = sim.add_process("jm1", {[](sim::ProcessId) {}, nullptr});
    receiver = sim.add_process("tm1", {[this](sim::ProcessId pid) {
                                         inbox = sim.mailbox_open(pid, 4096);
                                         rpc.bind("tm1", pid, inbox);
                                         sim.spawn(pid, "receive", [this] {
                                           for (;;) {
                                             const auto mail = sim.receive(inbox);
                                             const auto* message = sim::payload_as<model::flink::RpcMessage>(*mail);
                                             received.push_back({sim.now(), message->checkpoint_id});
                                           }
                                         });
                                       },
                                       nullptr});
    sim.start(sender);
    sim.start(receiver);
    sim.run_until(sim::Instant{} + sim::seconds(1));
  }
  ~Endpoints() { sim.shutdown(); }
  void send(std::int64_t n) {
    rpc.send(sender, "tm1", model::flink::rpc_message(model::flink::RpcKind::kTriggerCheckpoint, "jm1", "s", "job-1", n));
  }
  sim::Simulation sim;
  sim::Network net;
  model::flink::RpcRouter rpc;
  sim::ProcessId sender = sim::kNoProcess, receiver = sim::kNoProcess;
  sim::MailboxId inbox{};
  std::vector<std::pair<sim::Instant, std::int64_t>> received;
};

TEST(FlinkRpc, MessagesSentDuringAShortCutArriveAfterTheHealInOrder) {
  Endpoints e(1);
  e.send(1);
  e.sim.run_until(e.sim.now() + sim::seconds(1));
  e.net.cut(e.sender, e.receiver);
  e.send(2);
  e.send(3);
  e.sim.run_until(e.sim.now() + sim::seconds(4));
  EXPECT_EQ(e.received.size(), 1u);  // nothing passes the cut
  const sim::Instant healed = e.sim.now();
  e.net.heal(e.sender, e.receiver);
  e.send(4);  // queued behind the held ones: one TCP stream
  e.sim.run_until(e.sim.now() + sim::seconds(10));
  ASSERT_EQ(e.received.size(), 4u);
  for (std::size_t i = 0; i < 4; i++) EXPECT_EQ(e.received[i].second, static_cast<std::int64_t>(i + 1));
  // Retransmission back-off: 0.2 + 0.4 + ... s, so the held ones arrive within one RTO (6.4 s) of the heal.
  EXPECT_LT(e.received[1].first - healed, sim::milliseconds(6500));
  EXPECT_EQ(e.rpc.lost(), 0u);
}

TEST(FlinkRpc, ARestartedReceiverNeverSeesWhatWasSentToItsOldLife) {
  Endpoints e(2);
  e.net.cut(e.sender, e.receiver);
  e.send(1);
  e.sim.run_until(e.sim.now() + sim::seconds(2));
  e.sim.crash(e.receiver);
  e.sim.restart(e.receiver);
  e.net.heal(e.sender, e.receiver);
  e.sim.run_until(e.sim.now() + sim::seconds(10));
  EXPECT_TRUE(e.received.empty());
  EXPECT_EQ(e.rpc.lost(), 1u);
}

}  // namespace rpc_test

// --- The checkpoint trigger is an ask (triage G6): unanswered within pekko.ask.timeout (10 s) it
// aborts the pending checkpoint, so the next interval triggers a new one instead of waiting for
// the 10-minute checkpoint timeout. ---
namespace {

TEST(FlinkCluster, AnUnansweredTriggerAbortsTheCheckpointAfterTheAskTimeout) {
  model::flink::ClusterOptions options = flink_test::standard_options();
  options.config.heartbeat_timeout = sim::seconds(60);  // the TaskManager is slow, not lost
  World world(7, options);
  ASSERT_TRUE(run_until_event(world, "job-running", sim::seconds(40)));
  const sim::ProcessId tm1 = world.cluster.taskmanagers().at(0);
  std::optional<sim::Instant> paused_at;
  std::int64_t paused_checkpoint = 0;
  world.when(World::flink_event("checkpoint-triggered"), [&] {
    paused_at = world.events("checkpoint-triggered").back()->at;  // the ask was sent then
    paused_checkpoint = *world.events("checkpoint-triggered").back()->int_field("checkpoint_id");
    world.sim.pause(tm1);  // a long GC pause: the trigger is delivered, but only after 12 s
    world.sim.after(sim::seconds(12), [&world, tm1] { world.sim.resume(tm1); });
  });
  world.run_for(sim::seconds(40));
  ASSERT_TRUE(paused_at.has_value());
  const sim::TraceEvent* aborted = nullptr;
  for (const auto* event : world.events("checkpoint-aborted")) {
    if (*event->int_field("checkpoint_id") == paused_checkpoint) aborted = event;
  }
  ASSERT_NE(aborted, nullptr);
  EXPECT_EQ(*aborted->string_field("reason"), "trigger timeout on tm1");
  EXPECT_GE(aborted->at - *paused_at, sim::seconds(10));
  EXPECT_LT(aborted->at - *paused_at, sim::seconds(11));
  // Checkpointing goes on once the TaskManager is back.
  EXPECT_GT(last_completed_before(world, world.sim.now()), paused_checkpoint);
}

}  // namespace
