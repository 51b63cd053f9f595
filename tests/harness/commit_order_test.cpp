// no-lost-checkpoint D and ha-lifecycle judge a pointer's add against its removal by ZooKeeper's
// commit order (the store's zxid fields), not by when the adding JobManager heard back.
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

const S kPointer = "/ns/jobs/job-1/checkpoints/0000000000000000040";

// jm2's add of checkpoint 40 commits at zxid `add_zxid`; jm1 removes 40 (subsumption) at zxids
// 500 (locks) and 502 (pointer); jm2, paused meanwhile, traces its add only on resume.
TraceBuilder late_add(I add_zxid) {
  TraceBuilder t;
  t.flink(1000, "job-submit-acked", "jm2", job("A"))
      .flink(2000, "job-running", "jm2", job("A", {{"tasks", I{2}}}))
      .flink(10000, "job-running", "jm1", job("B", {{"tasks", I{2}}}))
      .flink(12000, "checkpoint-file-discarded", "jm1", job("B", {{"path", kPointer}, {"file", S("/ha/c40")}, {"zxid", I{500}}}))
      .flink(12010, "checkpoint-pointer-deleted", "jm1", job("B", {{"path", kPointer}, {"zxid", I{502}}}))
      .flink(12010, "checkpoint-removed", "jm1", job("B", {{"path", kPointer}, {"file", S("/ha/c40")}, {"zxid", I{502}}}))
      .flink(15000, "checkpoint-added", "jm2",
             job("A", {{"path", kPointer}, {"file", S("/ha/c40")}, {"attempts", I{1}}, {"zxid", add_zxid}}));
  return t;
}

std::vector<Violation> clause_d(const TraceBuilder& t) {
  std::vector<Violation> d;
  for (auto& v : check_properties(t.events(), one_cluster(), {"no-lost-checkpoint"})) {
    if (v.clause == "D") d.push_back(v);
  }
  return d;
}

TEST(CommitOrder, AnAddCommittedBeforeTheRemovalButHeardLaterIsNoRecreation) {
  EXPECT_TRUE(clause_d(late_add(400)).empty());
}

TEST(CommitOrder, AnAddCommittedAfterTheRemovalRecreatesThePointer) {
  const auto found = clause_d(late_add(600));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].path, kPointer);
}

TEST(CommitOrder, WithoutZxidsTheTraceOrderDecides) {
  EXPECT_EQ(clause_d(late_add(0)).size(), 1u);
}

}  // namespace
}  // namespace harness
