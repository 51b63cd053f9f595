// The simulated ensemble on its own: election, failover, quorum loss, replication and session
// expiry, driven through raw protocol messages so that the client library is not involved.
#include <gtest/gtest.h>

#include <memory>

#include "model/zookeeper/ensemble.hpp"

namespace {

using model::zk::Code;
using model::zk::Ensemble;
using model::zk::PeerState;
using sim::Instant;
using sim::milliseconds;
using sim::seconds;

Instant at_s(std::int64_t s) { return Instant{} + seconds(s); }

struct Fixture {
  explicit Fixture(int servers, std::uint64_t seed = 1)
      : sim(sim::SimConfig{seed, {}}),
        net(sim, sim::NetworkConfig{sim::LatencyModel::uniform(microseconds(200), milliseconds(2)), milliseconds(1), 10000}),
        ensemble(sim, net, model::zk::default_ensemble(servers, milliseconds(2000))) {
    ensemble.start();
  }
  static sim::Duration microseconds(std::int64_t n) { return sim::microseconds(n); }

  int count_in_state(PeerState state) const {
    int count = 0;
    for (int i = 0; i < ensemble.size(); i++) {
      const auto v = ensemble.view(i);
      count += v && v->state == state && v->serving;
    }
    return count;
  }

  sim::Simulation sim;
  sim::Network net;
  Ensemble ensemble;
};

// A bare client: one connection, one request at a time, answers read from the mailbox.
class RawClient {
 public:
  RawClient(sim::Simulation& sim, sim::Network& net, sim::ProcessId self) : sim_(sim), net_(net), self_(self) {
    box_ = sim.mailbox_open(self);
  }

  // Connects to `server` and establishes (or revalidates) a session. Returns the negotiated
  // timeout, zero for an expired session, or nullopt when the server would not talk.
  std::optional<sim::Duration> connect(sim::ProcessId server, model::zk::SessionId session, sim::Duration timeout) {
    endpoint_ = net_.connect(self_, server, model::zk::kClientPort, box_);
    auto connected = next(seconds(5));
    if (!connected || connected->tag != sim::NetTag::kConnected) return std::nullopt;
    auto request = std::make_shared<model::zk::ConnectRequest>();
    request->session = session;
    request->timeout = timeout;
    net_.send(endpoint_, request);
    auto reply = next(seconds(5));
    if (!reply || reply->tag != sim::NetTag::kData) return std::nullopt;
    const auto* response = sim::payload_as<model::zk::ConnectResponse>(*reply);
    session_ = response->session;
    return response->timeout;
  }

  std::optional<model::zk::ClientReply> call(model::zk::ClientOp op, std::vector<model::zk::WatchNotification>* seen = nullptr) {
    auto request = std::make_shared<model::zk::ClientRequest>();
    request->xid = ++xid_;
    request->op = std::move(op);
    if (!net_.send(endpoint_, request)) return std::nullopt;
    for (;;) {
      auto mail = next(seconds(10));
      if (!mail || mail->tag != sim::NetTag::kData) return std::nullopt;
      if (const auto* reply = sim::payload_as<model::zk::ClientReply>(*mail); reply && reply->xid == xid_) return *reply;
      if (const auto* watch = sim::payload_as<model::zk::WatchNotification>(*mail); watch && seen) seen->push_back(*watch);
    }
  }

  void ping() {
    auto request = std::make_shared<model::zk::ClientRequest>();
    request->xid = model::zk::kPingXid;
    request->op = model::zk::PingRequest{};
    net_.send(endpoint_, request);
  }

  std::optional<sim::Mail> next(sim::Duration timeout) {
    for (;;) {
      auto mail = sim_.receive(box_, timeout);
      if (!mail) return std::nullopt;
      if (const auto* reply = sim::payload_as<model::zk::ClientReply>(*mail); reply && reply->xid == model::zk::kPingXid) {
        continue;
      }
      return mail;
    }
  }

  model::zk::SessionId session() const { return session_; }

 private:
  sim::Simulation& sim_;
  sim::Network& net_;
  sim::ProcessId self_;
  sim::MailboxId box_;
  sim::EndpointId endpoint_ = sim::kNoEndpoint;
  model::zk::SessionId session_ = 0;
  std::int32_t xid_ = 0;
};

model::zk::WriteRequest create(std::string path, model::zk::CreateMode mode = model::zk::CreateMode::Persistent) {
  return model::zk::CreateRequest{std::move(path), std::string("x"), mode};
}

TEST(ZkEnsemble, ElectsExactlyOneLeaderWithOneThreeAndFiveServers) {
  for (const int servers : {1, 3, 5}) {
    Fixture f(servers);
    f.sim.run_until(at_s(10));
    EXPECT_EQ(f.count_in_state(PeerState::kLeading), 1) << servers << " servers";
    EXPECT_EQ(f.count_in_state(PeerState::kFollowing), servers - 1) << servers << " servers";
    // With equal logs the largest server id wins (FastLeaderElection.totalOrderPredicate).
    EXPECT_EQ(f.ensemble.leader(), servers - 1);
    f.sim.shutdown();
  }
}

TEST(ZkEnsemble, KilledLeaderIsReplacedInANewEpoch) {
  Fixture f(3);
  f.sim.run_until(at_s(10));
  const int first = f.ensemble.leader();
  ASSERT_GE(first, 0);
  const auto first_epoch = f.ensemble.view(first)->epoch;
  f.ensemble.kill(first);
  f.sim.run_until(at_s(30));
  const int second = f.ensemble.leader();
  ASSERT_GE(second, 0);
  EXPECT_NE(second, first);
  EXPECT_GT(f.ensemble.view(second)->epoch, first_epoch);
  f.ensemble.restart(first);
  f.sim.run_until(at_s(50));
  EXPECT_EQ(f.ensemble.leader(), second);  // the old leader rejoins as a follower
  EXPECT_EQ(f.count_in_state(PeerState::kFollowing), 2);
  f.sim.shutdown();
}

TEST(ZkEnsemble, QuorumLossStopsServiceAndRecoveryRestoresIt) {
  Fixture f(3);
  f.sim.run_until(at_s(10));
  const int leader = f.ensemble.leader();
  const int survivor = (leader + 1) % 3;
  for (int i = 0; i < 3; i++) {
    if (i != survivor) f.ensemble.kill(i);
  }
  f.sim.run_until(at_s(40));
  EXPECT_EQ(f.ensemble.leader(), -1);
  EXPECT_EQ(f.ensemble.view(survivor)->state, PeerState::kLooking);
  EXPECT_FALSE(f.ensemble.view(survivor)->serving);
  f.ensemble.restart(leader);
  f.sim.run_until(at_s(70));
  EXPECT_GE(f.ensemble.leader(), 0);
  f.sim.shutdown();
}

TEST(ZkEnsemble, WritesReplicateAndReadsSeeThemAfterSync) {
  Fixture f(3);
  std::vector<std::string> children_seen;
  Code create_code = Code::SystemError, second_create_code = Code::SystemError;
  const auto client_pid = f.sim.add_process("client", {[&](sim::ProcessId pid) {
                                                         f.sim.spawn(pid, "main", [&, pid] {
                                                           f.sim.sleep(seconds(10));
                                                           RawClient writer(f.sim, f.net, pid);
                                                           ASSERT_TRUE(writer.connect(f.ensemble.pid(0), 0, seconds(6)));
                                                           create_code = writer.call(create("/a"))->err;
                                                           second_create_code = writer.call(create("/a"))->err;
                                                           RawClient reader(f.sim, f.net, pid);
                                                           ASSERT_TRUE(reader.connect(f.ensemble.pid(1), 0, seconds(6)));
                                                           reader.call(model::zk::SyncRequest{"/"});
                                                           auto reply = reader.call(model::zk::GetChildrenRequest{"/", false});
                                                           ASSERT_TRUE(reply);
                                                           children_seen = std::get<model::zk::GetChildrenResponse>(reply->result).children;
                                                         });
                                                       },
                                                       nullptr});
  f.sim.start(client_pid);
  f.sim.run_until(at_s(30));
  EXPECT_EQ(create_code, Code::Ok);
  EXPECT_EQ(second_create_code, Code::NodeExists);
  EXPECT_EQ(children_seen, (std::vector<std::string>{"a", "zookeeper"}));
  // Every server applied the same history.
  for (int i = 0; i < 3; i++) EXPECT_EQ(f.ensemble.server(i)->tree().dump(), f.ensemble.server(0)->tree().dump());
  f.sim.shutdown();
}

TEST(ZkEnsemble, SilentSessionExpiresAndItsEphemeralGoes) {
  Fixture f(3);
  bool created = false;
  const auto client_pid = f.sim.add_process("client", {[&](sim::ProcessId pid) {
                                                         f.sim.spawn(pid, "main", [&, pid] {
                                                           f.sim.sleep(seconds(10));
                                                           RawClient client(f.sim, f.net, pid);
                                                           ASSERT_TRUE(client.connect(f.ensemble.pid(0), 0, seconds(6)));
                                                           created = client.call(create("/eph", model::zk::CreateMode::Ephemeral))->err == Code::Ok;
                                                           // Then silence: no pings.
                                                           f.sim.sleep(seconds(1000));
                                                         });
                                                       },
                                                       nullptr});
  f.sim.start(client_pid);
  f.sim.run_until(at_s(14));
  ASSERT_TRUE(created);
  const int leader = f.ensemble.leader();
  EXPECT_TRUE(f.ensemble.server(leader)->tree().stat("/eph").has_value());
  // Timeout 6 s, tick 2 s: expired at the first tick boundary after last-heard + 6 s.
  f.sim.run_until(at_s(20));
  f.sim.run_until(at_s(24));
  for (int i = 0; i < 3; i++) EXPECT_FALSE(f.ensemble.server(i)->tree().stat("/eph").has_value()) << i;
  f.sim.shutdown();
}

TEST(ZkEnsemble, SessionSurvivesAQuorumOutageLongerThanItsTimeout) {
  Fixture f(3);
  model::zk::SessionId session = 0;
  std::optional<sim::Duration> reconnect_timeout;
  Instant reconnected_at{};
  bool ephemeral_after = false;
  const auto client_pid = f.sim.add_process("client", {[&](sim::ProcessId pid) {
                                                         f.sim.spawn(pid, "main", [&, pid] {
                                                           f.sim.sleep(seconds(10));
                                                           RawClient client(f.sim, f.net, pid);
                                                           ASSERT_TRUE(client.connect(f.ensemble.pid(2), 0, seconds(6)));
                                                           session = client.session();
                                                           client.call(create("/eph", model::zk::CreateMode::Ephemeral));
                                                           f.sim.sleep(seconds(3));  // the outage starts meanwhile
                                                           // Like the real client, keep trying the servers in turn.
                                                           for (int attempt = 0; attempt < 200 && !reconnect_timeout; attempt++) {
                                                             RawClient again(f.sim, f.net, pid);
                                                             reconnect_timeout = again.connect(f.ensemble.pid(attempt % 3), session, seconds(6));
                                                             if (!reconnect_timeout) {
                                                               f.sim.sleep(seconds(1));
                                                               continue;
                                                             }
                                                             reconnected_at = f.sim.now();
                                                             auto seen = again.call(model::zk::ExistsRequest{"/eph", false});
                                                             ephemeral_after = seen && seen->err == Code::Ok;
                                                           }
                                                         });
                                                       },
                                                       nullptr});
  f.sim.start(client_pid);
  f.sim.run_until(at_s(12));
  ASSERT_NE(session, 0);
  f.ensemble.kill(0);
  f.ensemble.kill(1);
  f.ensemble.kill(2);
  f.sim.run_until(at_s(42));
  for (int i = 0; i < 3; i++) f.ensemble.restart(i);
  f.sim.run_until(at_s(90));
  // The new leader tracked the session afresh, and the client came back within its timeout of
  // the new leader's start, so the session is still valid.
  ASSERT_TRUE(reconnect_timeout.has_value());
  EXPECT_EQ(*reconnect_timeout, seconds(6));
  EXPECT_GT(reconnected_at, at_s(42));  // only after the outage, 30 s > the 6 s timeout
  EXPECT_TRUE(ephemeral_after);  // the session's ephemeral outlived the outage with it
  f.sim.shutdown();
}

TEST(ZkEnsemble, RunsAreDeterministic) {
  auto run = [](std::uint64_t seed) {
    Fixture f(3, seed);
    f.sim.run_until(at_s(10));
    f.ensemble.kill(f.ensemble.leader());
    f.sim.run_until(at_s(30));
    const auto hash = f.sim.trace().hash();
    f.sim.shutdown();
    return hash;
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

}  // namespace

namespace {

TEST(ZkEnsembleFaults, DroppedReplyLeavesTheWriteCommitted) {
  Fixture f(3);
  std::optional<model::zk::ClientReply> first;
  Code retry_code = Code::SystemError;
  const auto client_pid = f.sim.add_process("client", {[&](sim::ProcessId pid) {
                                                         f.sim.spawn(pid, "main", [&, pid] {
                                                           f.sim.sleep(seconds(10));
                                                           RawClient client(f.sim, f.net, pid);
                                                           ASSERT_TRUE(client.connect(f.ensemble.pid(1), 0, seconds(6)));
                                                           const auto session = client.session();
                                                           f.ensemble.drop_next_write_reply(1);
                                                           first = client.call(create("/checkpoint"));
                                                           RawClient again(f.sim, f.net, pid);
                                                           ASSERT_TRUE(again.connect(f.ensemble.pid(2), session, seconds(6)));
                                                           retry_code = again.call(create("/checkpoint"))->err;
                                                         });
                                                       },
                                                       nullptr});
  f.sim.start(client_pid);
  f.sim.run_until(at_s(30));
  EXPECT_FALSE(first.has_value());             // the client saw the connection go, not an answer
  EXPECT_EQ(retry_code, Code::NodeExists);     // yet the first create had committed
  f.sim.shutdown();
}

}  // namespace

namespace {

bool traced(sim::Simulation& sim, const std::string& name, const std::string& process = "") {
  for (const sim::TraceEvent& event : sim.trace().events()) {
    if (event.category == "zk" && event.name == name && (process.empty() || event.process == process)) return true;
  }
  return false;
}

// SessionTrackerImpl.checkSession(sessionId, owner): once the session was revalidated through
// another server (Leader.revalidateSession -> setOwner), a write still sent through the old
// connection is SessionMoved, which FinalRequestProcessor answers by closing that connection. Both
// for an old connection on a follower (owner: its LearnerHandler) and on the leader (ServerCnxn.me).
TEST(ZkEnsembleSessions, WriteThroughTheOldServerAfterAReattachIsSessionMoved) {
  for (const int old_server : {0, 2}) {  // 2 leads (largest id, equal logs)
    Fixture f(3);
    const int new_server = old_server == 0 ? 1 : 0;
    std::optional<model::zk::ClientReply> stale_single, stale_multi, moved_write;
    Code fresh_code = Code::SystemError;
    const auto client_pid = f.sim.add_process("client", {[&](sim::ProcessId pid) {
                                                           f.sim.spawn(pid, "main", [&, pid] {
                                                             f.sim.sleep(seconds(10));
                                                             RawClient old_cnxn(f.sim, f.net, pid);
                                                             ASSERT_TRUE(old_cnxn.connect(f.ensemble.pid(old_server), 0, seconds(6)));
                                                             ASSERT_EQ(old_cnxn.call(create("/before"))->err, Code::Ok);
                                                             RawClient new_cnxn(f.sim, f.net, pid);
                                                             ASSERT_TRUE(new_cnxn.connect(f.ensemble.pid(new_server), old_cnxn.session(), seconds(6)));
                                                             stale_single = old_cnxn.call(create("/stale"));
                                                             fresh_code = new_cnxn.call(create("/fresh"))->err;
                                                             RawClient old_again(f.sim, f.net, pid);
                                                             ASSERT_TRUE(old_again.connect(f.ensemble.pid(old_server), old_cnxn.session(), seconds(6)));
                                                             // The reattach moved it back: now the other connection is the stale one.
                                                             moved_write = new_cnxn.call(model::zk::MultiRequest{{model::zk::CreateRequest{"/stale-multi", std::string("x"), model::zk::CreateMode::Persistent}}});
                                                             stale_multi = old_again.call(create("/after"));
                                                           });
                                                         },
                                                         nullptr});
    f.sim.start(client_pid);
    f.sim.run_until(at_s(30));
    EXPECT_FALSE(stale_single.has_value()) << old_server;  // no answer: the connection was closed
    EXPECT_EQ(fresh_code, Code::Ok) << old_server;
    EXPECT_FALSE(moved_write.has_value()) << old_server;
    ASSERT_TRUE(stale_multi.has_value()) << old_server;
    EXPECT_EQ(stale_multi->err, Code::Ok) << old_server;
    EXPECT_TRUE(traced(f.sim, "session-moved")) << old_server;
    for (int i = 0; i < 3; i++) {
      EXPECT_FALSE(f.ensemble.server(i)->tree().stat("/stale").has_value()) << old_server << " " << i;
      EXPECT_FALSE(f.ensemble.server(i)->tree().stat("/stale-multi").has_value()) << old_server << " " << i;
      EXPECT_TRUE(f.ensemble.server(i)->tree().stat("/after").has_value()) << old_server << " " << i;
    }
    f.sim.shutdown();
  }
}

// LearnerHandler sets the learner socket's read timeout to syncLimit ticks once it is synced: a
// follower paused longer than that (10 s here) is dropped by the leader and must sync again when
// it resumes; a shorter pause keeps its link.
TEST(ZkEnsembleSessions, LeaderDropsALearnerSilentForSyncLimitTicks) {
  for (const int pause_s : {8, 12}) {
    Fixture f(3);
    f.sim.run_until(at_s(10));
    ASSERT_EQ(f.ensemble.leader(), 2);
    f.ensemble.pause(0);
    f.sim.run_until(at_s(10 + pause_s));
    f.ensemble.resume(0);
    f.sim.run_until(at_s(10 + pause_s) + milliseconds(20));
    const bool dropped = traced(f.sim, "learner-timeout", "zk3");
    const bool resynced = traced(f.sim, "leader-lost", "zk1");  // its leader link was gone on resume
    EXPECT_EQ(dropped, pause_s >= 10) << pause_s;
    EXPECT_EQ(resynced, pause_s >= 10) << pause_s;
    EXPECT_EQ(f.ensemble.leader(), 2) << pause_s;  // the other follower keeps the quorum
    f.sim.run_until(at_s(40));
    EXPECT_EQ(f.count_in_state(PeerState::kFollowing), 2) << pause_s;  // it synced again
    f.sim.shutdown();
  }
}

}  // namespace
