// Cluster-level tests of the mutants (issue 4: "each mutant has a targeted test whose
// hand-written fault schedule triggers it and shows the effect in the trace"). Every test runs
// one fault schedule twice per seed: with the mutant, where the effect must show in the trace,
// and with the correct model (Mutant::kNone), where it must not. The unit-level counterparts of
// some mutants are in flink_checkpoint_store_test.cpp and flink_leader_election_test.cpp.
//
// Seeds: each schedule runs on kSeeds. Unless a test says otherwise, the mutant must show its
// effect on every seed and the correct model on none: the schedules act on trace events (World::
// when), not on guessed instants, so the mechanism is hit whatever the latencies drawn.
//
// FLINK-34007 is not here: it is a Kubernetes-mode mutant, shown in tests/model/kubernetes_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/model/flink_cluster_fixture.hpp"

namespace {

using flink_test::World;
using model::flink::Mutant;
using sim::TraceEvent;

constexpr std::uint64_t kSeeds[] = {1, 2, 3, 4};

using Tweak = std::function<void(model::flink::ClusterOptions&)>;

std::unique_ptr<World> make_world(Mutant mutant, std::uint64_t seed, const Tweak& tweak = {}) {
  auto options = flink_test::mutant_options(mutant);
  if (tweak) tweak(options);
  return std::make_unique<World>(seed, std::move(options));
}

sim::ProcessId believed_leader(World& w) {
  const auto leader = w.cluster.believed_leader();
  EXPECT_TRUE(leader.has_value());
  return w.jm(leader.value_or(0));
}

std::string str(const TraceEvent& e, const char* key) {
  const std::string* value = e.string_field(key);
  return value ? *value : "";
}
std::int64_t num(const TraceEvent& e, const char* key) {
  const std::int64_t* value = e.int_field(key);
  return value ? *value : -1;
}

// The `flink` events named `name` from trace position `from` on that satisfy `also`.
std::vector<const TraceEvent*> find(World& w, const std::string& name, std::uint64_t from = 0,
                                    const std::function<bool(const TraceEvent&)>& also = {}) {
  std::vector<const TraceEvent*> found;
  for (const auto* e : w.events(name)) {
    if (e->seq >= from && (!also || also(*e))) found.push_back(e);
  }
  return found;
}
const TraceEvent* first(World& w, const std::string& name, std::uint64_t from = 0,
                        const std::function<bool(const TraceEvent&)>& also = {}) {
  const auto all = find(w, name, from, also);
  return all.empty() ? nullptr : all.front();
}
// The highest committed checkpoint id before trace position `before` (0 if none).
std::int64_t last_committed_before(World& w, std::uint64_t before) {
  std::int64_t last = 0;
  for (const auto* e : find(w, "checkpoint-completed")) {
    if (e->seq < before) last = std::max(last, num(*e, "checkpoint_id"));
  }
  return last;
}
std::uint64_t now_seq(World& w) { return w.sim.trace().events().size(); }

// The leader is cut from ZooKeeper for 8 s: SUSPENDED after the 2/3-session-timeout read timeout
// (about 6.7 s), reconnected with the same session (10 s timeout) when the cut heals.
constexpr sim::Duration kBlip = sim::seconds(8);

void blip_leader(World& w, sim::Duration run_before, sim::Duration run_after) {
  w.run_for(run_before);
  w.isolate_from_zookeeper(believed_leader(w));
  w.run_for(kBlip);
  w.heal();
  w.run_for(run_after);
}

// ---------------------------------------------------------------------------------------------
// FLINK-4201: revoke (ZooKeeper blip of the leader), then the regained leadership restores.
// Mutant: the suspended JobMaster's coordinator shut down with discard, so the restore finds
// nothing (id 0) although checkpoints had been committed. Correct: it restores the last one.
struct RevokeOutcome {
  std::int64_t committed = 0;  // last checkpoint-completed before the revoke
  std::int64_t restored = -1;  // first job-restored after it
  std::size_t removed_by_old_term = 0;
};

RevokeOutcome revoke_then_restore(Mutant mutant, std::uint64_t seed) {
  auto w = make_world(mutant, seed);
  blip_leader(*w, sim::seconds(20), sim::seconds(20));
  RevokeOutcome out;
  const TraceEvent* revoke = first(*w, "revoke");
  if (revoke == nullptr) return out;
  out.committed = last_committed_before(*w, revoke->seq);
  const std::string old_session = str(*revoke, "session_id");
  if (const auto* restored = first(*w, "job-restored", revoke->seq)) out.restored = num(*restored, "checkpoint_id");
  out.removed_by_old_term = find(*w, "checkpoint-removed", revoke->seq, [&](const TraceEvent& e) {
                              return str(e, "session_id") == old_session;
                            }).size();
  return out;
}

TEST(FlinkMutants, Flink4201SuspendDiscardsTheCheckpointsTheNextTermNeeds) {
  for (const std::uint64_t seed : kSeeds) {
    SCOPED_TRACE(seed);
    const RevokeOutcome bug = revoke_then_restore(Mutant::kFlink4201, seed);
    EXPECT_GT(bug.committed, 0);
    EXPECT_GT(bug.removed_by_old_term, 0u);
    EXPECT_EQ(bug.restored, 0) << "restored from nothing after committing " << bug.committed;

    const RevokeOutcome ok = revoke_then_restore(Mutant::kNone, seed);
    EXPECT_GT(ok.committed, 0);
    EXPECT_EQ(ok.removed_by_old_term, 0u);
    EXPECT_GE(ok.restored, ok.committed);
  }
}

// ---------------------------------------------------------------------------------------------
// FLINK-7783: the leader is killed; the moment the next leader's Dispatcher has read the job graph
// (job-recovered), storage becomes unavailable, so its JobMaster cannot read the checkpoint file;
// storage returns 25 s after the kill. Mutant: recovery takes the unreadable checkpoint for
// garbage and deletes its pointer during the outage, then restores from nothing. Correct: the
// recovery fails ("storage") and is retried until it restores the last committed checkpoint.
struct OutageOutcome {
  std::int64_t committed = 0;
  std::int64_t restored = -1;
  std::size_t pointers_deleted_in_outage = 0;
  std::size_t restore_failed_storage = 0;
};

OutageOutcome storage_outage_in_recovery(Mutant mutant, std::uint64_t seed) {
  auto w = make_world(mutant, seed);
  w->run_for(sim::seconds(20));
  const sim::ProcessId leader = believed_leader(*w);
  std::optional<std::uint64_t> outage_from;
  World* world = w.get();
  w->when(World::flink_event("job-recovered"), [world, &outage_from] {
    world->storage.set_unavailable();
    outage_from = world->sim.trace().events().size();
  });
  const std::uint64_t crash_at = now_seq(*w);
  w->sim.crash(leader);
  w->run_for(sim::seconds(25));
  const std::uint64_t outage_to = now_seq(*w);
  w->storage.clear_unavailable();
  w->run_for(sim::seconds(15));
  OutageOutcome out;
  out.committed = last_committed_before(*w, crash_at);
  EXPECT_TRUE(outage_from.has_value());
  if (!outage_from) return out;
  if (const auto* restored = first(*w, "job-restored", crash_at)) out.restored = num(*restored, "checkpoint_id");
  out.pointers_deleted_in_outage =
      find(*w, "checkpoint-pointer-deleted", *outage_from, [&](const TraceEvent& e) { return e.seq < outage_to; }).size();
  out.restore_failed_storage =
      find(*w, "job-restore-failed", crash_at, [](const TraceEvent& e) { return str(e, "reason") == "storage"; }).size();
  return out;
}

TEST(FlinkMutants, Flink7783RecoveryDeletesCheckpointsItCannotReadDuringAStorageOutage) {
  for (const std::uint64_t seed : kSeeds) {
    SCOPED_TRACE(seed);
    const OutageOutcome bug = storage_outage_in_recovery(Mutant::kFlink7783, seed);
    EXPECT_GT(bug.committed, 0);
    EXPECT_GT(bug.pointers_deleted_in_outage, 0u);
    EXPECT_EQ(bug.restored, 0);

    const OutageOutcome ok = storage_outage_in_recovery(Mutant::kNone, seed);
    EXPECT_GT(ok.committed, 0);
    EXPECT_EQ(ok.pointers_deleted_in_outage, 0u);
    EXPECT_GT(ok.restore_failed_storage, 0u);
    EXPECT_EQ(ok.restored, ok.committed);
  }
}

// ---------------------------------------------------------------------------------------------
// FLINK-24543: when the leader triggers a checkpoint, its ZooKeeper server is armed to drop the
// reply of the next write, which is that checkpoint's addAndLock multi: it commits, the
// connection closes, Curator retries on another server and gets NodeExists. 10 s later the leader
// is killed. tolerate-suspended-connections is on so that the lost connection does not also
// revoke the leader: with it off a fast regrant restores the echoed checkpoint before the
// discard and subsumes it, hiding the bug. Mutant: NodeExists taken for a failure, the file is
// discarded behind the live pointer, and every recovery of the next leader fails with a missing
// file. Correct: the echo is our own success, and the next leader restores the last checkpoint.
struct EchoOutcome {
  bool reply_dropped = false;
  std::size_t discarded_behind_pointer = 0;  // add-failed NODEEXISTS with file_discarded
  std::size_t missing_file_failures = 0;     // after the kill
  std::int64_t committed = 0;
  std::int64_t restored = -1;
};

EchoOutcome lost_commit_reply(Mutant mutant, std::uint64_t seed) {
  auto w = make_world(mutant, seed, [](auto& o) { o.config.zookeeper_client.tolerate_suspended_connections = true; });
  w->run_for(sim::seconds(20));
  const sim::ProcessId leader = believed_leader(*w);
  World* world = w.get();
  w->when(World::flink_event("checkpoint-triggered", w->sim.process_name(leader)), [world, leader] {
    const auto server = world->zookeeper_server_of(leader);
    if (server) world->ensemble.drop_next_write_reply(*server);
  });
  w->run_for(sim::seconds(10));
  const std::uint64_t crash_at = now_seq(*w);
  w->sim.crash(believed_leader(*w));
  w->run_for(sim::seconds(30));
  EchoOutcome out;
  for (const auto& e : w->sim.trace().events()) out.reply_dropped |= e.name == "fault-drop-reply";
  out.discarded_behind_pointer = find(*w, "checkpoint-add-failed", 0, [](const TraceEvent& e) {
                                   return str(e, "reason") == "NODEEXISTS" && num(e, "file_discarded") == 1;
                                 }).size();
  out.missing_file_failures =
      find(*w, "job-restore-failed", crash_at, [](const TraceEvent& e) { return str(e, "reason") == "missing-file"; }).size();
  out.committed = last_committed_before(*w, crash_at);
  if (const auto* restored = first(*w, "job-restored", crash_at)) out.restored = num(*restored, "checkpoint_id");
  return out;
}

TEST(FlinkMutants, Flink24543DiscardsTheFileBehindALivePointerAndRecoveryFails) {
  for (const std::uint64_t seed : kSeeds) {
    SCOPED_TRACE(seed);
    const EchoOutcome bug = lost_commit_reply(Mutant::kFlink24543, seed);
    EXPECT_TRUE(bug.reply_dropped);
    EXPECT_EQ(bug.discarded_behind_pointer, 1u);
    EXPECT_GE(bug.missing_file_failures, 3u);
    EXPECT_EQ(bug.restored, -1) << "no recovery may succeed while the pointer's file is gone";

    const EchoOutcome ok = lost_commit_reply(Mutant::kNone, seed);
    EXPECT_TRUE(ok.reply_dropped);
    EXPECT_EQ(ok.discarded_behind_pointer, 0u);
    EXPECT_EQ(ok.missing_file_failures, 0u);
    EXPECT_EQ(ok.restored, ok.committed);
  }
}

// ---------------------------------------------------------------------------------------------
// A finished job must never run again: no job-recovered / job-running of it after job-terminal.
struct RerunOutcome {
  bool terminal = false;
  std::size_t recovered_after = 0;
  std::size_t running_after = 0;
  std::size_t cleanup_resumed = 0;
  std::int64_t committed = 0;   // before the terminal event
  std::int64_t restored_after = -1;
};

RerunOutcome rerun_outcome(World& w) {
  RerunOutcome out;
  const TraceEvent* terminal = first(w, "job-terminal");
  if (terminal == nullptr) return out;
  out.terminal = true;
  out.recovered_after = find(w, "job-recovered", terminal->seq).size();
  out.running_after = find(w, "job-running", terminal->seq).size();
  out.cleanup_resumed = find(w, "job-cleanup-resumed", terminal->seq).size();
  out.committed = last_committed_before(w, terminal->seq);
  if (const auto* restored = first(w, "job-restored", terminal->seq)) out.restored_after = num(*restored, "checkpoint_id");
  return out;
}

// FLINK-10011: the leader is cut from ZooKeeper for 8 s at 20 s (revoked, its session survives;
// this mutant also runs the Curator 2.x latch, which re-queues on RECONNECTED, so leadership
// moves); the job finishes at 40 s under the new leader; that leader is killed at 55 s. Mutant:
// the deposed Dispatcher kept its job graph lock, the finished job's graph could not be deleted,
// and the next leader runs the job again. Correct: the graph is gone and nothing runs again.
TEST(FlinkMutants, Flink10011DeposedLeaderKeepsTheGraphLockAndTheFinishedJobRunsAgain) {
  auto scenario = [](Mutant mutant, std::uint64_t seed) {
    auto w = make_world(mutant, seed, [](auto& o) { o.jobs[0].finish_at = sim::seconds(40); });
    blip_leader(*w, sim::seconds(20), sim::seconds(27));
    w->sim.crash(believed_leader(*w));
    w->run_for(sim::seconds(30));
    return rerun_outcome(*w);
  };
  for (const std::uint64_t seed : kSeeds) {
    SCOPED_TRACE(seed);
    const RerunOutcome bug = scenario(Mutant::kFlink10011, seed);
    EXPECT_TRUE(bug.terminal);
    EXPECT_GT(bug.recovered_after, 0u);
    EXPECT_GT(bug.running_after, 0u);

    const RerunOutcome ok = scenario(Mutant::kNone, seed);
    EXPECT_TRUE(ok.terminal);
    EXPECT_EQ(ok.recovered_after, 0u);
    EXPECT_EQ(ok.running_after, 0u);
  }
}

// FLINK-10255: the job finishes at 20 s, the leader is killed at 30 s. Mutant: the standbys
// locked the job graph when it was added, so global cleanup left it and the next leader runs the
// finished job again. Correct: the graph is deleted and the next leader runs nothing.
TEST(FlinkMutants, Flink10255StandbyLocksTheGraphAndTheFinishedJobRunsAgain) {
  auto scenario = [](Mutant mutant, std::uint64_t seed) {
    auto w = make_world(mutant, seed, [](auto& o) { o.jobs[0].finish_at = sim::seconds(20); });
    w->run_for(sim::seconds(30));
    w->sim.crash(believed_leader(*w));
    w->run_for(sim::seconds(30));
    return rerun_outcome(*w);
  };
  for (const std::uint64_t seed : kSeeds) {
    SCOPED_TRACE(seed);
    const RerunOutcome bug = scenario(Mutant::kFlink10255, seed);
    EXPECT_TRUE(bug.terminal);
    EXPECT_GT(bug.recovered_after, 0u);
    EXPECT_GT(bug.running_after, 0u);

    const RerunOutcome ok = scenario(Mutant::kNone, seed);
    EXPECT_TRUE(ok.terminal);
    EXPECT_EQ(ok.recovered_after, 0u);
    EXPECT_EQ(ok.running_after, 0u);
  }
}

// FLINK-21979: the job finishes at 20 s; the leader is killed the moment its cleanup has removed
// a checkpoint (after job-terminal), before the job graph goes. Mutant (pre-1.15 lifecycle, no
// JobResultStore): the next leader finds the graph, runs the finished job again, from no
// checkpoint. Correct: the dirty JobResultStore entry makes the next leader only finish the cleanup.
TEST(FlinkMutants, Flink21979CrashBetweenCheckpointAndGraphCleanupRerunsTheJobWithoutState) {
  auto scenario = [](Mutant mutant, std::uint64_t seed) {
    auto w = make_world(mutant, seed, [](auto& o) { o.jobs[0].finish_at = sim::seconds(20); });
    w->run_for(sim::seconds(15));
    const sim::ProcessId leader = believed_leader(*w);
    World* world = w.get();
    w->when(
        [world](const TraceEvent& e) {
          return e.category == "flink" && e.name == "checkpoint-removed" && !world->events("job-terminal").empty();
        },
        [world, leader] { world->sim.crash(leader); });
    w->run_for(sim::seconds(40));
    return rerun_outcome(*w);
  };
  for (const std::uint64_t seed : kSeeds) {
    SCOPED_TRACE(seed);
    const RerunOutcome bug = scenario(Mutant::kFlink21979, seed);
    EXPECT_TRUE(bug.terminal);
    EXPECT_GT(bug.committed, 0);
    EXPECT_GT(bug.recovered_after, 0u);
    EXPECT_GT(bug.running_after, 0u);
    EXPECT_EQ(bug.restored_after, 0) << "re-run without its checkpoints";

    const RerunOutcome ok = scenario(Mutant::kNone, seed);
    EXPECT_TRUE(ok.terminal);
    EXPECT_EQ(ok.recovered_after, 0u);
    EXPECT_EQ(ok.running_after, 0u);
    EXPECT_EQ(ok.cleanup_resumed, 1u);
  }
}

// FLINK-19816: the job finishes at 30 s; right after the last checkpoint before it completes,
// the leader is cut from ZooKeeper for 8 s, so the JobMaster ends FINISHED while the revoke
// comes. Mutant: the finishing JobMaster discarded the checkpoints itself, the Dispatcher no
// longer leading drops the result and keeps the graph, and the regained term runs the job again
// from nothing. Correct: checkpoints kept until the result is recorded; the re-run term restores
// the last committed checkpoint.
// Seeds: the old JobMaster's discard races the new term's recovery, which may lock the checkpoint
// first (then it survives). The mutant must show the effect on at least one seed; the correct
// model on none.
struct FinishRaceOutcome {
  std::int64_t committed = 0;
  std::int64_t restored = -1;
  std::size_t removed_by_old_term = 0;
};

FinishRaceOutcome finish_during_revoke(Mutant mutant, std::uint64_t seed) {
  auto w = make_world(mutant, seed, [](auto& o) { o.jobs[0].finish_at = sim::seconds(30); });
  w->run_for(sim::seconds(29));
  const sim::ProcessId leader = believed_leader(*w);
  World* world = w.get();
  w->when(World::flink_event("checkpoint-completed"), [world, leader] {
    world->isolate_from_zookeeper(leader);
    world->sim.after(kBlip, [world] { world->heal(); });
  });
  w->run_for(sim::seconds(40));
  FinishRaceOutcome out;
  const TraceEvent* revoke = first(*w, "revoke");
  if (revoke == nullptr) return out;
  out.committed = last_committed_before(*w, revoke->seq);
  const std::string old_session = str(*revoke, "session_id");
  out.removed_by_old_term = find(*w, "checkpoint-removed", revoke->seq, [&](const TraceEvent& e) {
                              return str(e, "session_id") == old_session;
                            }).size();
  if (const auto* restored = first(*w, "job-restored", revoke->seq)) out.restored = num(*restored, "checkpoint_id");
  return out;
}

TEST(FlinkMutants, Flink19816FinishRacingRevokeLosesTheCheckpointsButKeepsTheGraph) {
  int shown = 0;
  for (const std::uint64_t seed : kSeeds) {
    SCOPED_TRACE(seed);
    const FinishRaceOutcome bug = finish_during_revoke(Mutant::kFlink19816, seed);
    EXPECT_GT(bug.committed, 0);
    if (bug.removed_by_old_term > 0 && bug.restored >= 0 && bug.restored < bug.committed) shown++;

    const FinishRaceOutcome ok = finish_during_revoke(Mutant::kNone, seed);
    EXPECT_GT(ok.committed, 0);
    EXPECT_EQ(ok.removed_by_old_term, 0u);
    EXPECT_EQ(ok.restored, ok.committed);
  }
  EXPECT_GT(shown, 0);
}

// ---------------------------------------------------------------------------------------------
// FLINK-19154: the leader is cut from ZooKeeper for 8 s. Mutant: the suspended job is taken for a
// FAILED one and its HA data cleaned up (job-terminal FAILED with no failure scheduled, job graph
// removed): the job is lost and never runs again. Correct: suspended, then restored from the last
// checkpoint and running again; never terminal.
TEST(FlinkMutants, Flink19154SuspendedJobIsCleanedUpAsFailed) {
  for (const std::uint64_t seed : kSeeds) {
    SCOPED_TRACE(seed);
    for (const Mutant mutant : {Mutant::kFlink19154, Mutant::kNone}) {
      auto w = make_world(mutant, seed);
      blip_leader(*w, sim::seconds(20), sim::seconds(20));
      const TraceEvent* revoke = first(*w, "revoke");
      ASSERT_NE(revoke, nullptr);
      const auto failed = find(*w, "job-terminal", 0, [](const TraceEvent& e) { return str(e, "status") == "FAILED"; });
      const auto graph_removed = find(*w, "job-graph-removed");
      const auto running_after = find(*w, "job-running", revoke->seq);
      if (mutant == Mutant::kFlink19154) {
        EXPECT_FALSE(failed.empty());
        EXPECT_FALSE(graph_removed.empty());
        EXPECT_TRUE(running_after.empty()) << "the job is lost";
      } else {
        EXPECT_TRUE(find(*w, "job-terminal").empty());
        EXPECT_TRUE(graph_removed.empty());
        EXPECT_FALSE(running_after.empty());
        const TraceEvent* restored = first(*w, "job-restored", revoke->seq);
        ASSERT_NE(restored, nullptr);
        EXPECT_GE(num(*restored, "checkpoint_id"), last_committed_before(*w, revoke->seq));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// FLINK-11400: when the leader triggers a checkpoint, storage turns slow for that checkpoint's
// file write (20 s on the operation issued in the next 100 ms) and the leader is cut from
// ZooKeeper for 8 s: it is revoked and regains leadership while the old term is still writing.
// Mutant: grant and revoke not serialized; the old term finishes the checkpoint and notifies
// "complete" (checkpoint-completed of the older session) after the newer session's confirm of
// component job-job-1. Correct: the stopped term never reports a checkpoint complete.
TEST(FlinkMutants, Flink11400OldTermCompletesACheckpointAfterTheNewTermConfirmed) {
  auto scenario = [](Mutant mutant, std::uint64_t seed) {
    auto w = make_world(mutant, seed);
    w->run_for(sim::seconds(20));
    const sim::ProcessId leader = believed_leader(*w);
    World* world = w.get();
    w->when(World::flink_event("checkpoint-triggered", w->sim.process_name(leader)), [world, leader] {
      world->storage.set_slow(sim::seconds(20));
      world->sim.after(sim::milliseconds(100), [world] { world->storage.clear_slow(); });
      world->isolate_from_zookeeper(leader);
      world->sim.after(kBlip, [world] { world->heal(); });
    });
    w->run_for(sim::seconds(40));
    // checkpoint-completed of a session after a confirm of job-job-1 with another session.
    std::size_t stale = 0;
    std::set<std::string> superseded;
    std::string current;
    for (const auto& e : w->sim.trace().events()) {
      if (e.category != "flink") continue;
      if (e.name == "confirm" && str(e, "component") == "job-job-1") {
        if (!current.empty() && current != str(e, "session_id")) superseded.insert(current);
        current = str(e, "session_id");
      }
      if (e.name == "checkpoint-completed" && superseded.count(str(e, "session_id")) != 0) stale++;
    }
    EXPECT_FALSE(superseded.empty()) << "the schedule must make a second term confirm";
    return stale;
  };
  for (const std::uint64_t seed : kSeeds) {
    SCOPED_TRACE(seed);
    EXPECT_GT(scenario(Mutant::kFlink11400, seed), 0u);
    EXPECT_EQ(scenario(Mutant::kNone, seed), 0u);
  }
}

// ---------------------------------------------------------------------------------------------
// FLINK-26284: at 20 s the leader is killed the moment the next subsumption has done its first
// deletion after the `locks` node (the pointer with the mutant, the file in the correct order).
// Mutant: the pointer is gone and the file stays forever: a leaked checkpoint file. Correct: the
// file is gone, the pointer without `locks` is skipped by recovery; no file without a pointer.
std::vector<std::string> leaked_checkpoint_files(World& w) {
  std::vector<std::string> leaked;
  const int zk_leader = w.ensemble.leader();
  const auto* server = zk_leader >= 0 ? w.ensemble.server(zk_leader) : nullptr;
  EXPECT_NE(server, nullptr);
  if (server == nullptr) return leaked;
  for (const auto* added : find(w, "checkpoint-added")) {
    const std::string file = str(*added, "file");
    if (w.storage.exists_now(file) && !server->tree().stat(str(*added, "path"))) leaked.push_back(file);
  }
  return leaked;
}

TEST(FlinkMutants, Flink26284CrashMidRemovalLeaksTheCheckpointFile) {
  auto scenario = [](Mutant mutant, std::uint64_t seed, std::string& first_step) {
    auto w = make_world(mutant, seed);
    w->run_for(sim::seconds(20));
    const sim::ProcessId leader = believed_leader(*w);
    const std::string name = w->sim.process_name(leader);
    World* world = w.get();
    w->when(
        [name, &first_step](const TraceEvent& e) {
          const bool step = e.category == "flink" && e.process == name &&
                            (e.name == "checkpoint-pointer-deleted" || e.name == "checkpoint-file-discarded");
          if (step) first_step = e.name;
          return step;
        },
        [world, leader] { world->sim.crash(leader); });
    w->run_for(sim::seconds(40));
    EXPECT_FALSE(find(*w, "job-running", 0, [&](const TraceEvent& e) { return e.process != name; }).empty())
        << "another JobManager took over";
    return leaked_checkpoint_files(*w);
  };
  for (const std::uint64_t seed : kSeeds) {
    SCOPED_TRACE(seed);
    std::string step;
    EXPECT_EQ(scenario(Mutant::kFlink26284, seed, step).size(), 1u);
    EXPECT_EQ(step, "checkpoint-pointer-deleted");
    EXPECT_TRUE(scenario(Mutant::kNone, seed, step).empty());
    EXPECT_EQ(step, "checkpoint-file-discarded");
  }
}

// ---------------------------------------------------------------------------------------------
// FLINK-10052: tolerate-suspended-connections=true and an 8 s ZooKeeper blip of the leader,
// shorter than the 10 s session timeout. Mutant: leadership revoked on SUSPENDED anyway, the
// latch re-queues on RECONNECTED, so leadership moves to another JobManager and the job restarts
// there. Correct: no revoke at all; one grant in the whole run.
TEST(FlinkMutants, Flink10052BlipShorterThanTheSessionMovesLeadershipDespiteTolerate) {
  for (const std::uint64_t seed : kSeeds) {
    SCOPED_TRACE(seed);
    for (const Mutant mutant : {Mutant::kFlink10052, Mutant::kNone}) {
      auto w = make_world(mutant, seed, [](auto& o) { o.config.zookeeper_client.tolerate_suspended_connections = true; });
      w->run_for(sim::seconds(20));
      const std::string old_leader = w->sim.process_name(believed_leader(*w));
      w->isolate_from_zookeeper(believed_leader(*w));
      w->run_for(kBlip);
      w->heal();
      w->run_for(sim::seconds(20));
      const auto revokes = find(*w, "revoke");
      const auto grants = find(*w, "grant");
      if (mutant == Mutant::kFlink10052) {
        ASSERT_FALSE(revokes.empty());
        EXPECT_EQ(revokes.front()->process, old_leader);
        const TraceEvent* moved = first(*w, "grant", revokes.front()->seq);
        ASSERT_NE(moved, nullptr);
        EXPECT_NE(moved->process, old_leader) << "the re-queued latch hands leadership on";
        EXPECT_NE(first(*w, "job-running", moved->seq, [&](const TraceEvent& e) { return e.process == moved->process; }),
                  nullptr);
      } else {
        EXPECT_TRUE(revokes.empty());
        EXPECT_EQ(grants.size(), 1u);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// FLINK-14091: tolerate-suspended-connections=true (so the JobMaster and its counter survive the
// blip) and an 8 s ZooKeeper blip of the leader. Mutant: the counter kept SUSPENDED and refuses
// every id after RECONNECTED: no checkpoint completes again. Correct: checkpoints resume.
TEST(FlinkMutants, Flink14091CounterRefusesForeverAfterABlip) {
  for (const std::uint64_t seed : kSeeds) {
    SCOPED_TRACE(seed);
    for (const Mutant mutant : {Mutant::kFlink14091, Mutant::kNone}) {
      auto w = make_world(mutant, seed, [](auto& o) { o.config.zookeeper_client.tolerate_suspended_connections = true; });
      blip_leader(*w, sim::seconds(20), sim::seconds(20));
      std::uint64_t reconnected = 0;
      for (const auto& e : w->sim.trace().events()) {
        if (e.category == "curator" && e.name == "RECONNECTED") reconnected = e.seq;
      }
      ASSERT_GT(reconnected, 0u);
      const auto completed_after = find(*w, "checkpoint-completed", reconnected);
      std::size_t refused_after = 0;
      for (const auto& e : w->sim.trace().events()) {
        refused_after += e.seq > reconnected && e.name == "checkpoint-counter-refused";
      }
      if (mutant == Mutant::kFlink14091) {
        // At most the checkpoint whose id was being drawn across the blip: its CAS, retried on the
        // new connection, wins once the stale copy held in the cut is refused as SessionMoved
        // (PrepRequestProcessor checkSession); every later draw is refused.
        EXPECT_LE(completed_after.size(), 1u);
        EXPECT_GE(refused_after, 10u);
      } else {
        EXPECT_GE(completed_after.size(), 10u);
        EXPECT_EQ(refused_after, 0u);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// FLINK-19557: both TaskManagers are cut from ZooKeeper for 8 s (SUSPENDED, no session loss, no
// leader change). Mutant: their leader retrieval is not re-notified on RECONNECTED, so they stay at
// "no leader" for the job (and the ResourceManager): the JobMaster loses their heartbeats and
// restarts the job, which never runs or checkpoints again. Correct: retrieval re-reads on
// RECONNECTED and both TaskManagers know the job's leader again; no restart. (The correct model
// does not checkpoint again either after this schedule; see the report, not asserted here.)
TEST(FlinkMutants, Flink19557TaskManagersStayWithoutALeaderAfterTheBlip) {
  for (const std::uint64_t seed : kSeeds) {
    SCOPED_TRACE(seed);
    for (const Mutant mutant : {Mutant::kFlink19557, Mutant::kNone}) {
      auto w = make_world(mutant, seed);
      w->run_for(sim::seconds(20));
      const TraceEvent* confirm = nullptr;
      for (const auto* e : find(*w, "confirm")) {
        if (str(*e, "component") == "job-job-1") confirm = e;
      }
      ASSERT_NE(confirm, nullptr);
      const std::string job_leader = str(*confirm, "session_id");
      w->net.partition({w->cluster.taskmanagers(), w->ensemble.pids()});
      w->run_for(kBlip);
      const std::uint64_t healed = now_seq(*w);
      w->heal();
      w->run_for(sim::seconds(30));
      for (const sim::ProcessId tm : w->cluster.taskmanagers()) {
        const std::string name = w->sim.process_name(tm);
        std::string known = "?";
        for (const auto* e : find(*w, "leader-retrieved")) {
          if (e->process == name && str(*e, "path").find("/job-job-1/") != std::string::npos) known = str(*e, "session_id");
        }
        if (mutant == Mutant::kFlink19557) {
          EXPECT_EQ(known, "") << name << " still has no leader for the job";
        } else {
          EXPECT_EQ(known, job_leader) << name;
        }
      }
      // Both ways the TaskManagers fail their tasks on SUSPENDED (their job leader is lost) and the
      // JobMaster restarts the job; only with the fix do they learn the leader again after the heal.
      const auto running_again = find(*w, "job-running", healed);
      const auto completed_after = find(*w, "checkpoint-completed", healed);
      if (mutant == Mutant::kFlink19557) {
        EXPECT_TRUE(running_again.empty()) << "no TaskManager takes the job again";
        EXPECT_TRUE(completed_after.empty());
      } else {
        EXPECT_FALSE(running_again.empty());
        EXPECT_FALSE(completed_after.empty());
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// synthetic-counter-without-cas: the leader is paused for 15 s (beyond its 10 s session) while
// heartbeat.timeout is Flink's default 50 s, so on resuming it still believes it leads and its
// JobMaster triggers a checkpoint before it learns of the expiry; Curator's retry lands the
// counter write through the process's new session, next to the new leader's draws. Mutant: the
// count is set without compare-and-set from a stale cached value, so two sessions trigger
// checkpoints with the same id. Correct: the compare-and-set fails and re-reads; ids stay unique.
TEST(FlinkMutants, SyntheticCounterWithoutCasTwoBelievedLeadersDrawTheSameId) {
  auto duplicates = [](Mutant mutant, std::uint64_t seed) {
    auto w = make_world(mutant, seed, [](auto& o) { o.config.heartbeat_timeout = sim::seconds(50); });
    w->run_for(sim::seconds(20));
    const sim::ProcessId leader = believed_leader(*w);
    w->sim.pause(leader);
    w->run_for(sim::seconds(15));
    w->sim.resume(leader);
    w->run_for(sim::seconds(20));
    std::map<std::int64_t, std::set<std::string>> sessions_by_id;
    for (const auto* e : find(*w, "checkpoint-triggered")) sessions_by_id[num(*e, "checkpoint_id")].insert(str(*e, "session_id"));
    std::size_t shared = 0;
    for (const auto& [id, sessions] : sessions_by_id) shared += sessions.size() > 1;
    EXPECT_GT(find(*w, "grant").size(), 1u) << "a new leader was elected during the pause";
    return shared;
  };
  for (const std::uint64_t seed : kSeeds) {
    SCOPED_TRACE(seed);
    EXPECT_GT(duplicates(Mutant::kSyntheticCounterWithoutCas, seed), 0u);
    EXPECT_EQ(duplicates(Mutant::kNone, seed), 0u);
  }
}

// Every mutant of the catalogue but FLINK-34007 (Kubernetes mode: tests/model/kubernetes_test.cpp) has a test above.
TEST(FlinkMutants, CatalogueIsCovered) {
  const std::set<std::string> covered = {"FLINK-10052", "FLINK-19557", "FLINK-14091", "FLINK-4201",  "FLINK-7783",
                                         "FLINK-24543", "FLINK-10011", "FLINK-10255", "FLINK-19816", "FLINK-21979",
                                         "FLINK-19154", "FLINK-11400", "FLINK-26284", "synthetic-counter-without-cas"};
  for (const auto& info : model::flink::mutant_catalog()) {
    if (info.mutant == Mutant::kFlink34007) continue;
    EXPECT_EQ(covered.count(std::string(info.name)), 1u) << info.name;
  }
}

}  // namespace
