// Known-issue matching of leaked checkpoint files (HASIM-SHUTDOWN-ONCE, HASIM-UNREAD-HANDLE) and of
// verdicts whose sessions include a CURATOR-696 zombie's (no-lost-job C, liveness B): each fires on
// its mechanism and stays quiet without it.
#include <gtest/gtest.h>

#include "harness/checkers/checkers.hpp"
#include "tests/harness/trace_builder.hpp"

namespace harness {
namespace {

using testing::job;
using testing::one_cluster;
using testing::TraceBuilder;
using S = std::string;
using I = std::int64_t;

const S kPointer = "/ns/jobs/job-1/checkpoints/0000000000000000007";

// job-1 checkpoints 7 (file /ha/c7), finishes at 150 s and is cleaned up, but /ha/c7 is never deleted.
TraceBuilder leaked_file(const std::string& why) {
  TraceBuilder t;
  t.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(2000, "job-submit-acked", "jm1", job("A"))
      .flink(2200, "job-running", "jm1", job("A", {{"tasks", I{2}}}))
      .flink(3000, "checkpoint-added", "jm1", job("A", {{"path", kPointer}, {"file", S("/ha/c7")}}))
      .flink(3000, "checkpoint-completed", "jm1", job("A", {{"checkpoint_id", I{7}}, {"file", S("/ha/c7")}}))
      .flink(150000, "job-ended", "jm1", job("A", {{"status", S("FINISHED")}}))
      .flink(150010, "job-terminal", "jm1", job("A", {{"status", S("FINISHED")}}));
  if (why == "still-locked") t.flink(150020, "checkpoint-still-locked", "jm1", {{"path", kPointer}, {"session_id", S("A")}});
  if (why == "discard-failed") {
    t.flink(150020, "checkpoint-discard-failed", "jm1", {{"path", kPointer}, {"file", S("/ha/c7")}, {"session_id", S("A")}});
  }
  if (why == "remove-failed") {
    t.flink(150020, "checkpoint-remove-failed", "jm1",
            {{"path", kPointer}, {"step", S("locks")}, {"code", I{-4}}, {"session_id", S("A")}});
  }
  if (why == "release-failed") {
    t.flink(150020, "checkpoint-release-failed", "jm1",
            {{"path", kPointer}, {"lock", kPointer + "/locks/jm1"}, {"code", I{-4}}, {"session_id", S("A")}});
  }
  if (why == "unread") t.flink(150020, "checkpoint-removed", "jm1", {{"path", kPointer}, {"file", S("")}, {"session_id", S("A")}});
  t.flink(150100, "job-cleanup-done", "jm1", job("A"));
  return t;
}

std::vector<Violation> lifecycle(const TraceBuilder& t) {
  return check_properties(t.events(), one_cluster(), {"ha-lifecycle"});
}

TEST(StoreLeaks, AFileKeptBecauseTheShutdownFoundItLockedIsShutdownOnce) {
  for (const S why : {"still-locked", "discard-failed", "remove-failed", "release-failed"}) {
    const auto found = lifecycle(leaked_file(why));
    ASSERT_EQ(found.size(), 1u) << why;
    EXPECT_EQ(found[0].path, kPointer);
    EXPECT_EQ(found[0].known, "HASIM-SHUTDOWN-ONCE") << why;
  }
}

TEST(StoreLeaks, AFileWhosePointerWasRemovedUnreadIsUnreadHandle) {
  const auto found = lifecycle(leaked_file("unread"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].known, "HASIM-UNREAD-HANDLE");
}

TEST(StoreLeaks, ALeakWithoutEitherMechanismStaysUnexplained) {
  const auto found = lifecycle(leaked_file("none"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].known, "");
}

// jm2 is granted Z on a latch node of its earlier ZooKeeper session 11 (CURATOR-696) while jm1
// leads B; jm1 records job-1 FINISHED and jm2 still runs it afterwards (no-lost-job C).
TraceBuilder zombie_reruns(bool zombie) {
  const S latch = "/ns/leader/latch/_c_x-latch-0000000000";
  TraceBuilder t;
  t.add(500, "curator", "CONNECTED", "jm2", {{"session", I{11}}})
      .add(600, "curator", "latch-node", "jm2", {{"path", latch}})
      .add(30000, "curator", "LOST", "jm2", {{"session", I{0}}})
      .add(38000, "curator", "RECONNECTED", "jm2", {{"session", zombie ? I{22} : I{11}}})
      .add(38002, "curator", "latch-is-leader", "jm2", {{"path", latch}})
      .flink(38002, "grant", "jm2", {{"session_id", S("Z")}})
      .flink(40000, "grant", "jm1", {{"session_id", S("B")}})
      .flink(41000, "job-submit-acked", "jm1", job("B"))
      .flink(42000, "job-running", "jm1", job("B", {{"tasks", I{2}}}))
      .flink(60000, "job-ended", "jm1", job("B", {{"status", S("FINISHED")}}))
      .flink(60010, "job-terminal", "jm1", job("B", {{"status", S("FINISHED")}}))
      .flink(61000, "job-recovered", "jm2", job("Z"))
      .flink(61100, "job-running", "jm2", job("Z", {{"tasks", I{2}}}));
  return t;
}

TEST(Curator696Consequences, AZombieRunningAnEndedJobIsKnown) {
  const auto found = check_properties(zombie_reruns(true).events(), one_cluster(), {"no-lost-job"});
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0].clause, "C");
  EXPECT_EQ(found[0].known, "CURATOR-696");
}

TEST(Curator696Consequences, TheSameRerunWithoutAZombieIsUnexplained) {
  const auto found = check_properties(zombie_reruns(false).events(), one_cluster(), {"no-lost-job"});
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0].clause, "C");
  EXPECT_EQ(found[0].known, "");
}

}  // namespace
}  // namespace harness
