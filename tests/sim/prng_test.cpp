#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>

#include "sim/latency.hpp"
#include "sim/prng.hpp"

namespace {

TEST(Prng, SameSeedSameSequence) {
  sim::Prng a(42), b(42), c(43);
  int differing = 0;
  for (int i = 0; i < 1000; i++) {
    const auto x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    differing += x != c.next_u64();
  }
  EXPECT_GT(differing, 990);
}

// Pins the generator's output: a change here changes every recorded trace and replay seed.
TEST(Prng, OutputIsPinned) {
  sim::Prng rng(1);
  const std::uint64_t first = rng.next_u64();
  sim::Prng again(1);
  EXPECT_EQ(first, again.next_u64());
  std::uint64_t sm = 0;
  EXPECT_EQ(sim::splitmix64(sm), 0xe220a8397b1dcdafULL);  // the published splitmix64 value for state 0
  EXPECT_EQ(sim::stable_hash(""), 0xcbf29ce484222325ULL);  // FNV-1a offset basis
}

TEST(Prng, NamedStreamsAreIndependentOfEachOther) {
  // Drawing from one stream must not shift another: that is what lets a component be added
  // without changing the draws of the rest.
  sim::Prng net = sim::Prng::stream(7, "network");
  const auto expected = net.next_u64();
  sim::Prng fs = sim::Prng::stream(7, "filesystem");
  for (int i = 0; i < 100; i++) fs.next_u64();
  sim::Prng net_again = sim::Prng::stream(7, "network");
  EXPECT_EQ(expected, net_again.next_u64());
  EXPECT_NE(sim::Prng::stream(7, "network").next_u64(), sim::Prng::stream(7, "filesystem").next_u64());
  EXPECT_NE(sim::Prng::stream(7, "network").next_u64(), sim::Prng::stream(8, "network").next_u64());
}

RC_GTEST_PROP(Prng, BelowStaysInRange, (std::uint64_t seed, std::uint64_t bound_raw)) {
  const std::uint64_t bound = bound_raw == 0 ? 1 : bound_raw;
  sim::Prng rng(seed);
  for (int i = 0; i < 50; i++) RC_ASSERT(rng.below(bound) < bound);
}

RC_GTEST_PROP(Prng, BetweenIsInclusive, (std::uint64_t seed, std::int32_t a, std::int32_t b)) {
  const std::int64_t low = std::min<std::int64_t>(a, b), high = std::max<std::int64_t>(a, b);
  sim::Prng rng(seed);
  for (int i = 0; i < 50; i++) {
    const auto x = rng.between(low, high);
    RC_ASSERT(x >= low);
    RC_ASSERT(x <= high);
  }
}

TEST(Prng, BelowIsRoughlyUniform) {
  sim::Prng rng(3);
  std::map<std::uint64_t, int> counts;
  constexpr int kDraws = 60000;
  for (int i = 0; i < kDraws; i++) counts[rng.below(6)]++;
  ASSERT_EQ(counts.size(), 6u);
  for (const auto& [value, count] : counts) {
    EXPECT_NEAR(count, kDraws / 6, kDraws / 6 / 10) << value;
  }
}

TEST(Prng, ExponentialHasRoughlyTheMeanAndIsBounded) {
  sim::Prng rng(11);
  const sim::Duration mean = sim::milliseconds(10);
  std::int64_t sum_ns = 0;
  sim::Duration largest{};
  constexpr int kDraws = 100000;
  for (int i = 0; i < kDraws; i++) {
    const auto d = rng.exponential(mean);
    ASSERT_GE(d.ns, 0);
    sum_ns += d.ns;
    largest = std::max(largest, d);
  }
  EXPECT_NEAR(static_cast<double>(sum_ns) / kDraws, static_cast<double>(mean.ns), mean.ns * 0.05);
  EXPECT_LE(largest, mean * 6);   // the tail is truncated at ln(256) means
  EXPECT_GT(largest, mean * 4);   // but it does reach into the tail
}

TEST(Prng, ShuffleIsAPermutation) {
  sim::Prng rng(5);
  std::vector<int> items{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  rng.shuffle(items);
  EXPECT_EQ(std::set<int>(items.begin(), items.end()).size(), 10u);
  EXPECT_NE(items, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(LatencyModel, SamplesStayWithinTheModel) {
  sim::Prng rng(9);
  const auto uniform = sim::LatencyModel::uniform(sim::milliseconds(1), sim::milliseconds(3));
  const auto fixed = sim::LatencyModel::fixed(sim::milliseconds(2));
  const auto expo = sim::LatencyModel::exponential(sim::milliseconds(1), sim::milliseconds(2));
  for (int i = 0; i < 1000; i++) {
    const auto u = uniform.sample(rng);
    EXPECT_GE(u, sim::milliseconds(1));
    EXPECT_LE(u, sim::milliseconds(3));
    EXPECT_EQ(fixed.sample(rng), sim::milliseconds(2));
    EXPECT_GE(expo.sample(rng), sim::milliseconds(1));
  }
}

}  // namespace
