#include <gtest/gtest.h>

#include <memory>

#include "model/flink/leader_election.hpp"
#include "model/flink/leader_retrieval.hpp"
#include "model/zookeeper/ensemble.hpp"

namespace {

using sim::Instant;
using sim::milliseconds;
using sim::seconds;

Instant at_s(std::int64_t s) { return Instant{} + seconds(s); }

const std::string kNamespace = "/flink/default";

struct JobManager {
  sim::ProcessId pid = sim::kNoProcess;
  std::unique_ptr<model::curator::CuratorFramework> client;
  std::unique_ptr<model::flink::LeaderElectionService> election;
  sim::MailboxId dispatcher_box;
};

struct Cluster {
  explicit Cluster(std::uint64_t seed)
      : sim(sim::SimConfig{seed, {}}),
        net(sim, sim::NetworkConfig{sim::LatencyModel::uniform(sim::microseconds(200), milliseconds(2)), milliseconds(1), 10000}),
        ensemble(sim, net, model::zk::default_ensemble(3, milliseconds(2000))) {
    ensemble.start();
    for (int i = 0; i < 3; i++) {
      jms.emplace_back();
      jms.back().pid = sim.add_process("jm" + std::to_string(i + 1), {[this, i](sim::ProcessId pid) { boot(i, pid); },
                                                                       [this, i](sim::ProcessId) {
                                                                         jms[static_cast<std::size_t>(i)].election.reset();
                                                                         jms[static_cast<std::size_t>(i)].client.reset();
                                                                       }});
    }
  }

  model::curator::CuratorOptions options(const std::string& name) {
    model::curator::CuratorOptions o;
    o.servers = ensemble.pids();
    o.session_timeout = seconds(10);
    o.connection_timeout = seconds(5);
    o.retry = model::curator::ExponentialBackoffRetry{seconds(1), 3};
    o.name = name;
    return o;
  }

  // A dispatcher contender confirms each grant from its own fiber, as Flink's does.
  void boot(int i, sim::ProcessId pid) {
    JobManager& jm = jms[static_cast<std::size_t>(i)];
    const std::string address = "akka://jm" + std::to_string(i + 1) + "/dispatcher";
    jm.client = std::make_unique<model::curator::CuratorFramework>(sim, net, pid, options("jm"));
    jm.client->start();
    jm.election = std::make_unique<model::flink::LeaderElectionService>(
        *jm.client, model::flink::LeaderElectionOptions{kNamespace, "jm" + std::to_string(i + 1), false, {}});
    jm.dispatcher_box = sim.mailbox_open(pid);
    const sim::MailboxId box = jm.dispatcher_box;
    jm.election->add_contender(model::flink::LeaderContender{
        "dispatcher",
        [this, box](const std::string& session) {
          sim.mailbox_post(box, sim::Mail{1, 0, std::make_shared<Session>(session)});
        },
        [] {}});
    sim.spawn(pid, "dispatcher", [this, i, box, address] {
      for (;;) {
        const auto granted = sim.receive(box);
        const std::string session = sim::payload_as<Session>(*granted)->id;
        if (jms[static_cast<std::size_t>(i)].election->confirm("dispatcher", session, address)) {
          confirmed.push_back({sim.now(), i, session});
        }
      }
    });
    jm.election->start();
  }

  struct Session final : sim::Payload {
    explicit Session(std::string s) : id(std::move(s)) {}
    std::string describe() const override { return id; }
    std::string id;
  };
  struct Confirmation {
    Instant at;
    int jm;
    std::string session;
  };

  // Reads connection_info through a separate client process at `when`.
  model::flink::LeaderInformation read_connection_info(Instant when) {
    model::flink::LeaderInformation seen;
    const auto reader = sim.add_process("reader" + std::to_string(readers++), {[&, when](sim::ProcessId pid) {
                                                                                sim.spawn(pid, "read", [&, pid, when] {
                                                                                  model::curator::CuratorFramework client(sim, net, pid, options("reader"));
                                                                                  client.start();
                                                                                  sim.sleep(when - sim.now());
                                                                                  const auto read = client.get_data(model::flink::connection_info_path(kNamespace, "dispatcher"));
                                                                                  if (read.code == model::zk::Code::Ok) seen = model::flink::decode_leader_information(read.data);
                                                                                  sim.sleep(seconds(100000));
                                                                                });
                                                                              },
                                                                              nullptr});
    sim.start(reader);
    sim.run_until(when + seconds(5));
    return seen;
  }

  // A TaskManager-like process that only retrieves the dispatcher's leader.
  sim::ProcessId add_retriever(bool mutant_19557) {
    return sim.add_process("tm1", {[this, mutant_19557](sim::ProcessId pid) {
                                     retriever_client = std::make_unique<model::curator::CuratorFramework>(sim, net, pid, options("tm"));
                                     retriever_client->start();
                                     retrieval = std::make_unique<model::flink::LeaderRetrieval>(
                                         *retriever_client,
                                         model::flink::LeaderRetrievalOptions{model::flink::connection_info_path(kNamespace, "dispatcher"),
                                                                              false, mutant_19557, {}},
                                         [this](const model::flink::LeaderInformation& info) { retrieved.push_back({sim.now(), info}); });
                                     retrieval->start();
                                   },
                                   nullptr});
  }

  std::unique_ptr<model::curator::CuratorFramework> retriever_client;
  std::unique_ptr<model::flink::LeaderRetrieval> retrieval;
  std::vector<std::pair<Instant, model::flink::LeaderInformation>> retrieved;
  int readers = 0;
  sim::Simulation sim;
  sim::Network net;
  model::zk::Ensemble ensemble;
  std::vector<JobManager> jms;
  std::vector<Confirmation> confirmed;
};

TEST(LeaderElection, OneConfirmedLeaderPublishesConnectionInfoAndAFailoverReplacesIt) {
  for (std::uint64_t seed = 1; seed <= 5; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Cluster c(seed);
    for (const auto& jm : c.jms) c.sim.start(jm.pid);
    c.sim.run_until(at_s(20));
    ASSERT_EQ(c.confirmed.size(), 1u);
    const auto first = c.confirmed.front();
    const auto published = c.read_connection_info(at_s(25));
    EXPECT_EQ(published.session_id, first.session);
    EXPECT_EQ(published.address, "akka://jm" + std::to_string(first.jm + 1) + "/dispatcher");

    c.sim.crash(c.jms[static_cast<std::size_t>(first.jm)].pid);
    c.sim.run_until(at_s(60));
    ASSERT_EQ(c.confirmed.size(), 2u);
    const auto second = c.confirmed.back();
    EXPECT_NE(second.jm, first.jm);
    EXPECT_NE(second.session, first.session);
    const auto republished = c.read_connection_info(at_s(65));
    EXPECT_EQ(republished.session_id, second.session);

    // The znode layout of the facts file is visible in the trace.
    bool latch_node = false, connection_info = false;
    for (const auto& event : c.sim.trace().events()) {
      const auto* path = event.string_field("path");
      if (path == nullptr) continue;
      latch_node |= path->rfind(kNamespace + "/leader/latch/_c_", 0) == 0 && path->find("-latch-") != std::string::npos;
    }
    for (const auto& event : c.sim.trace().events()) {
      connection_info |= event.name == "confirm" && event.string_field("component") && *event.string_field("component") == "dispatcher";
    }
    EXPECT_TRUE(latch_node);
    EXPECT_TRUE(connection_info);
    c.sim.shutdown();
  }
}

TEST(LeaderElection, ConfirmWithAStaleSessionIdIsRejected) {
  Cluster c(3);
  for (const auto& jm : c.jms) c.sim.start(jm.pid);
  c.sim.run_until(at_s(20));
  ASSERT_EQ(c.confirmed.size(), 1u);
  const auto leader = c.confirmed.front();
  bool stale_accepted = true;
  const auto pid = c.jms[static_cast<std::size_t>(leader.jm)].pid;
  c.sim.spawn(pid, "stale", [&, leader] {
    stale_accepted = c.jms[static_cast<std::size_t>(leader.jm)].election->confirm("dispatcher", "not-the-issued-id", "akka://x");
  });
  c.sim.run_until(at_s(25));
  EXPECT_FALSE(stale_accepted);
  c.sim.shutdown();
}

TEST(LeaderRetrieval, FollowsTheConfirmedLeaderThroughAFailover) {
  Cluster c(4);
  for (const auto& jm : c.jms) c.sim.start(jm.pid);
  c.sim.start(c.add_retriever(false));
  c.sim.run_until(at_s(20));
  ASSERT_EQ(c.confirmed.size(), 1u);
  EXPECT_EQ(c.retrieval->last_notified().session_id, c.confirmed.back().session);
  c.sim.crash(c.jms[static_cast<std::size_t>(c.confirmed.back().jm)].pid);
  c.sim.run_until(at_s(60));
  ASSERT_EQ(c.confirmed.size(), 2u);
  EXPECT_EQ(c.retrieval->last_notified().session_id, c.confirmed.back().session);
  c.retriever_client.reset();
  c.sim.shutdown();
}

// The TaskManager is cut off from everyone for 8 s: past its read timeout (6.7 s), so its
// client goes SUSPENDED and it reports "no leader"; within its session timeout (10 s), so the
// session and the leader survive and nothing changes in ZooKeeper.
void cut_off_retriever_briefly(Cluster& c, sim::ProcessId tm) {
  for (const auto& jm : c.jms) c.sim.start(jm.pid);
  c.sim.start(tm);
  c.sim.run_until(at_s(20));
  c.net.isolate(tm);
  c.sim.run_until(at_s(28));
  c.net.heal();
  c.sim.run_until(at_s(45));
}

TEST(LeaderRetrieval, RereadsAfterReconnectedSoABlipDoesNotLoseTheLeader) {
  Cluster c(5);
  const auto tm = c.add_retriever(false);
  cut_off_retriever_briefly(c, tm);
  ASSERT_EQ(c.confirmed.size(), 1u);
  bool reported_no_leader = false;
  for (const auto& [at, info] : c.retrieved) reported_no_leader |= info.empty() && at > at_s(20);
  EXPECT_TRUE(reported_no_leader);
  EXPECT_EQ(c.retrieval->last_notified().session_id, c.confirmed.back().session);
  c.retriever_client.reset();
  c.sim.shutdown();
}

TEST(LeaderRetrieval, MutantFlink19557StaysAtNoLeaderAfterTheSameBlip) {
  Cluster c(5);
  const auto tm = c.add_retriever(true);
  cut_off_retriever_briefly(c, tm);
  ASSERT_EQ(c.confirmed.size(), 1u);  // the leader never changed
  EXPECT_TRUE(c.retrieval->last_notified().empty());
  c.retriever_client.reset();
  c.sim.shutdown();
}

// Flink >= 1.18 (DefaultLeaderElectionService.notifyLeaderInformationChangeInternal): a leader
// whose confirmed connection_info is overwritten by someone else publishes its own again
// ("Correcting leader information"), and one whose node was deleted re-creates it.
TEST(LeaderElection, TheLeaderCorrectsForeignOrMissingConnectionInfo) {
  Cluster c(7);
  for (const auto& jm : c.jms) c.sim.start(jm.pid);
  c.sim.run_until(at_s(20));
  ASSERT_EQ(c.confirmed.size(), 1u);
  const auto leader = c.confirmed.front();
  const std::string path = model::flink::connection_info_path(kNamespace, "dispatcher");
  const auto intruder = c.sim.add_process("intruder", {[&](sim::ProcessId pid) {
                                             c.sim.spawn(pid, "overwrite", [&, pid] {
                                               model::curator::CuratorFramework client(c.sim, c.net, pid, c.options("intruder"));
                                               client.start();
                                               c.sim.sleep(seconds(2));
                                               client.remove(path);
                                               client.create(path, model::flink::encode_leader_information({"foreign", "akka://x"}),
                                                             model::zk::CreateMode::Ephemeral);
                                               c.sim.sleep(seconds(5));
                                               client.remove(path);  // no leader at all
                                               c.sim.sleep(seconds(100000));
                                             });
                                           },
                                           nullptr});
  c.sim.start(intruder);
  c.sim.run_until(at_s(24));
  EXPECT_EQ(c.read_connection_info(at_s(25)).session_id, leader.session);
  EXPECT_EQ(c.read_connection_info(at_s(35)).session_id, leader.session);
  std::size_t corrected = 0;
  for (const auto& event : c.sim.trace().events()) corrected += event.name == "leader-information-corrected";
  EXPECT_GE(corrected, 2u);
  EXPECT_EQ(c.confirmed.size(), 1u);  // still the same leader
  c.sim.shutdown();
}

// G7: the TaskManager boots while it cannot reach ZooKeeper for longer than Curator's retries
// last, so its first read fails for good; the first connection (CONNECTED) must read again, as
// TreeCache's root.wasCreated() does, or it never learns the leader.
TEST(LeaderRetrieval, StartedWhileZooKeeperIsUnreachableReadsOnTheFirstConnection) {
  Cluster c(6);
  for (const auto& jm : c.jms) c.sim.start(jm.pid);
  c.sim.run_until(at_s(20));
  ASSERT_EQ(c.confirmed.size(), 1u);
  const auto tm = c.add_retriever(false);
  for (const sim::ProcessId zk : c.ensemble.pids()) {
    c.net.cut(tm, zk);
    c.net.cut(zk, tm);
  }
  c.sim.start(tm);
  c.sim.run_until(at_s(80));
  EXPECT_TRUE(c.retrieval->last_notified().empty());
  for (const sim::ProcessId zk : c.ensemble.pids()) {
    c.net.heal(tm, zk);
    c.net.heal(zk, tm);
  }
  c.sim.run_until(at_s(100));
  EXPECT_EQ(c.retrieval->last_notified().session_id, c.confirmed.back().session);
  c.retriever_client.reset();
  c.sim.shutdown();
}

}  // namespace
