// Paused ZooKeeper servers (SIGSTOP): the leader judges its quorum in its own ticks (Leader.lead,
// LearnerHandler.synced), its SessionTrackerImpl runs on elapsed time, and socket read timeouts
// that came due during a pause are judged at the resume. tick 2 s, syncLimit 5 (10 s), sessions 6 s.
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "model/zookeeper/ensemble.hpp"

namespace {

using model::zk::PeerState;
using sim::Instant;
using sim::milliseconds;
using sim::seconds;

Instant at_s(std::int64_t s) { return Instant{} + seconds(s); }

struct Fixture {
  explicit Fixture(std::uint64_t seed = 1)
      : sim(sim::SimConfig{seed, {}}),
        net(sim, sim::NetworkConfig{sim::LatencyModel::uniform(sim::microseconds(200), milliseconds(2)), milliseconds(1), 10000}),
        ensemble(sim, net, model::zk::default_ensemble(3, milliseconds(2000))) {
    ensemble.start();
  }

  int serving_leaders() const {
    int count = 0;
    for (int i = 0; i < ensemble.size(); i++) {
      const auto v = ensemble.view(i);
      count += v && v->state == PeerState::kLeading && v->serving;
    }
    return count;
  }

  // The first zk event `name` of `process` at or after `from`.
  std::optional<Instant> first(const std::string& name, const std::string& process, Instant from) {
    for (const sim::TraceEvent& event : sim.trace().events()) {
      if (event.category == "zk" && event.name == name && event.process == process && event.at >= from) return event.at;
    }
    return std::nullopt;
  }

  sim::Simulation sim;
  sim::Network net;
  model::zk::Ensemble ensemble;
};

// A client on server 0 that creates an ephemeral and then pings every second: its heartbeats stop
// reaching the leader while server 0 is paused.
void start_client_on_server0(Fixture& f, bool& created) {
  const auto pid = f.sim.add_process("client", {[&f, &created](sim::ProcessId self) {
                                                  f.sim.spawn(self, "main", [&f, &created, self] {
                                                    const sim::MailboxId box = f.sim.mailbox_open(self);
                                                    const sim::EndpointId link = f.net.connect(self, f.ensemble.pid(0), model::zk::kClientPort, box);
                                                    const auto connected = f.sim.receive(box, seconds(5));
                                                    ASSERT_TRUE(connected && connected->tag == sim::NetTag::kConnected);
                                                    auto connect = std::make_shared<model::zk::ConnectRequest>();
                                                    connect->timeout = seconds(6);
                                                    f.net.send(link, connect);
                                                    const auto session = f.sim.receive(box, seconds(5));
                                                    ASSERT_TRUE(session && session->tag == sim::NetTag::kData);
                                                    auto request = std::make_shared<model::zk::ClientRequest>();
                                                    request->xid = 1;
                                                    request->op = model::zk::CreateRequest{"/eph", "x", model::zk::CreateMode::Ephemeral};
                                                    f.net.send(link, request);
                                                    for (int i = 0; i < 200; i++) {
                                                      f.sim.sleep(seconds(1));
                                                      created = created || f.ensemble.server(0)->tree().stat("/eph").has_value();
                                                      auto ping = std::make_shared<model::zk::ClientRequest>();
                                                      ping->xid = model::zk::kPingXid;
                                                      ping->op = model::zk::PingRequest{};
                                                      f.net.send(link, ping);
                                                    }
                                                  });
                                                },
                                                nullptr});
  f.sim.start(pid);
}

// Leader and one follower paused together for 20 s, longer than syncLimit and the session timeout:
// the other follower alone cannot elect anyone, and on resume the leader's tick has not advanced,
// so its paused follower still counts and it keeps leading in the same epoch. Its session tracker
// runs on elapsed time and expires the session that went silent during the pause at once.
TEST(ZkPause, LeaderPausedWithAFollowerKeepsLeadingAndExpiresOverdueSessions) {
  Fixture f;
  bool created = false;
  f.sim.run_until(at_s(9));
  start_client_on_server0(f, created);
  f.sim.run_until(at_s(12));
  ASSERT_EQ(f.ensemble.leader(), 2);
  ASSERT_TRUE(created);
  const std::int64_t epoch = f.ensemble.view(2)->epoch;
  f.ensemble.pause(2);
  f.ensemble.pause(0);
  f.sim.run_until(at_s(31));
  EXPECT_FALSE(f.ensemble.view(1)->serving);  // it gave up on the leader and cannot win alone
  EXPECT_TRUE(f.first("leader-silent", "zk2", at_s(12)).has_value());
  f.ensemble.resume(2);
  f.ensemble.resume(0);
  f.sim.run_until(at_s(40));
  EXPECT_EQ(f.ensemble.leader(), 2);
  EXPECT_EQ(f.ensemble.view(2)->epoch, epoch);  // no new epoch
  EXPECT_FALSE(f.first("quorum-lost", "zk3", at_s(12)).has_value());
  EXPECT_FALSE(f.first("new-epoch", "zk3", at_s(12)).has_value());
  EXPECT_FALSE(f.first("new-epoch", "zk2", at_s(12)).has_value());
  const auto expired = f.first("session-expired", "zk3", at_s(12));
  ASSERT_TRUE(expired.has_value());
  EXPECT_GE(*expired, at_s(31));
  EXPECT_LE(*expired, at_s(31) + milliseconds(100));  // within milliseconds of the resume
  for (int i = 0; i < 3; i++) EXPECT_FALSE(f.ensemble.server(i)->tree().stat("/eph").has_value()) << i;
  EXPECT_EQ(f.serving_leaders(), 1);
  f.sim.shutdown();
}

// The leader alone paused past syncLimit: its followers time out, elect a new leader in a new
// epoch, and the old leader steps down on resume because it cannot reach a quorum.
TEST(ZkPause, LeaderPausedAloneIsReplacedAndStepsDownOnResume) {
  Fixture f;
  f.sim.run_until(at_s(10));
  ASSERT_EQ(f.ensemble.leader(), 2);
  const std::int64_t epoch = f.ensemble.view(2)->epoch;
  f.ensemble.pause(2);
  f.sim.run_until(at_s(30));
  const int successor = f.ensemble.leader();
  ASSERT_TRUE(successor == 0 || successor == 1) << successor;
  EXPECT_GT(f.ensemble.view(successor)->epoch, epoch);
  f.ensemble.resume(2);
  f.sim.run_until(at_s(30) + seconds(2));
  EXPECT_TRUE(f.first("quorum-lost", "zk3", at_s(30)).has_value());
  EXPECT_NE(f.ensemble.view(2)->state, PeerState::kLeading);
  f.sim.run_until(at_s(45));
  EXPECT_EQ(f.ensemble.leader(), successor);
  EXPECT_EQ(f.serving_leaders(), 1);
  f.sim.shutdown();
}

// A follower alone paused past syncLimit: the leader drops it and keeps its quorum with the other
// follower; the resumed follower finds its link closed and syncs again, in the same epoch.
TEST(ZkPause, FollowerPausedAloneRejoinsTheSameLeader) {
  Fixture f;
  f.sim.run_until(at_s(10));
  ASSERT_EQ(f.ensemble.leader(), 2);
  const std::int64_t epoch = f.ensemble.view(2)->epoch;
  f.ensemble.pause(0);
  f.sim.run_until(at_s(30));
  EXPECT_TRUE(f.first("learner-timeout", "zk3", at_s(10)).has_value());
  f.ensemble.resume(0);
  f.sim.run_until(at_s(45));
  EXPECT_EQ(f.ensemble.leader(), 2);
  EXPECT_EQ(f.ensemble.view(2)->epoch, epoch);
  EXPECT_TRUE(f.ensemble.view(0)->serving);
  EXPECT_EQ(f.ensemble.view(0)->state, PeerState::kFollowing);
  f.sim.shutdown();
}

// The quorum port listens only while LEADING (the Leader's constructor binds it, Leader.shutdown
// closes it). A follower that decides before its leader does is refused and retries
// (Learner.connectToLeader), instead of being accepted by a still-LOOKING server that then drops it
// and leaves it LOOKING alone while the leader waits out initLimit for a follower.
TEST(ZkPause, FollowerThatDecidesFirstIsRefusedAndRetriesUntilTheLeaderListens) {
  int elections_with_a_lost_follower = 0;
  for (std::uint64_t seed = 1; seed <= 60; seed++) {
    Fixture f(seed);
    f.sim.run_until(at_s(10));
    elections_with_a_lost_follower += f.first("leader-lost", "zk1", Instant{}).has_value() ||
                                      f.first("leader-lost", "zk2", Instant{}).has_value();
    EXPECT_EQ(f.serving_leaders(), 1) << seed;
    f.sim.shutdown();
  }
  EXPECT_EQ(elections_with_a_lost_follower, 0);
}

}  // namespace
