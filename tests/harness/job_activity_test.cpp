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

}  // namespace
}  // namespace harness
