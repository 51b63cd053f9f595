#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>

#include "sim/event_queue.hpp"

namespace {

RC_GTEST_PROP(EventQueue, PopsInTimeThenInsertionOrder, (std::vector<std::uint8_t> times)) {
  sim::EventQueue queue;
  for (std::size_t i = 0; i < times.size(); i++) {
    queue.push(sim::Event{sim::Instant{times[i]}, 0, static_cast<std::uint32_t>(i), 0, sim::EventKind::kCallback});
  }
  std::vector<std::pair<std::int64_t, std::uint32_t>> expected;
  for (std::size_t i = 0; i < times.size(); i++) expected.emplace_back(times[i], static_cast<std::uint32_t>(i));
  std::stable_sort(expected.begin(), expected.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [at, target] : expected) {
    RC_ASSERT(!queue.empty());
    const sim::Event event = queue.pop();
    RC_ASSERT(event.at.ns == at);
    RC_ASSERT(event.target == target);
  }
  RC_ASSERT(queue.empty());
}

TEST(EventQueue, PushAgainGoesBehindEqualTimes) {
  sim::EventQueue queue;
  queue.push(sim::Event{sim::Instant{5}, 0, 1, 0, sim::EventKind::kCallback});
  sim::Event first = queue.pop();
  queue.push(sim::Event{sim::Instant{5}, 0, 2, 0, sim::EventKind::kCallback});
  queue.push_again(first);
  EXPECT_EQ(queue.pop().target, 2u);
  EXPECT_EQ(queue.pop().target, 1u);
  EXPECT_TRUE(queue.empty());
}

}  // namespace
