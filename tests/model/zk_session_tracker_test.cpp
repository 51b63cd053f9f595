#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "model/zookeeper/session_tracker.hpp"

namespace {

using model::zk::SessionTracker;
using sim::Instant;
using sim::milliseconds;

Instant at_ms(std::int64_t ms) { return Instant{} + milliseconds(ms); }

TEST(ExpiryQueue, ExpiresAtTheFirstTickBoundaryStrictlyAfterNowPlusTimeout) {
  model::zk::ExpiryQueue<int> queue(milliseconds(2000), at_ms(0));
  // 300 + 4000 = 4300 -> bucket 6000. 4000 + 0 = 4000 exactly on a boundary -> 6000 too.
  EXPECT_EQ(queue.update(1, milliseconds(4000), at_ms(300)), at_ms(6000));
  EXPECT_EQ(queue.update(2, milliseconds(0), at_ms(4000)), at_ms(6000));
  EXPECT_TRUE(queue.poll(at_ms(5999)).empty());
  EXPECT_EQ(queue.poll(at_ms(6000)), (std::vector<int>{1, 2}));
  EXPECT_EQ(queue.size(), 0u);
}

TEST(ExpiryQueue, TouchMovesToALaterBucket) {
  model::zk::ExpiryQueue<int> queue(milliseconds(1000), at_ms(0));
  queue.update(7, milliseconds(3000), at_ms(0));   // 4000
  queue.update(7, milliseconds(3000), at_ms(2500));  // 6000
  EXPECT_TRUE(queue.poll(at_ms(4000)).empty());
  EXPECT_TRUE(queue.poll(at_ms(5999)).empty());
  EXPECT_EQ(queue.poll(at_ms(6000)), (std::vector<int>{7}));
}

TEST(ExpiryQueue, PhaseShiftsTheGridOffSimulatedTimeZero) {
  // Elapsed time = simulated time + 700 ms: boundaries at 1300, 3300, 5300, ...
  model::zk::ExpiryQueue<int> queue(milliseconds(2000), at_ms(0), milliseconds(700));
  EXPECT_EQ(queue.next_expiration(), at_ms(1300));
  EXPECT_EQ(queue.update(1, milliseconds(4000), at_ms(300)), at_ms(5300));
  EXPECT_EQ(queue.update(2, milliseconds(4000), at_ms(1300)), at_ms(7300));  // on a boundary
  EXPECT_TRUE(queue.poll(at_ms(5299)).empty());
  EXPECT_EQ(queue.poll(at_ms(5300)), (std::vector<int>{1}));
  EXPECT_EQ(queue.poll(at_ms(7300)), (std::vector<int>{2}));
}

RC_GTEST_PROP(ExpiryQueue, NeverExpiresBeforeNowPlusTimeoutNorLaterThanOneTickAfter,
              (std::uint16_t touch_ms, std::uint16_t timeout_raw, std::uint8_t tick_raw,
               std::uint16_t phase_raw)) {
  const std::int64_t tick_ms = 1 + tick_raw % 50;
  const std::int64_t timeout_ms = timeout_raw % 5000;
  const std::int64_t phase_ms = phase_raw % tick_ms;
  model::zk::ExpiryQueue<int> queue(milliseconds(tick_ms), at_ms(0), milliseconds(phase_ms));
  queue.update(1, milliseconds(timeout_ms), at_ms(touch_ms));
  const std::int64_t deadline = touch_ms + timeout_ms;
  RC_ASSERT(queue.poll(at_ms(deadline)).empty());
  RC_ASSERT(queue.poll(at_ms(deadline + tick_ms)) == std::vector<int>{1});
}

TEST(SessionTracker, TouchKeepsASessionAliveAndSilenceExpiresIt) {
  SessionTracker tracker(milliseconds(2000), at_ms(0), 1);
  const auto id = tracker.create_session(milliseconds(6000), at_ms(0));
  for (std::int64_t t = 2000; t <= 20000; t += 2000) {
    EXPECT_TRUE(tracker.poll_expired(at_ms(t)).empty());
    EXPECT_TRUE(tracker.touch(id, at_ms(t)));
  }
  // Last heard at 20000: expiry at the boundary after 26000, i.e. 28000.
  EXPECT_TRUE(tracker.poll_expired(at_ms(27999)).empty());
  EXPECT_EQ(tracker.poll_expired(at_ms(28000)), (std::vector<model::zk::SessionId>{id}));
  EXPECT_TRUE(tracker.closing(id));
  EXPECT_FALSE(tracker.touch(id, at_ms(28001)));  // a closing session cannot be revived
}

TEST(SessionTracker, NewLeaderRestartsEveryCountdown) {
  // The old leader last heard the session at 0; a new leader elected at 50000 tracks it afresh.
  SessionTracker new_leader(milliseconds(2000), at_ms(50000), 2);
  new_leader.track(0x0100000000000001, milliseconds(6000), at_ms(50000));
  EXPECT_TRUE(new_leader.poll_expired(at_ms(55999)).empty());
  EXPECT_EQ(new_leader.poll_expired(at_ms(58000)).size(), 1u);
}

TEST(SessionTracker, SessionIdsCarryTheServerIdAndAreUnique) {
  SessionTracker tracker(milliseconds(2000), at_ms(123456), 3);
  const auto a = tracker.create_session(milliseconds(4000), at_ms(123456));
  const auto b = tracker.create_session(milliseconds(4000), at_ms(123456));
  EXPECT_NE(a, b);
  EXPECT_EQ(a >> 56, 3);
  EXPECT_EQ(b >> 56, 3);
}

// SessionTrackerImpl.checkSession/setOwner: the first checker of an unowned session owns it; another
// owner is SessionMoved until a revalidation (setOwner) hands the session over.
TEST(SessionTracker, OwnerIsTakenByTheFirstCheckAndMovedOnlyBySetOwner) {
  using model::zk::SessionCheck;
  SessionTracker tracker(milliseconds(2000), at_ms(0), 1);
  const auto id = tracker.create_session(milliseconds(6000), at_ms(0));
  EXPECT_FALSE(tracker.owner_of(id).has_value());
  EXPECT_EQ(tracker.check_session(id, 7), SessionCheck::kOk);
  EXPECT_EQ(tracker.owner_of(id), std::optional<model::zk::SessionOwner>(7));
  EXPECT_EQ(tracker.check_session(id, 9), SessionCheck::kMoved);
  EXPECT_TRUE(tracker.set_owner(id, 9));
  EXPECT_EQ(tracker.check_session(id, 9), SessionCheck::kOk);
  EXPECT_EQ(tracker.check_session(id, 7), SessionCheck::kMoved);
  tracker.set_closing(id);
  EXPECT_EQ(tracker.check_session(id, 9), SessionCheck::kExpired);
  EXPECT_FALSE(tracker.set_owner(id, 9));
  EXPECT_EQ(tracker.check_session(12345, 9), SessionCheck::kExpired);
}

TEST(SessionTimeout, NegotiationClampsToTwoAndTwentyTicks) {
  const auto bounds = model::zk::SessionTimeoutBounds::from_ticks(milliseconds(2000));
  EXPECT_EQ(model::zk::negotiate_session_timeout(milliseconds(1000), bounds), milliseconds(4000));
  EXPECT_EQ(model::zk::negotiate_session_timeout(milliseconds(5000), bounds), milliseconds(5000));
  EXPECT_EQ(model::zk::negotiate_session_timeout(milliseconds(60000), bounds), milliseconds(40000));
  const model::zk::SessionTimeoutBounds custom{milliseconds(1000), milliseconds(90000)};
  EXPECT_EQ(model::zk::negotiate_session_timeout(milliseconds(60000), custom), milliseconds(60000));
}

}  // namespace
