// ha-lifecycle A after a cleanup whose ZooKeeper deletes are only known from its success.
#include <gtest/gtest.h>

#include "harness/checkers/ha_lifecycle.hpp"
#include "tests/harness/trace_builder.hpp"

namespace harness {
namespace {

using testing::job;
using testing::one_cluster;
using testing::TraceBuilder;
using S = std::string;

// A term discards checkpoint 1's file, then loses ZooKeeper before the reply of its pointer
// delete arrives: the delete committed, so no `checkpoint-pointer-deleted` is ever traced.
TraceBuilder pointer_delete_reply_lost() {
  TraceBuilder t;
  t.flink(1000, "job-submit-acked", "jm1", job("A"))
      .flink(2000, "job-running", "jm1", job("A"))
      .flink(3000, "checkpoint-added", "jm1", job("A", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000001")}, {"file", S("/ha/c1")}}))
      .flink(4000, "checkpoint-added", "jm1", job("A", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000002")}, {"file", S("/ha/c2")}}))
      .flink(4010, "checkpoint-file-discarded", "jm1", job("A", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000001")}, {"file", S("/ha/c1")}}))
      .flink(150000, "job-terminal", "jm2", job("B", {{"status", S("CANCELED")}}))
      .flink(150100, "checkpoint-removed", "jm2", job("B", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000002")}, {"file", S("/ha/c2")}}));
  return t;
}

TEST(HaLifecycle, CleanupDoneProvesThePointersGone) {
  auto t = pointer_delete_reply_lost();
  t.flink(150300, "job-cleanup-done", "jm2", job("B"));
  EXPECT_TRUE(check_ha_lifecycle(t.events(), one_cluster()).empty());
}

TEST(HaLifecycle, WithoutCleanupDoneTheJobIsReported) {
  const auto found = check_ha_lifecycle(pointer_delete_reply_lost().events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].message.find("cleanup was not done"), std::string::npos) << found[0].message;
}

TEST(HaLifecycle, APointerCreatedAfterTheCleanupIsStillALeak) {
  auto t = pointer_delete_reply_lost();
  t.flink(150300, "job-cleanup-done", "jm2", job("B"))
      .flink(151000, "checkpoint-added", "jm1", job("A", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000003")}, {"file", S("/ha/c3")}}));
  const auto found = check_ha_lifecycle(t.events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);
  // Its file and its pointer are both left.
  EXPECT_NE(found[0].message.find("/ha/c3 (from checkpoint-added) and 1 more"), std::string::npos) << found[0].message;
}

TEST(HaLifecycle, ALeakedFileIsStillALeakAfterCleanupDone) {
  auto t = pointer_delete_reply_lost();
  t.flink(150300, "job-cleanup-done", "jm2", job("B"))
      .flink(151000, "checkpoint-added", "jm1", job("A", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000003")}, {"file", S("/ha/c3")}}))
      .flink(151010, "checkpoint-pointer-deleted", "jm1", job("A", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000003")}}));
  const auto found = check_ha_lifecycle(t.events(), one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].message.find("file /ha/c3"), std::string::npos) << found[0].message;
}

}  // namespace
}  // namespace harness
