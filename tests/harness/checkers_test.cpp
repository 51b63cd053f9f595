// Every checker on hand-built traces: where it must fire and where it must not.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/checkers/ha_lifecycle.hpp"
#include "harness/checkers/leadership.hpp"
#include "harness/checkers/liveness.hpp"
#include "harness/checkers/no_lost_checkpoint.hpp"
#include "harness/checkers/no_lost_job.hpp"
#include "harness/checkers/single_leader.hpp"
#include "harness/checkers/unique_checkpoint_ids.hpp"
#include "tests/harness/trace_builder.hpp"

namespace harness {
namespace {

using testing::job;
using testing::one_cluster;
using testing::TraceBuilder;
using S = std::string;

// A healthy run: jm1 leads session A, runs job-1 and commits checkpoints 1 and 2, then is killed
// at 50 s; jm2 takes over as session B, restores 2 and commits 3 and 4 after the heal.
TraceBuilder healthy() {
  TraceBuilder t;
  t.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(1010, "confirm", "jm1", {{"component", S("dispatcher")}, {"session_id", S("A")}})
      .flink(2000, "job-submit-acked", "jm1", job("A"))
      .flink(2100, "job-restored", "jm1", job("A", {{"checkpoint_id", 0}}))
      .flink(2200, "job-running", "jm1", job("A", {{"tasks", 2}}))
      .flink(3000, "checkpoint-triggered", "jm1", job("A", {{"checkpoint_id", 1}}))
      .flink(3100, "checkpoint-added", "jm1", job("A", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000001")}, {"file", S("hdfs:///ha/c1")}}))
      .flink(3100, "checkpoint-completed", "jm1", job("A", {{"checkpoint_id", 1}, {"file", S("hdfs:///ha/c1")}}))
      .flink(3200, "tm-accept", "tm1", job("A", {{"what", S("notify")}, {"checkpoint_id", 1}}))
      .flink(4000, "checkpoint-triggered", "jm1", job("A", {{"checkpoint_id", 2}}))
      .flink(4100, "checkpoint-added", "jm1", job("A", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000002")}, {"file", S("hdfs:///ha/c2")}}))
      .fs(4110, "delete", "jm1", "/ha/c1")
      .flink(4110, "checkpoint-file-discarded", "jm1", job("A", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000001")}, {"file", S("hdfs:///ha/c1")}}))
      .flink(4120, "checkpoint-removed", "jm1", job("A", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000001")}, {"file", S("hdfs:///ha/c1")}}))
      .flink(4120, "checkpoint-completed", "jm1", job("A", {{"checkpoint_id", 2}, {"file", S("hdfs:///ha/c2")}}))
      .proc(50000, "crash", "jm1")
      .flink(62000, "grant", "jm2", {{"session_id", S("B")}})
      .flink(62010, "confirm", "jm2", {{"component", S("dispatcher")}, {"session_id", S("B")}})
      .flink(62100, "job-recovered", "jm2", job("B"))
      .flink(62150, "confirm", "jm2", {{"component", S("job-job-1")}, {"session_id", S("B")}})
      .flink(62200, "job-restored", "jm2", job("B", {{"checkpoint_id", 2}}))
      .flink(62300, "job-running", "jm2", job("B", {{"tasks", 2}}))
      .flink(63000, "checkpoint-triggered", "jm2", job("B", {{"checkpoint_id", 3}}))
      .flink(63100, "checkpoint-added", "jm2", job("B", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000003")}, {"file", S("hdfs:///ha/c3")}}))
      .flink(63100, "checkpoint-completed", "jm2", job("B", {{"checkpoint_id", 3}, {"file", S("hdfs:///ha/c3")}}))
      .flink(110000, "checkpoint-triggered", "jm2", job("B", {{"checkpoint_id", 4}}))
      .flink(110100, "checkpoint-completed", "jm2", job("B", {{"checkpoint_id", 4}, {"file", S("hdfs:///ha/c4")}}));
  return t;
}

TEST(Checkers, HealthyRunBreaksNothing) {
  const auto events = healthy().events();
  const auto context = one_cluster();
  EXPECT_TRUE(check_single_leader(events, context).empty());
  EXPECT_TRUE(check_no_lost_checkpoint(events, context).empty());
  EXPECT_TRUE(check_unique_checkpoint_ids(events, context).empty());
  EXPECT_TRUE(check_no_lost_job(events, context).empty());
  EXPECT_TRUE(check_ha_lifecycle(events, context).empty());
  EXPECT_TRUE(check_liveness(events, context).empty());
}

TEST(SingleLeader, StaleSessionEffectAfterNewerConfirmFires) {
  auto t = healthy();
  t.flink(64000, "tm-accept", "tm1", job("A", {{"what", S("deploy")}}));
  const auto found = check_single_leader(t.events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].property, "single-leader");
  EXPECT_EQ(found[0].at, sim::Instant{} + sim::milliseconds(64000));
}

TEST(SingleLeader, StaleTriggerOrRejectIsNoEffect) {
  auto t = healthy();
  t.flink(64000, "tm-accept", "tm1", job("A", {{"what", S("trigger")}}))
      .flink(64001, "tm-reject", "tm1", job("A", {{"what", S("deploy")}}));
  EXPECT_TRUE(check_single_leader(t.events(), one_cluster()).empty());
}

TEST(SingleLeader, OldSessionTaskManagerEffectBeforeTheNewConfirmIsAllowedAfterItFires) {
  TraceBuilder t;
  t.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(2000, "grant", "jm2", {{"session_id", S("B")}})
      .flink(2500, "tm-accept", "tm1", job("A", {{"what", S("notify")}, {"checkpoint_id", 1}}))
      .flink(3000, "confirm", "jm2", {{"component", S("job-job-1")}, {"session_id", S("B")}})
      .flink(3500, "tm-accept", "tm1", job("A", {{"what", S("deploy")}}));
  const auto found = check_single_leader(t.events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at, sim::Instant{} + sim::milliseconds(3500));
  EXPECT_EQ(found[0].clause, "B");
  EXPECT_EQ(found[0].session, "A");
  EXPECT_EQ(found[0].related_sessions, std::vector<std::string>{"B"});
}

// Store writes are not fenced across processes (FLINK-10333 never built; Curator's RetryLoop
// retries a transaction in a new session): a deposed JobManager's retried addAndLock may land
// after another JobManager's JobMaster of that job confirmed (triage G2/G3).
TEST(SingleLeader, StoreEffectOfAnotherProcessAfterANewerConfirmIsAllowed) {
  TraceBuilder t;
  t.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(2000, "grant", "jm2", {{"session_id", S("B")}})
      .flink(3000, "confirm", "jm2", {{"component", S("dispatcher")}, {"session_id", S("B")}})
      .flink(3100, "confirm", "jm2", {{"component", S("job-job-1")}, {"session_id", S("B")}})
      .flink(3500, "checkpoint-added", "jm1", job("A", {{"path", S("/p/2")}, {"file", S("/f2")}}))
      .flink(3500, "checkpoint-completed", "jm1", job("A", {{"checkpoint_id", 2}, {"file", S("/f2")}}))
      .flink(3600, "job-graph-added", "jm1", job("A", {{"path", S("/g/job-1")}, {"file", S("/g1")}}));
  EXPECT_TRUE(check_single_leader(t.events(), one_cluster()).empty());
}

// Within one process they are ordered (FLINK-11400's fix: the JobManagerRunner waits for its
// previous JobMaster): an old term's store effect after the same process confirmed a newer
// session of that component is two leaders' effects.
TEST(SingleLeader, StoreEffectAfterANewerConfirmInTheSameProcessFires) {
  TraceBuilder t;
  t.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(2000, "revoke", "jm1", {{"session_id", S("A")}})
      .flink(2100, "grant", "jm1", {{"session_id", S("C")}})
      .flink(2200, "confirm", "jm1", {{"component", S("dispatcher")}, {"session_id", S("C")}})
      .flink(2500, "checkpoint-added", "jm1", job("A", {{"path", S("/p/2")}, {"file", S("/f2")}}))  // before job confirm
      .flink(3000, "confirm", "jm1", {{"component", S("job-job-1")}, {"session_id", S("C")}})
      .flink(3500, "checkpoint-completed", "jm1", job("A", {{"checkpoint_id", 2}, {"file", S("/f2")}}));
  const auto found = check_single_leader(t.events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at, sim::Instant{} + sim::milliseconds(3500));
  EXPECT_NE(found[0].message.find("same JobManager process"), std::string::npos);
  TraceBuilder graph;
  graph.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(2100, "grant", "jm1", {{"session_id", S("C")}})
      .flink(2200, "confirm", "jm1", {{"component", S("dispatcher")}, {"session_id", S("C")}})
      .flink(2300, "job-graph-added", "jm1", job("A", {{"path", S("/g/job-1")}, {"file", S("/g1")}}));
  EXPECT_EQ(check_single_leader(graph.events(), one_cluster()).size(), 1u);
}

TEST(SingleLeader, TwoClustersNamingDifferentLeadersInOneNamespaceFires) {
  CheckContext context = one_cluster();
  context.clusters = {{"c1", "/flink/x", {"c1/jm1"}, true}, {"c2", "/flink/x", {"c2/jm1"}, true}};
  TraceBuilder t;
  t.add(1000, "flink", "zk-leader", "", {{"cluster", S("c1")}, {"jm", S("c1/jm1")}})
      .add(1000, "flink", "zk-leader", "", {{"cluster", S("c2")}, {"jm", S("c2/jm1")}});
  EXPECT_EQ(check_single_leader(t.events(), context).size(), 1u);
  context.clusters[1].zookeeper_namespace = "/flink/y";
  EXPECT_TRUE(check_single_leader(t.events(), context).empty());
}

TEST(SingleLeader, OverlapBoundFiresOnlyWhenExceeded) {
  TraceBuilder t;
  t.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(2000, "grant", "jm2", {{"session_id", S("B")}})
      .flink(2500, "revoke", "jm1", {{"session_id", S("A")}});
  CheckContext context = one_cluster();
  context.bounds.believed_leader_overlap_max = sim::milliseconds(600);
  EXPECT_TRUE(check_single_leader(t.events(), context).empty());
  context.bounds.believed_leader_overlap_max = sim::milliseconds(400);
  EXPECT_EQ(check_single_leader(t.events(), context).size(), 1u);
}

TEST(Leadership, OverlapEndsAtCrashAndFailoverRunsToTheNextDispatcherConfirm) {
  TraceBuilder t;
  t.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(2000, "grant", "jm2", {{"session_id", S("B")}})
      .proc(2300, "crash", "jm1")
      .flink(2400, "confirm", "jm2", {{"component", S("resource_manager")}, {"session_id", S("B")}})
      .flink(2700, "confirm", "jm2", {{"component", S("dispatcher")}, {"session_id", S("B")}});
  const auto context = one_cluster();
  EXPECT_EQ(believed_leader_overlap(believed_leader_intervals(t.events(), context), context.run_end).total,
            sim::milliseconds(300));
  const auto failovers = failover_times(t.events(), context);
  ASSERT_EQ(failovers.size(), 1u);
  EXPECT_EQ(failovers[0], sim::milliseconds(400));
}

TEST(Leadership, PausedLeaderThatResumesStillLeadingIsNoFailover) {
  TraceBuilder t;
  t.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .proc(2000, "pause", "jm1")
      .proc(3000, "resume", "jm1")
      .flink(9000, "confirm", "jm1", {{"component", S("dispatcher")}, {"session_id", S("A")}});
  EXPECT_TRUE(failover_times(t.events(), one_cluster()).empty());
}

TEST(Leadership, RevokeOfALeaderAlreadyReplacedIsNoNewFailover) {
  // jm1 paused past its session: jm2 replaces it in 14 s. jm1 resumes and is revoked: no loss of
  // the cluster's leader. Then jm2 crashes and jm3 confirms 10 s later.
  TraceBuilder t;
  t.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(1010, "confirm", "jm1", {{"component", S("dispatcher")}, {"session_id", S("A")}})
      .proc(10000, "pause", "jm1")
      .flink(20000, "grant", "jm2", {{"session_id", S("B")}})
      .flink(24000, "confirm", "jm2", {{"component", S("dispatcher")}, {"session_id", S("B")}})
      .proc(40000, "resume", "jm1")
      .flink(40100, "revoke", "jm1", {{"session_id", S("A")}})
      .proc(90000, "crash", "jm2")
      .flink(99000, "grant", "jm3", {{"session_id", S("C")}})
      .flink(100000, "confirm", "jm3", {{"component", S("dispatcher")}, {"session_id", S("C")}});
  EXPECT_EQ(failover_times(t.events(), one_cluster()),
            (std::vector<sim::Duration>{sim::seconds(14), sim::seconds(10)}));
  // The revoke of the leader itself is a loss.
  TraceBuilder revoked;
  revoked.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(1010, "confirm", "jm1", {{"component", S("dispatcher")}, {"session_id", S("A")}})
      .flink(5000, "revoke", "jm1", {{"session_id", S("A")}})
      .flink(9000, "grant", "jm2", {{"session_id", S("B")}})
      .flink(9500, "confirm", "jm2", {{"component", S("dispatcher")}, {"session_id", S("B")}});
  EXPECT_EQ(failover_times(revoked.events(), one_cluster()), (std::vector<sim::Duration>{sim::milliseconds(4500)}));
}

TEST(Leadership, BothRunningOverlapLeavesOutPausedTime) {
  TraceBuilder t;
  t.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(2000, "grant", "jm2", {{"session_id", S("B")}})
      .proc(3000, "pause", "jm1")
      .proc(7000, "resume", "jm1")
      .flink(8000, "revoke", "jm1", {{"session_id", S("A")}});
  const auto context = one_cluster();
  const auto intervals = believed_leader_intervals(t.events(), context);
  EXPECT_EQ(believed_leader_overlap(intervals, context.run_end).total, sim::seconds(6));
  EXPECT_EQ(believed_leader_overlap(running_belief_intervals(intervals, t.events(), context), context.run_end).total,
            sim::seconds(2));  // 2-3 s and 7-8 s
}

TEST(NoLostCheckpoint, RestoreBelowTheCommittedIdFires) {
  auto t = healthy();
  t.proc(120000, "crash", "jm2").flink(130000, "job-restored", "jm3", job("C", {{"checkpoint_id", 3}}));
  const auto found = check_no_lost_checkpoint(t.events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].property, "no-lost-checkpoint");
}

TEST(NoLostCheckpoint, DeletingTheLatestCommittedFileFiresButALossByFaultDoesNot) {
  auto lost = healthy();
  lost.fs(120000, "lose", "", "/ha/c3");
  EXPECT_TRUE(check_no_lost_checkpoint(lost.events(), one_cluster()).empty());
  auto deleted = healthy();
  deleted.fs(120000, "delete", "jm2", "/ha/c4");
  EXPECT_EQ(check_no_lost_checkpoint(deleted.events(), one_cluster()).size(), 1u);
  auto pointer = healthy();
  pointer.flink(120000, "checkpoint-added", "jm2", job("B", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000005")}, {"file", S("/ha/c5")}}))
      .flink(120000, "checkpoint-completed", "jm2", job("B", {{"checkpoint_id", 5}, {"file", S("/ha/c5")}}))
      .flink(121000, "checkpoint-pointer-deleted", "jm2", job("B", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000005")}}));
  EXPECT_EQ(check_no_lost_checkpoint(pointer.events(), one_cluster()).size(), 1u);
}

TEST(NoLostCheckpoint, AfterTerminationCleanupMayDeleteIt) {
  auto t = healthy();
  t.flink(120000, "job-terminal", "jm2", job("B", {{"status", S("FINISHED")}}))
      .fs(120100, "delete", "jm2", "/ha/c4");
  EXPECT_TRUE(check_no_lost_checkpoint(t.events(), one_cluster()).empty());
}

TEST(NoLostCheckpoint, ARestoreAfterTheJobWasRecordedTerminalIsNotALostCheckpoint) {
  // The job's end was recorded and its cleanup took the checkpoints; a late recovery restoring it
  // from nothing is a re-run of an ended job (no-lost-job C), not a checkpoint lost under a live job.
  auto t = healthy();
  t.flink(120000, "job-terminal", "jm2", job("B", {{"status", S("FINISHED")}}))
      .flink(120050, "checkpoint-removed", "jm2", job("B", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000004")}, {"file", S("/ha/c4")}}))
      .flink(130000, "job-restored", "jm3", job("C", {{"checkpoint_id", 0}}));
  EXPECT_TRUE(check_no_lost_checkpoint(t.events(), one_cluster()).empty());
}

TEST(NoLostCheckpoint, ARestoreByATermANewerConfirmedLeaderSupersededIsFencedOff) {
  // jm1 (A) is paused while jm2 (B) takes over and commits checkpoint 7; resumed, jm1 restores its
  // in-memory latest (3) before it notices: fenced off, nothing it restores runs.
  const auto trace = [](bool b_confirmed) {
    TraceBuilder t;
    t.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
        .flink(1100, "confirm", "jm1", {{"component", S("job-job-1")}, {"session_id", S("A")}})
        .flink(3000, "checkpoint-completed", "jm1", job("A", {{"checkpoint_id", 3}, {"file", S("/ha/c3")}}))
        .flink(20000, "grant", "jm2", {{"session_id", S("B")}});
    if (b_confirmed) t.flink(20100, "confirm", "jm2", {{"component", S("job-job-1")}, {"session_id", S("B")}});
    t.flink(25000, "checkpoint-completed", "jm2", job("B", {{"checkpoint_id", 7}, {"file", S("/ha/c7")}}))
        .flink(40000, "job-restored", "jm1", job("A", {{"checkpoint_id", 3}}));
    return t;
  };
  EXPECT_TRUE(check_no_lost_checkpoint(trace(true).events(), one_cluster()).empty());
  // Without B's confirm nothing fences A: its restore behind checkpoint 7 is a lost checkpoint.
  EXPECT_EQ(check_no_lost_checkpoint(trace(false).events(), one_cluster()).size(), 1u);
}

TEST(NoLostCheckpoint, ACompletionHeardAfterANewerCheckpointWasAddedIsAlreadySuperseded) {
  // jm1 committed checkpoint 2 and was paused before it heard back; jm2 took over, added 3, and
  // subsumes 2 just after jm1, resumed, reports 2 complete.
  const auto trace = [](bool newer_added_first) {
    TraceBuilder t;
    t.flink(1000, "checkpoint-added", "jm1", job("A", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000002")}, {"file", S("/ha/c2")}}));
    if (newer_added_first) {
      t.flink(23226, "checkpoint-added", "jm2", job("B", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000003")}, {"file", S("/ha/c3")}}));
    }
    t.flink(23259, "checkpoint-completed", "jm1", job("A", {{"checkpoint_id", 2}, {"file", S("/ha/c2")}}))
        .flink(23266, "checkpoint-removed", "jm2", job("B", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000002")}, {"file", S("/ha/c2")}}));
    return t;
  };
  EXPECT_TRUE(check_no_lost_checkpoint(trace(true).events(), one_cluster()).empty());
  // Nothing newer in the store when 2 was reported: deleting it loses the latest checkpoint.
  EXPECT_FALSE(check_no_lost_checkpoint(trace(false).events(), one_cluster()).empty());
}

TEST(NoLostCheckpoint, PointerWhoseFileWasDeletedBehindItFires) {
  // jm2's addAndLock of checkpoint 5 committed, took the echo for a failure and deleted the file.
  auto t = healthy();
  const S pointer5 = "/ns/jobs/job-1/checkpoints/0000000000000000005";
  t.flink(120000, "checkpoint-add-failed", "jm2", job("B", {{"path", pointer5}, {"reason", S("NODEEXISTS")}, {"file", S("/ha/c5")}, {"file_discarded", 1}}))
      .fs(120000, "delete", "jm2", "/ha/c5")
      .proc(130000, "crash", "jm2")
      .flink(142000, "checkpoint-read-missing-file", "jm3", job("C", {{"path", pointer5}, {"file", S("/ha/c5")}}))
      .flink(142000, "job-restore-failed", "jm3", job("C", {{"reason", S("missing-file")}}))
      .flink(144000, "checkpoint-read-missing-file", "jm3", job("C", {{"path", pointer5}, {"file", S("/ha/c5")}}));
  const auto found = check_no_lost_checkpoint(t.events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at, sim::Instant{} + sim::seconds(142));
  EXPECT_NE(found[0].message.find("0000000000000000005"), std::string::npos);
}

TEST(NoLostCheckpoint, MissingFileOfAnInterruptedRemovalOrAnInjectedLossIsNoViolation) {
  const S pointer1 = "/ns/jobs/job-1/checkpoints/0000000000000000001";
  // The healthy run's subsumption of checkpoint 1 discarded its file (a crash could have kept the pointer).
  auto removal = healthy();
  removal.flink(130000, "checkpoint-read-missing-file", "jm3", job("C", {{"path", pointer1}, {"file", S("hdfs:///ha/c1")}}));
  EXPECT_TRUE(check_no_lost_checkpoint(removal.events(), one_cluster()).empty());
  auto lost = healthy();
  lost.fs(120000, "lose", "", "/ha/c3")
      .flink(130000, "checkpoint-read-missing-file", "jm3",
             job("C", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000003")}, {"file", S("hdfs:///ha/c3")}}));
  EXPECT_TRUE(check_no_lost_checkpoint(lost.events(), one_cluster()).empty());
}

TEST(NoLostCheckpoint, PointerRecreatedAfterItsRemovalDiscardedTheFileFires) {
  const S pointer1 = "/ns/jobs/job-1/checkpoints/0000000000000000001";
  auto t = healthy();  // checkpoint 1 was subsumed at 4.1 s: file discarded, pointer deleted
  t.flink(70000, "checkpoint-added", "jm1", job("A", {{"path", pointer1}, {"file", S("hdfs:///ha/c1")}, {"attempts", 4}}));
  const auto found = check_no_lost_checkpoint(t.events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);  // once: the end-of-run half does not report it again
  EXPECT_EQ(found[0].clause, "D");
  EXPECT_EQ(found[0].at, sim::Instant{} + sim::seconds(70));
  EXPECT_EQ(found[0].path, pointer1);
  EXPECT_EQ(found[0].process, "jm1");
}

TEST(NoLostCheckpoint, ListedPointerWhoseFileIsGoneAtTheEndFires) {
  const S pointer3 = "/ns/jobs/job-1/checkpoints/0000000000000000003";
  auto t = healthy();
  t.fs(120000, "delete", "jm2", "/ha/c3");  // behind the listed pointer 3, no removal
  const auto found = check_no_lost_checkpoint(t.events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].clause, "D");
  EXPECT_EQ(found[0].at, one_cluster().run_end);
  EXPECT_EQ(found[0].path, pointer3);
}

TEST(NoLostCheckpoint, PointerMarkedForDeletionOrLostByAFaultAtTheEndIsNoViolation) {
  const S pointer3 = "/ns/jobs/job-1/checkpoints/0000000000000000003";
  // A removal cut short by a crash after discarding the file: its `locks` child is gone, so the
  // store no longer lists it for recovery.
  auto cut_short = healthy();
  cut_short.flink(120000, "checkpoint-file-discarded", "jm2", job("B", {{"path", pointer3}, {"file", S("hdfs:///ha/c3")}}))
      .proc(120001, "crash", "jm2");
  auto found = check_no_lost_checkpoint(cut_short.events(), one_cluster());
  EXPECT_TRUE(std::none_of(found.begin(), found.end(), [](const Violation& v) { return v.clause == "D"; }));
  auto lost = healthy();
  lost.fs(120000, "lose", "", "/ha/c3");
  EXPECT_TRUE(check_no_lost_checkpoint(lost.events(), one_cluster()).empty());
}

TEST(UniqueCheckpointIds, ReusedIdFiresAcrossSessions) {
  auto t = healthy();
  t.flink(120000, "checkpoint-triggered", "jm3", job("C", {{"checkpoint_id", 3}}));
  const auto found = check_unique_checkpoint_ids(t.events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].property, "unique-checkpoint-ids");
}

TEST(UniqueCheckpointIds, SameIdInAnotherJobIsFine) {
  auto t = healthy();
  t.flink(120000, "checkpoint-triggered", "jm2", {{"job", S("job-2")}, {"session_id", S("B")}, {"checkpoint_id", 3}});
  EXPECT_TRUE(check_unique_checkpoint_ids(t.events(), one_cluster()).empty());
}

TEST(NoLostJob, NotRunningAfterTheHealFires) {
  auto t = healthy();
  t.flink(80000, "job-suspended", "jm2", job("B"));
  const auto found = check_no_lost_job(t.events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at, sim::Instant{} + sim::seconds(130));
}

TEST(NoLostJob, RunningTwiceAtOnceFiresUnlessTheOtherIsPaused) {
  auto twice = healthy();
  twice.flink(70000, "job-running", "jm3", job("C"));
  EXPECT_EQ(check_no_lost_job(twice.events(), one_cluster()).size(), 1u);
  auto paused = healthy();
  paused.proc(65000, "pause", "jm2").flink(70000, "job-running", "jm3", job("C"));
  EXPECT_TRUE(check_no_lost_job(paused.events(), one_cluster()).empty());
}

TEST(NoLostJob, ResumedJobManagerRunsOnOnlyForItsDetectionWindow) {
  // Session timeout 10 s: the resumed jm2 learns of its loss within 2/3 * 10 s + 100 ms = 6.7667 s.
  auto context = one_cluster();
  context.clusters[0].session_timeout = sim::seconds(10);
  auto within = healthy();
  within.proc(65000, "pause", "jm2").proc(69000, "resume", "jm2").flink(75700, "job-running", "jm3", job("C"));
  EXPECT_TRUE(check_no_lost_job(within.events(), context).empty());
  auto after = healthy();
  after.proc(65000, "pause", "jm2").proc(69000, "resume", "jm2").flink(75800, "job-running", "jm3", job("C"));
  const auto found = check_no_lost_job(after.events(), context);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].clause, "B");
  EXPECT_EQ(found[0].related_sessions, std::vector<std::string>{"B"});
  // The window follows the configured session timeout: with 60 s, 75.8 s is well inside it.
  context.clusters[0].session_timeout = sim::seconds(60);
  EXPECT_TRUE(check_no_lost_job(after.events(), context).empty());
}

TEST(NoLostJob, TerminatedJobRunningAgainFires) {
  auto t = healthy();
  t.flink(120000, "job-terminal", "jm2", job("B", {{"status", S("FINISHED")}}))
      .flink(150000, "job-recovered", "jm3", job("C"));
  const auto found = check_no_lost_job(t.events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at, sim::Instant{} + sim::seconds(150));
}

TEST(NoLostJob, TerminalByTheTermThatSuspendedTheJobFires) {
  auto t = healthy();
  t.flink(70000, "job-suspended", "jm2", job("B")).flink(70100, "job-terminal", "jm2", job("B", {{"status", S("FAILED")}}));
  const auto found = check_no_lost_job(t.events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at, sim::Instant{} + sim::milliseconds(70100));
  EXPECT_NE(found[0].message.find("suspended"), std::string::npos);
}

TEST(NoLostJob, TerminalByANewTermAfterAnotherTermSuspendedTheJobIsFine) {
  // jm2's term B suspends the job; jm2's next term D (and jm3's term C) may end it.
  auto regranted = healthy();
  regranted.flink(70000, "job-suspended", "jm2", job("B"))
      .flink(72000, "grant", "jm2", {{"session_id", S("D")}})
      .flink(72100, "job-recovered", "jm2", job("D"))
      .flink(72200, "job-running", "jm2", job("D", {{"tasks", 2}}))
      .flink(90000, "job-terminal", "jm2", job("D", {{"status", S("FINISHED")}}));
  EXPECT_TRUE(check_no_lost_job(regranted.events(), one_cluster()).empty());
  auto other = healthy();
  other.flink(70000, "job-suspended", "jm2", job("B"))
      .flink(72100, "job-recovered", "jm3", job("C"))
      .flink(72200, "job-running", "jm3", job("C", {{"tasks", 2}}))
      .flink(90000, "job-terminal", "jm3", job("C", {{"status", S("CANCELED")}}));
  EXPECT_TRUE(check_no_lost_job(other.events(), one_cluster()).empty());
}

TEST(HaLifecycle, CleanupThatDeletesEverythingPasses) {
  TraceBuilder t;
  t.flink(1000, "job-submit-acked", "jm1", job("A"))
      .flink(1000, "job-graph-added", "jm1", job("A", {{"path", S("/ns/execution-plans/job-1")}, {"file", S("/ha/g1")}}))
      .flink(2000, "job-running", "jm1", job("A"))
      .flink(3000, "checkpoint-added", "jm1", job("A", {{"path", S("/ns/c/1")}, {"file", S("/ha/c1")}}))
      .flink(150000, "job-terminal", "jm1", job("A", {{"status", S("FINISHED")}}))
      .flink(150100, "checkpoint-removed", "jm1", job("A", {{"path", S("/ns/c/1")}, {"file", S("/ha/c1")}}))
      .flink(150200, "job-graph-removed", "jm1", job("A", {{"path", S("/ns/execution-plans/job-1")}, {"file", S("/ha/g1")}}))
      .flink(150300, "job-cleanup-done", "jm1", job("A"));
  EXPECT_TRUE(check_ha_lifecycle(t.events(), one_cluster()).empty());
}

TEST(HaLifecycle, LeakedFileAfterCleanupFires) {
  TraceBuilder t;
  t.flink(1000, "job-submit-acked", "jm1", job("A"))
      .flink(2000, "job-running", "jm1", job("A"))
      .flink(3000, "checkpoint-added", "jm1", job("A", {{"path", S("/ns/c/1")}, {"file", S("/ha/c1")}}))
      .flink(4000, "checkpoint-pointer-deleted", "jm1", job("A", {{"path", S("/ns/c/1")}}))
      .flink(150000, "job-terminal", "jm1", job("A", {{"status", S("FINISHED")}}))
      .flink(150300, "job-cleanup-done", "jm1", job("A"));
  const auto found = check_ha_lifecycle(t.events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at, sim::Instant{} + sim::seconds(180));
  EXPECT_NE(found[0].message.find("/ha/c1"), std::string::npos);
}

TEST(HaLifecycle, DeletingWhileSuspendedFiresButNotWhileAnotherTermRuns) {
  auto t = healthy();
  t.flink(120000, "job-suspended", "jm2", job("B"))
      .flink(121000, "checkpoint-removed", "jm2", job("B", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000003")}, {"file", S("hdfs:///ha/c3")}}));
  EXPECT_EQ(check_ha_lifecycle(t.events(), one_cluster()).size(), 1u);
  auto other = healthy();
  other.flink(120000, "job-suspended", "jm2", job("A"))  // a late suspend of an old term
      .flink(120100, "checkpoint-removed", "jm2", job("B", {{"path", S("/x")}, {"file", S("/y")}}));
  EXPECT_TRUE(check_ha_lifecycle(other.events(), one_cluster()).empty());
}

TEST(Liveness, NoConfirmedLeaderAfterTheHealFires) {
  auto t = healthy();
  t.flink(120000, "revoke", "jm2", {{"session_id", S("B")}});
  auto context = one_cluster();
  context.bounds.leader_within = sim::seconds(25);
  const auto found = check_liveness(t.events(), context);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at, sim::Instant{} + sim::seconds(125));
}

TEST(Liveness, NoCheckpointAfterTheHealFires) {
  auto t = healthy();
  auto context = one_cluster();
  context.bounds.checkpoint_within = sim::seconds(5);  // checkpoint 4 commits at 110.1 s
  EXPECT_EQ(check_liveness(t.events(), context).size(), 1u);
  context.clusters[0].checkpointing = false;
  EXPECT_TRUE(check_liveness(t.events(), context).empty());
}

}  // namespace
}  // namespace harness
