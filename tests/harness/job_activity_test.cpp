// no-lost-job B around a job whose JobMaster ended it but whose result a revoke kept from being
// recorded: that term no longer runs it, so the next leader may.
#include <gtest/gtest.h>

#include "harness/checkers/no_lost_job.hpp"
#include "tests/harness/trace_builder.hpp"

namespace harness {
namespace {

using testing::job;
using testing::one_cluster;
using testing::TraceBuilder;
using S = std::string;

// jm1 runs job-1 in session A; the job is cancelled, but the Dispatcher cannot write the dirty
// JobResultStore entry before jm1 loses leadership; jm2 then recovers and runs the job again.
TraceBuilder cancelled_then_revoked(bool ended_traced) {
  TraceBuilder t;
  t.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(2000, "job-submit-acked", "jm1", job("A"))
      .flink(2100, "job-restored", "jm1", job("A", {{"checkpoint_id", 0}}))
      .flink(2200, "job-running", "jm1", job("A", {{"tasks", 2}}));
  if (ended_traced) t.flink(50000, "job-ended", "jm1", job("A", {{"status", S("CANCELED")}}));
  t.flink(60000, "revoke", "jm1", {{"session_id", S("A")}})
      .flink(61000, "grant", "jm2", {{"session_id", S("B")}})
      .flink(62000, "job-recovered", "jm2", job("B"))
      .flink(62100, "job-restored", "jm2", job("B", {{"checkpoint_id", 0}}))
      .flink(62200, "job-running", "jm2", job("B", {{"tasks", 2}}));
  return t;
}

TEST(NoLostJob, AJobEndedByItsJobMasterIsNoLongerRunningThere) {
  const auto found = check_no_lost_job(cancelled_then_revoked(true).events(), one_cluster());
  EXPECT_TRUE(found.empty()) << found.front().message;
}

TEST(NoLostJob, WithoutItsEndTheOldTermStillRunsTheJob) {
  const auto found = check_no_lost_job(cancelled_then_revoked(false).events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].message.find("while still running on jm1 A"), std::string::npos) << found[0].message;
}


// jm1 leads on ZooKeeper session 11 and runs job-1; its server is cut off from the ZooKeeper
// leader, which expires session 11 at 40 s; jm2 is granted and runs job-1 at `rerun_ms`. jm1 still
// believes it leads: its server goes on answering its pings until it gives up on the leader.
TraceBuilder expired_behind_a_cut_off_server(std::int64_t rerun_ms, bool expired, bool stale_expiry_first = false) {
  TraceBuilder t;
  t.add(500, "curator", "CONNECTED", "jm1", {{"session", std::int64_t{11}}})
      .flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(2200, "job-running", "jm1", job("A", {{"tasks", 2}}));
  // A paused ZooKeeper leader, deposed meanwhile, expires the session on resuming; its closeSession
  // never commits and the session lives on (explore-5zk-5jm seed 8473).
  if (stale_expiry_first) t.add(5000, "zk", "session-expired", "zk5", {{"session", std::int64_t{11}}});
  if (expired) t.add(40000, "zk", "session-expired", "zk3", {{"session", std::int64_t{11}}});
  t.flink(40100, "grant", "jm2", {{"session_id", S("B")}})
      .flink(rerun_ms, "job-running", "jm2", job("B", {{"tasks", 2}}));
  return t;
}

CheckContext with_sync_timeout() {
  CheckContext context = one_cluster();
  context.zookeeper_sync_timeout = sim::seconds(10);  // syncLimit 5 x tickTime 2 s
  return context;
}

TEST(NoLostJob, AnExpiredTermThatCannotKnowYetIsNotADoubleRun) {
  const auto found = check_no_lost_job(expired_behind_a_cut_off_server(42000, true).events(), with_sync_timeout());
  EXPECT_TRUE(found.empty()) << found.front().message;
}

TEST(NoLostJob, AnExpiredTermStillRunningAfterItsServerMustHaveGivenUpIsADoubleRun) {
  const auto found = check_no_lost_job(expired_behind_a_cut_off_server(50200, true).events(), with_sync_timeout());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].clause, "B");
}

TEST(NoLostJob, ALiveSessionGivesNoSuchWindow) {
  const auto found = check_no_lost_job(expired_behind_a_cut_off_server(42000, false).events(), with_sync_timeout());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].clause, "B");
}

TEST(NoLostJob, TheWindowRunsFromTheLatestExpiryNotFromAStaleEarlierOne) {
  EXPECT_TRUE(check_no_lost_job(expired_behind_a_cut_off_server(42000, true, true).events(), with_sync_timeout()).empty());
  const auto late = check_no_lost_job(expired_behind_a_cut_off_server(50200, true, true).events(), with_sync_timeout());
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].clause, "B");
  // The stale expiry alone opens no window 37 s later.
  EXPECT_EQ(check_no_lost_job(expired_behind_a_cut_off_server(42000, false, true).events(), with_sync_timeout()).size(), 1u);
}

TEST(NoLostJob, TolerateSuspendedWidensTheWindowByTheSessionTimeout) {
  CheckContext context = with_sync_timeout();
  context.clusters[0].session_timeout = sim::seconds(10);
  context.clusters[0].tolerate_suspended_connections = true;
  EXPECT_TRUE(check_no_lost_job(expired_behind_a_cut_off_server(55000, true).events(), context).empty());
  EXPECT_EQ(check_no_lost_job(expired_behind_a_cut_off_server(60200, true).events(), context).size(), 1u);
}

}  // namespace
}  // namespace harness
