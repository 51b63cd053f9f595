#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "model/curator/connection_state_manager.hpp"
#include "model/curator/latch_order.hpp"
#include "model/curator/retry_policy.hpp"

namespace {

using model::curator::LatchDecision;

TEST(LatchOrder, SortsBySequenceWhateverTheProtectionPrefix) {
  const std::vector<std::string> children{"_c_bbb-latch-0000000002", "_c_aaa-latch-0000000010", "_c_ccc-latch-0000000001"};
  EXPECT_EQ(model::curator::sorted_latch_children(children),
            (std::vector<std::string>{"_c_ccc-latch-0000000001", "_c_bbb-latch-0000000002", "_c_aaa-latch-0000000010"}));
}

TEST(LatchOrder, FirstLeadsOthersWatchTheirPredecessor) {
  const std::vector<std::string> children{"_c_a-latch-0000000003", "_c_b-latch-0000000001", "_c_c-latch-0000000002"};
  EXPECT_EQ(model::curator::decide_latch(children, "_c_b-latch-0000000001").kind, LatchDecision::Kind::kLead);
  const auto third = model::curator::decide_latch(children, "_c_a-latch-0000000003");
  EXPECT_EQ(third.kind, LatchDecision::Kind::kWatchPredecessor);
  EXPECT_EQ(third.predecessor, "_c_c-latch-0000000002");
  EXPECT_EQ(model::curator::decide_latch(children, "_c_z-latch-0000000009").kind, LatchDecision::Kind::kNodeMissing);
  EXPECT_EQ(model::curator::decide_latch(children, "").kind, LatchDecision::Kind::kNodeMissing);
}

RC_GTEST_PROP(LatchOrder, ExactlyOneLeaderAndAChainOfWatches, (std::vector<std::uint16_t> sequences)) {
  std::set<std::uint16_t> distinct(sequences.begin(), sequences.end());
  RC_PRE(!distinct.empty());
  std::vector<std::string> children;
  for (const auto seq : distinct) {
    char name[64];
    std::snprintf(name, sizeof name, "_c_%04x-latch-%010u", static_cast<unsigned>(seq * 7919u % 65536u), static_cast<unsigned>(seq));
    children.emplace_back(name);
  }
  int leaders = 0;
  std::set<std::string> watched;
  for (const auto& child : children) {
    const auto decision = model::curator::decide_latch(children, child);
    leaders += decision.kind == LatchDecision::Kind::kLead;
    if (decision.kind == LatchDecision::Kind::kWatchPredecessor) watched.insert(decision.predecessor);
  }
  RC_ASSERT(leaders == 1);
  RC_ASSERT(watched.size() == children.size() - 1);  // each node but the last is watched once
}

TEST(ExponentialBackoffRetry, SleepsGrowAndRetriesStop) {
  const model::curator::ExponentialBackoffRetry retry{sim::milliseconds(5000), 3};
  sim::Prng rng(1);
  for (int n = 0; n < 3; n++) {
    EXPECT_TRUE(retry.allow_retry(n));
    for (int i = 0; i < 200; i++) {
      const auto sleep = retry.sleep_for(n, rng);
      EXPECT_GE(sleep, sim::milliseconds(5000));
      EXPECT_LE(sleep, sim::milliseconds(5000) * ((std::int64_t{1} << (n + 1)) - 1));
    }
  }
  EXPECT_FALSE(retry.allow_retry(3));
  const model::curator::ExponentialBackoffRetry capped{sim::milliseconds(10), 100};
  EXPECT_TRUE(capped.allow_retry(28));
  EXPECT_FALSE(capped.allow_retry(29));
}

}  // namespace

namespace {

using model::curator::ConnectionState;
using model::curator::ConnectionStateManager;
using model::curator::ZkConnectionEvent;

sim::Instant at_ms(std::int64_t ms) { return sim::Instant{} + sim::milliseconds(ms); }

TEST(ConnectionStateManager, MapsZooKeeperEventsAsCurator5Does) {
  ConnectionStateManager manager;
  EXPECT_EQ(manager.on_zk_event(ZkConnectionEvent::kSyncConnected, at_ms(0)), ConnectionState::kConnected);
  EXPECT_EQ(manager.on_zk_event(ZkConnectionEvent::kSyncConnected, at_ms(1)), std::nullopt);  // no repeat
  EXPECT_EQ(manager.on_zk_event(ZkConnectionEvent::kDisconnected, at_ms(10)), ConnectionState::kSuspended);
  EXPECT_EQ(manager.on_zk_event(ZkConnectionEvent::kDisconnected, at_ms(11)), std::nullopt);
  EXPECT_EQ(manager.on_zk_event(ZkConnectionEvent::kSyncConnected, at_ms(20)), ConnectionState::kReconnected);
  EXPECT_EQ(manager.on_zk_event(ZkConnectionEvent::kExpired, at_ms(30)), ConnectionState::kLost);
  EXPECT_EQ(manager.on_zk_event(ZkConnectionEvent::kDisconnected, at_ms(31)), std::nullopt);  // not after LOST
  EXPECT_EQ(manager.on_zk_event(ZkConnectionEvent::kSyncConnected, at_ms(40)), ConnectionState::kReconnected);
}

TEST(ConnectionStateManager, LostIsInjectedAfterAFullSessionTimeoutSuspended) {
  ConnectionStateManager manager;
  manager.on_zk_event(ZkConnectionEvent::kSyncConnected, at_ms(0));
  EXPECT_EQ(manager.expiration_due(sim::seconds(10), 100), std::nullopt);
  manager.on_zk_event(ZkConnectionEvent::kDisconnected, at_ms(5000));
  EXPECT_EQ(manager.expiration_due(sim::seconds(10), 100), at_ms(15000));
  EXPECT_EQ(manager.expiration_due(sim::seconds(10), 50), at_ms(10000));
  EXPECT_EQ(manager.expiration_due(sim::seconds(10), 0), std::nullopt);
  manager.expiration_injected(at_ms(15000));
  EXPECT_EQ(manager.expiration_due(sim::seconds(10), 100), at_ms(25000));  // CURATOR-405: no spinning
  manager.on_zk_event(ZkConnectionEvent::kSyncConnected, at_ms(16000));
  EXPECT_EQ(manager.expiration_due(sim::seconds(10), 100), std::nullopt);
}

}  // namespace
