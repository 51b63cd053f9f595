#include <gtest/gtest.h>

#include <set>

#include "harness/kernel_workload.hpp"
#include "tests/sweep_seeds.hpp"

namespace {

// The kernel's determinism contract: the same seed gives the same trace hash, run after run in
// one process, and different seeds give different traces. 1000 seeds, each twice (100 in the
// sanitizer build, where the point is memory errors on every path, not the count).
TEST(Determinism, SameSeedSameTraceHashAcrossAThousandSeeds) {
  const std::uint64_t seeds = hasim_tests::sweep_seeds(1000);
  std::set<std::uint64_t> distinct;
  for (std::uint64_t seed = 1; seed <= seeds; seed++) {
    const harness::KernelWorkloadConfig config{seed, 8, sim::seconds(5), true};
    const auto first = harness::run_kernel_workload(config);
    const auto second = harness::run_kernel_workload(config);
    ASSERT_EQ(first.trace_hash, second.trace_hash) << "seed " << seed;
    ASSERT_EQ(first.events, second.events) << "seed " << seed;
    ASSERT_GT(first.mails_delivered, 0u) << "seed " << seed;
    distinct.insert(first.trace_hash);
  }
  EXPECT_EQ(distinct.size(), seeds);
}

TEST(Determinism, WorkloadExercisesFaults) {
  const auto result = harness::run_kernel_workload(harness::KernelWorkloadConfig{3, 16, sim::seconds(20), true});
  EXPECT_GT(result.faults_injected, 10u);
  EXPECT_GT(result.fiber_resumes, 1000u);
  EXPECT_EQ(result.outcome, sim::RunOutcome::kDeadline);
}

}  // namespace
