// The simulated ZooKeeper Java client against the simulated ensemble: session establishment,
// request semantics, pings, reconnection, expiry, quorum loss, watch ordering and re-arming.
#include "model/zookeeper/zk_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/zookeeper/ensemble.hpp"

namespace {

using model::zk::ClientState;
using model::zk::Code;
using model::zk::CreateMode;
using model::zk::EventType;
using model::zk::KeeperState;
using model::zk::WatchedEvent;
using model::zk::ZkClient;
using sim::Instant;
using sim::milliseconds;
using sim::seconds;

Instant at_s(std::int64_t s) { return Instant{} + seconds(s); }

WatchedEvent state_event(KeeperState state) { return WatchedEvent{EventType::None, state, {}}; }

// One client process: its boot builds a ZkClient whose watcher records every event, and its
// crash drops the client, as a JVM's heap goes with it.
struct ClientProcess {
  sim::ProcessId pid = sim::kNoProcess;
  sim::Duration session_timeout;
  std::unique_ptr<ZkClient> client;
  std::vector<WatchedEvent> events;
  std::vector<std::string> log;  // watcher and script entries, in the order they happened
  // Called on the event fiber after an event is recorded; may make blocking calls.
  std::function<void(ZkClient&, const WatchedEvent&)> on_event;

  std::vector<WatchedEvent> state_events() const {
    std::vector<WatchedEvent> out;
    for (const auto& e : events) {
      if (e.type == EventType::None) out.push_back(e);
    }
    return out;
  }
};

struct Fixture {
  explicit Fixture(int servers, std::uint64_t seed = 1)
      : sim(sim::SimConfig{seed, {}}),
        net(sim, sim::NetworkConfig{sim::LatencyModel::uniform(sim::microseconds(200), milliseconds(2)),
                                    milliseconds(1), 10000}),
        ensemble(sim, net, model::zk::default_ensemble(servers, milliseconds(2000))) {
    ensemble.start();
  }
  ~Fixture() {
    sim.shutdown();
    if (std::getenv("ZKCLIENT_TEST_TRACE") == nullptr) return;
    for (const auto& e : sim.trace().events()) {
      if (e.category == "zkclient" || e.category == "proc" || e.category == "fault" ||
          (e.category == "zk" && e.name != "vote" && e.name != "looking")) {
        std::fprintf(stderr, "%s\n", sim::Trace::to_json_line(e).c_str());
      }
    }
  }

  ClientProcess& add_client(const std::string& name, sim::Duration session_timeout) {
    clients.push_back(std::make_unique<ClientProcess>());
    ClientProcess* proc = clients.back().get();
    proc->session_timeout = session_timeout;
    proc->pid = sim.add_process(name, sim::ProcessHooks{[this, proc](sim::ProcessId) { boot(*proc); },
                                                        [proc](sim::ProcessId) { proc->client.reset(); }});
    sim.start(proc->pid);
    return *proc;
  }

  void boot(ClientProcess& proc) {
    ClientProcess* p = &proc;
    auto watcher = [p](const WatchedEvent& event) {
      p->events.push_back(event);
      p->log.push_back("event " + std::string(model::zk::to_string(event.type)) + " " + event.path);
      if (p->on_event) p->on_event(*p->client, event);
    };
    proc.client = std::make_unique<ZkClient>(sim, net, proc.pid,
                                             model::zk::ZkClientConfig{ensemble.pids(), proc.session_timeout},
                                             watcher);
  }

  // Runs `body` in a new fiber of the client's process, now.
  void run_in(ClientProcess& proc, std::function<void(ZkClient&)> body) {
    ClientProcess* p = &proc;
    sim.spawn(proc.pid, "script", [p, body = std::move(body)] { body(*p->client); });
  }

  // Cuts `pid` off from every server; other clients still reach them.
  void isolate(sim::ProcessId pid) { net.partition({{pid}, ensemble.pids()}); }

  int server_index(sim::ProcessId pid) const {
    for (int i = 0; i < ensemble.size(); i++) {
      if (ensemble.pid(i) == pid) return i;
    }
    return -1;
  }

  std::size_t count_records(const std::string& name, const std::string& process) {
    return static_cast<std::size_t>(std::count_if(sim.trace().events().begin(), sim.trace().events().end(),
                                                  [&](const sim::TraceEvent& e) {
                                                    return e.category == "zkclient" && e.name == name &&
                                                           e.process == process;
                                                  }));
  }

  sim::Simulation sim;
  sim::Network net;
  model::zk::Ensemble ensemble;
  std::vector<std::unique_ptr<ClientProcess>> clients;
};

// Blocks the calling fiber until the client is connected, or `limit` passes.
bool wait_connected(sim::Simulation& sim, ZkClient& client, sim::Duration limit = seconds(30)) {
  const Instant deadline = sim.now() + limit;
  while (client.state() != ClientState::kConnected) {
    if (sim.now() >= deadline) return false;
    sim.sleep(milliseconds(50));
  }
  return true;
}

TEST(ZkClient, CreateGetSetDeleteOnAThreeServerEnsemble) {
  Fixture f(3);
  ClientProcess& c = f.add_client("jm1", seconds(10));
  bool done = false;
  f.sim.run_until(at_s(5));
  f.run_in(c, [&](ZkClient& zk) {
    ASSERT_TRUE(wait_connected(f.sim, zk));
    EXPECT_NE(zk.session_id(), 0);
    const auto created = zk.create("/a", std::string("x"), CreateMode::Persistent);
    EXPECT_EQ(created.code, Code::Ok);
    EXPECT_EQ(created.path, "/a");
    EXPECT_EQ(zk.create("/a", std::string("y"), CreateMode::Persistent).code, Code::NodeExists);
    EXPECT_EQ(zk.create("/missing/child", std::nullopt, CreateMode::Persistent).code, Code::NoNode);

    const auto read = zk.get_data("/a");
    EXPECT_EQ(read.code, Code::Ok);
    EXPECT_EQ(read.data, std::optional<std::string>("x"));
    EXPECT_EQ(read.stat.version, 0);

    const auto set = zk.set_data("/a", std::string("z"), 0);
    EXPECT_EQ(set.code, Code::Ok);
    EXPECT_EQ(set.stat.version, 1);
    EXPECT_EQ(zk.set_data("/a", std::string("w"), 0).code, Code::BadVersion);
    EXPECT_EQ(zk.get_data("/a").data, std::optional<std::string>("z"));

    const auto seq = zk.create("/a/s-", std::nullopt, CreateMode::PersistentSequential);
    EXPECT_EQ(seq.code, Code::Ok);
    EXPECT_EQ(seq.path, "/a/s-0000000000");
    const auto children = zk.get_children("/a");
    EXPECT_EQ(children.code, Code::Ok);
    EXPECT_EQ(children.children, std::vector<std::string>{"s-0000000000"});
    EXPECT_EQ(zk.remove("/a"), Code::NotEmpty);
    EXPECT_EQ(zk.remove(seq.path, 5), Code::BadVersion);
    EXPECT_EQ(zk.remove(seq.path), Code::Ok);

    const auto multi = zk.multi({model::zk::CreateRequest{"/m", std::nullopt, CreateMode::Persistent},
                                 model::zk::CheckRequest{"/a", 7}});
    EXPECT_EQ(multi.code, Code::BadVersion);
    EXPECT_EQ(multi.results.size(), 2u);
    EXPECT_EQ(zk.exists("/m").code, Code::NoNode);  // all or nothing
    const auto multi_ok = zk.multi({model::zk::CreateRequest{"/m", std::nullopt, CreateMode::Persistent},
                                    model::zk::SetDataRequest{"/a", std::string("m"), 1}});
    EXPECT_EQ(multi_ok.code, Code::Ok);

    EXPECT_EQ(zk.sync("/a"), Code::Ok);
    EXPECT_EQ(zk.remove("/a", 2), Code::Ok);
    EXPECT_EQ(zk.get_data("/a").code, Code::NoNode);
    EXPECT_EQ(zk.exists("/a").code, Code::NoNode);
    EXPECT_GT(zk.last_zxid_seen(), 0);
    done = true;
  });
  f.sim.run_until(at_s(30));
  EXPECT_TRUE(done);
  EXPECT_EQ(c.state_events(), std::vector<WatchedEvent>{state_event(KeeperState::kSyncConnected)});
}

TEST(ZkClient, RequestsMadeWhileConnectingAreSentOnceConnected) {
  Fixture f(3);
  f.sim.run_until(at_s(5));
  ClientProcess& c = f.add_client("jm1", seconds(10));
  Code code = Code::SystemError;
  // The send thread has only just sent its first SYN.
  f.run_in(c, [&](ZkClient& zk) {
    EXPECT_EQ(zk.state(), ClientState::kConnecting);
    code = zk.create("/early", std::nullopt, CreateMode::Persistent).code;
  });
  f.sim.run_until(at_s(10));
  EXPECT_EQ(code, Code::Ok);
}

TEST(ZkClient, NegotiatedTimeoutIsClampedToTheServerBounds) {
  Fixture f(3);  // tick 2 s: bounds [4 s, 40 s]
  ClientProcess& low = f.add_client("low", seconds(1));
  ClientProcess& mid = f.add_client("mid", seconds(10));
  ClientProcess& high = f.add_client("high", seconds(100));
  f.sim.run_until(at_s(10));
  EXPECT_EQ(low.client->negotiated_timeout(), seconds(4));
  EXPECT_EQ(mid.client->negotiated_timeout(), seconds(10));
  EXPECT_EQ(high.client->negotiated_timeout(), seconds(40));
}

TEST(ZkClient, PingsKeepAnIdleSessionAliveForMinutes) {
  Fixture f(3);
  ClientProcess& c = f.add_client("jm1", seconds(4));  // readTimeout 2.666 s, a ping every ~1.3 s
  ClientProcess& observer = f.add_client("observer", seconds(10));
  f.sim.run_until(at_s(5));
  model::zk::SessionId session = 0;
  f.run_in(c, [&](ZkClient& zk) {
    ASSERT_TRUE(wait_connected(f.sim, zk));
    session = zk.session_id();
    EXPECT_EQ(zk.create("/eph", std::nullopt, CreateMode::Ephemeral).code, Code::Ok);
  });
  f.sim.run_until(at_s(5 + 300));
  Code seen = Code::SystemError;
  f.run_in(observer, [&](ZkClient& zk) { seen = zk.exists("/eph").code; });
  f.sim.run_until(at_s(310));
  EXPECT_EQ(seen, Code::Ok);
  EXPECT_EQ(c.client->state(), ClientState::kConnected);
  EXPECT_EQ(c.client->session_id(), session);
  EXPECT_EQ(c.state_events(), std::vector<WatchedEvent>{state_event(KeeperState::kSyncConnected)});
  EXPECT_EQ(f.count_records("disconnected", "jm1"), 0u);
}

TEST(ZkClient, PausedClientLosesItsEphemeralAndSeesDisconnectedThenExpired) {
  Fixture f(3);
  ClientProcess& c = f.add_client("jm1", seconds(4));
  ClientProcess& observer = f.add_client("observer", seconds(10));
  f.sim.run_until(at_s(5));
  f.run_in(c, [&](ZkClient& zk) {
    ASSERT_TRUE(wait_connected(f.sim, zk));
    EXPECT_EQ(zk.create("/eph", std::nullopt, CreateMode::Ephemeral).code, Code::Ok);
  });
  f.sim.run_until(at_s(8));
  f.sim.pause(c.pid);
  f.sim.run_until(at_s(20));  // 12 s > T + a tick
  Code seen = Code::SystemError;
  f.run_in(observer, [&](ZkClient& zk) { seen = zk.exists("/eph").code; });
  f.sim.run_until(at_s(21));
  EXPECT_EQ(seen, Code::NoNode);
  EXPECT_EQ(c.state_events(), std::vector<WatchedEvent>{state_event(KeeperState::kSyncConnected)});

  f.sim.resume(c.pid);
  f.sim.run_until(at_s(30));
  EXPECT_EQ(c.state_events(), (std::vector<WatchedEvent>{state_event(KeeperState::kSyncConnected),
                                                         state_event(KeeperState::kDisconnected),
                                                         state_event(KeeperState::kExpired)}));
  EXPECT_EQ(c.client->state(), ClientState::kClosed);
  Code after = Code::SystemError;
  f.run_in(c, [&](ZkClient& zk) { after = zk.get_data("/").code; });
  f.sim.run_until(at_s(31));
  EXPECT_EQ(after, Code::SessionExpired);
}

TEST(ZkClient, ServerKillMovesTheSessionToAnotherServer) {
  Fixture f(3);
  ClientProcess& c = f.add_client("jm1", seconds(10));
  f.sim.run_until(at_s(5));
  f.run_in(c, [&](ZkClient& zk) {
    ASSERT_TRUE(wait_connected(f.sim, zk));
    EXPECT_EQ(zk.create("/eph", std::nullopt, CreateMode::Ephemeral).code, Code::Ok);
  });
  f.sim.run_until(at_s(6));
  const model::zk::SessionId session = c.client->session_id();
  const auto first = c.client->connected_server();
  ASSERT_TRUE(first.has_value());
  f.ensemble.kill(f.server_index(*first));
  f.sim.run_until(at_s(30));
  ASSERT_EQ(c.client->state(), ClientState::kConnected);
  EXPECT_EQ(c.client->session_id(), session);
  EXPECT_NE(c.client->connected_server(), first);
  EXPECT_EQ(c.state_events(), (std::vector<WatchedEvent>{state_event(KeeperState::kSyncConnected),
                                                         state_event(KeeperState::kDisconnected),
                                                         state_event(KeeperState::kSyncConnected)}));
  model::zk::StatResult eph;
  f.run_in(c, [&](ZkClient& zk) { eph = zk.exists("/eph"); });
  f.sim.run_until(at_s(31));
  EXPECT_EQ(eph.code, Code::Ok);
  EXPECT_EQ(eph.stat.ephemeral_owner, session);
}

TEST(ZkClient, QuorumLossFailsOpsAndTheSessionSurvivesALongOutage) {
  Fixture f(3);
  ClientProcess& c = f.add_client("jm1", seconds(6));
  f.sim.run_until(at_s(5));
  f.run_in(c, [&](ZkClient& zk) {
    ASSERT_TRUE(wait_connected(f.sim, zk));
    EXPECT_EQ(zk.create("/eph", std::nullopt, CreateMode::Ephemeral).code, Code::Ok);
  });
  f.sim.run_until(at_s(6));
  const model::zk::SessionId session = c.client->session_id();
  // Crash the two servers the client is not connected to: its own server loses its quorum.
  const int survivor = f.server_index(*c.client->connected_server());
  for (int i = 0; i < 3; i++) {
    if (i != survivor) f.ensemble.kill(i);
  }
  f.sim.run_until(at_s(25));
  Code during = Code::SystemError;
  sim::Duration took{};
  f.run_in(c, [&](ZkClient& zk) {
    const Instant start = f.sim.now();
    during = zk.create("/during", std::nullopt, CreateMode::Persistent).code;
    took = f.sim.now() - start;
  });
  f.sim.run_until(at_s(45));
  EXPECT_EQ(during, Code::ConnectionLoss);
  EXPECT_LT(took, seconds(6));
  EXPECT_NE(c.client->state(), ClientState::kConnected);

  for (int i = 0; i < 3; i++) {
    if (i != survivor) f.ensemble.restart(i);
  }
  f.sim.run_until(at_s(75));
  ASSERT_EQ(c.client->state(), ClientState::kConnected);
  EXPECT_EQ(c.client->session_id(), session);
  const auto states = c.state_events();
  EXPECT_EQ(std::count(states.begin(), states.end(), state_event(KeeperState::kExpired)), 0);
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.back(), state_event(KeeperState::kSyncConnected));
  model::zk::StatResult eph;
  f.run_in(c, [&](ZkClient& zk) { eph = zk.exists("/eph"); });
  f.sim.run_until(at_s(80));
  EXPECT_EQ(eph.code, Code::Ok);
  EXPECT_EQ(eph.stat.ephemeral_owner, session);
}

TEST(ZkClient, PartitionFromTheEnsembleDisconnectsAfterTheReadTimeout) {
  Fixture f(3);
  ClientProcess& c = f.add_client("jm1", seconds(6));  // readTimeout 4 s
  f.sim.run_until(at_s(5));
  f.run_in(c, [&](ZkClient& zk) { ASSERT_TRUE(wait_connected(f.sim, zk)); });
  f.sim.run_until(at_s(6));
  f.isolate(c.pid);
  Code during = Code::SystemError;
  sim::Instant returned{};
  f.run_in(c, [&](ZkClient& zk) {
    during = zk.create("/p", std::nullopt, CreateMode::Persistent).code;
    returned = f.sim.now();
  });
  f.sim.run_until(at_s(12));
  EXPECT_EQ(during, Code::ConnectionLoss);
  // Last heard at most one ping interval (readTimeout/2) before the cut; then 100 ms of cleanup.
  EXPECT_GE(returned, at_s(6) + seconds(2));
  EXPECT_LE(returned, at_s(6) + seconds(4) + milliseconds(150));
  EXPECT_EQ(c.state_events().back(), state_event(KeeperState::kDisconnected));
  // Healed after the session expired on the ensemble: the reconnect learns it.
  f.sim.run_until(at_s(25));
  f.net.heal();
  f.sim.run_until(at_s(35));
  EXPECT_EQ(c.state_events(), (std::vector<WatchedEvent>{state_event(KeeperState::kSyncConnected),
                                                         state_event(KeeperState::kDisconnected),
                                                         state_event(KeeperState::kExpired)}));
  EXPECT_EQ(c.client->state(), ClientState::kClosed);
}

// A request has no timeout of its own: a write stuck on a server cut off from its quorum
// returns only when that server gives up (syncLimit ticks) and drops the connection, which the
// client's pings kept alive until then. Reads there are still answered, possibly stale.
TEST(ZkClient, WriteOnAServerCutOffFromItsQuorumWaitsForTheConnectionToDrop) {
  Fixture f(3);
  ClientProcess& c = f.add_client("jm1", seconds(20));
  f.sim.run_until(at_s(5));
  f.run_in(c, [&](ZkClient& zk) {
    ASSERT_TRUE(wait_connected(f.sim, zk));
    EXPECT_EQ(zk.create("/n", std::string("v"), CreateMode::Persistent).code, Code::Ok);
  });
  f.sim.run_until(at_s(6));
  const sim::ProcessId server = *c.client->connected_server();
  std::vector<sim::ProcessId> others;
  for (const sim::ProcessId pid : f.ensemble.pids()) {
    if (pid != server) others.push_back(pid);
  }
  f.net.partition({{c.pid, server}, others});
  Code read = Code::SystemError;
  Code write = Code::SystemError;
  Instant write_returned{};
  f.run_in(c, [&](ZkClient& zk) {
    read = zk.get_data("/n").code;
    write = zk.set_data("/n", std::string("w")).code;
    write_returned = f.sim.now();
  });
  f.sim.run_until(at_s(30));
  EXPECT_EQ(read, Code::Ok);
  EXPECT_EQ(write, Code::ConnectionLoss);
  // syncLimit = 5 ticks of 2 s; the client's own read timeout (13.3 s) never fired.
  EXPECT_GE(write_returned, at_s(6) + seconds(9));
  EXPECT_LE(write_returned, at_s(6) + seconds(13));
  EXPECT_EQ(f.count_records("disconnected", "jm1"), 1u);
}

TEST(ZkClient, WatchEventsArriveBeforeTheReplyThatFollowsThem) {
  Fixture f(3);
  ClientProcess& a = f.add_client("a", seconds(10));
  ClientProcess& b = f.add_client("b", seconds(10));
  // The watcher re-arms with a blocking call, from the event fiber.
  int rearmed = 0;
  a.on_event = [&](ZkClient& zk, const WatchedEvent& event) {
    if (event.type == EventType::NodeDataChanged && event.path == "/w") {
      EXPECT_EQ(zk.exists("/w", true).code, Code::Ok);
      rearmed++;
    }
  };
  f.sim.run_until(at_s(5));
  bool done = false;
  f.run_in(a, [&](ZkClient& zk) {
    ASSERT_TRUE(wait_connected(f.sim, zk));
    EXPECT_EQ(zk.create("/w", std::string("0"), CreateMode::Persistent).code, Code::Ok);
    EXPECT_EQ(zk.get_data("/w", true).code, Code::Ok);
    EXPECT_EQ(zk.exists("/new", true).code, Code::NoNode);
    EXPECT_EQ(zk.get_children("/w", true).code, Code::Ok);
    // Our own write: its notification precedes its reply on the connection.
    EXPECT_EQ(zk.set_data("/w", std::string("1")).code, Code::Ok);
    a.log.push_back("reply set /w");
    EXPECT_EQ(zk.create("/w/c", std::nullopt, CreateMode::Persistent).code, Code::Ok);
    a.log.push_back("reply create /w/c");
    done = true;
  });
  f.sim.run_until(at_s(8));
  ASSERT_TRUE(done);
  // Another client's write, then our read: the event comes first.
  f.run_in(b, [&](ZkClient& zk) {
    ASSERT_TRUE(wait_connected(f.sim, zk));
    EXPECT_EQ(zk.create("/new", std::nullopt, CreateMode::Persistent).code, Code::Ok);
    EXPECT_EQ(zk.set_data("/w", std::string("2")).code, Code::Ok);
  });
  f.sim.run_until(at_s(10));
  f.run_in(a, [&](ZkClient& zk) {
    zk.get_data("/w");
    a.log.push_back("reply get /w");
  });
  f.sim.run_until(at_s(12));
  const std::vector<std::string> expected{
      "event None ",                       "event NodeDataChanged /w",     "reply set /w",
      "event NodeChildrenChanged /w",      "reply create /w/c",            "event NodeCreated /new",
      "event NodeDataChanged /w",          "reply get /w"};
  EXPECT_EQ(a.log, expected);
  EXPECT_EQ(rearmed, 2);
}

TEST(ZkClient, WatchesAreReArmedAfterAReconnect) {
  Fixture f(3);
  ClientProcess& a = f.add_client("a", seconds(10));
  ClientProcess& b = f.add_client("b", seconds(10));
  f.sim.run_until(at_s(5));
  f.run_in(a, [&](ZkClient& zk) {
    ASSERT_TRUE(wait_connected(f.sim, zk));
    EXPECT_EQ(zk.create("/sw", std::nullopt, CreateMode::Persistent).code, Code::Ok);
    EXPECT_EQ(zk.get_data("/sw", true).code, Code::Ok);
    EXPECT_EQ(zk.exists("/sw-new", true).code, Code::NoNode);
  });
  f.sim.run_until(at_s(6));
  const auto first = a.client->connected_server();
  ASSERT_TRUE(first.has_value());
  f.ensemble.kill(f.server_index(*first));
  f.sim.run_until(at_s(30));
  ASSERT_EQ(a.client->state(), ClientState::kConnected);
  // Written after the reconnect: only a watch re-registered with SetWatches can fire.
  f.run_in(b, [&](ZkClient& zk) {
    ASSERT_TRUE(wait_connected(f.sim, zk));
    EXPECT_EQ(zk.set_data("/sw", std::string("changed")).code, Code::Ok);
    EXPECT_EQ(zk.create("/sw-new", std::nullopt, CreateMode::Persistent).code, Code::Ok);
  });
  f.sim.run_until(at_s(35));
  std::vector<WatchedEvent> watch_events;
  for (const auto& e : a.events) {
    if (e.type != EventType::None) watch_events.push_back(e);
  }
  EXPECT_EQ(watch_events, (std::vector<WatchedEvent>{{EventType::NodeDataChanged, KeeperState::kSyncConnected, "/sw"},
                                                     {EventType::NodeCreated, KeeperState::kSyncConnected, "/sw-new"}}));
}

TEST(ZkClient, ChangesMissedWhileDisconnectedFireOnReconnect) {
  Fixture f(3);
  ClientProcess& a = f.add_client("a", seconds(20));
  ClientProcess& b = f.add_client("b", seconds(20));
  f.sim.run_until(at_s(5));
  f.run_in(a, [&](ZkClient& zk) {
    ASSERT_TRUE(wait_connected(f.sim, zk));
    EXPECT_EQ(zk.create("/miss", std::nullopt, CreateMode::Persistent).code, Code::Ok);
    EXPECT_EQ(zk.get_data("/miss", true).code, Code::Ok);
  });
  f.sim.run_until(at_s(6));
  f.isolate(a.pid);
  f.run_in(b, [&](ZkClient& zk) {
    ASSERT_TRUE(wait_connected(f.sim, zk));
    EXPECT_EQ(zk.set_data("/miss", std::string("while away")).code, Code::Ok);
  });
  f.sim.run_until(at_s(22));  // a declared the connection lost after readTimeout (13.3 s)
  f.net.heal();
  f.sim.run_until(at_s(40));
  ASSERT_EQ(a.client->state(), ClientState::kConnected);
  std::vector<WatchedEvent> watch_events;
  for (const auto& e : a.events) {
    if (e.type != EventType::None) watch_events.push_back(e);
  }
  EXPECT_EQ(watch_events,
            (std::vector<WatchedEvent>{{EventType::NodeDataChanged, KeeperState::kSyncConnected, "/miss"}}));
}

TEST(ZkClient, CloseEndsTheSessionAtOnce) {
  Fixture f(3);
  ClientProcess& c = f.add_client("jm1", seconds(30));
  ClientProcess& observer = f.add_client("observer", seconds(10));
  f.sim.run_until(at_s(5));
  sim::Instant closed_at{};
  f.run_in(c, [&](ZkClient& zk) {
    ASSERT_TRUE(wait_connected(f.sim, zk));
    EXPECT_EQ(zk.create("/eph", std::nullopt, CreateMode::Ephemeral).code, Code::Ok);
    zk.close();
    closed_at = f.sim.now();
    EXPECT_EQ(zk.state(), ClientState::kClosed);
    EXPECT_EQ(zk.get_data("/").code, Code::SessionExpired);
    zk.close();  // a no-op
  });
  f.sim.run_until(at_s(7));
  EXPECT_GT(closed_at, Instant{});
  Code seen = Code::SystemError;
  f.run_in(observer, [&](ZkClient& zk) { seen = zk.exists("/eph").code; });
  f.sim.run_until(at_s(8));
  EXPECT_EQ(seen, Code::NoNode);  // long before the 30 s session timeout
  EXPECT_EQ(c.state_events(), std::vector<WatchedEvent>{state_event(KeeperState::kSyncConnected)});
}

TEST(ZkClient, InjectedExpirationClosesTheClientButNotTheSession) {
  Fixture f(3);
  ClientProcess& c = f.add_client("jm1", seconds(6));
  ClientProcess& observer = f.add_client("observer", seconds(10));
  f.sim.run_until(at_s(5));
  f.run_in(c, [&](ZkClient& zk) {
    ASSERT_TRUE(wait_connected(f.sim, zk));
    EXPECT_EQ(zk.create("/eph", std::nullopt, CreateMode::Ephemeral).code, Code::Ok);
    zk.inject_session_expiration();
    EXPECT_EQ(zk.state(), ClientState::kClosed);
    EXPECT_EQ(zk.get_data("/").code, Code::SessionExpired);
  });
  f.sim.run_until(at_s(7));
  EXPECT_EQ(c.state_events(), (std::vector<WatchedEvent>{state_event(KeeperState::kSyncConnected),
                                                         state_event(KeeperState::kExpired)}));
  Code still = Code::SystemError;
  f.run_in(observer, [&](ZkClient& zk) { still = zk.exists("/eph").code; });
  f.sim.run_until(at_s(8));
  EXPECT_EQ(still, Code::Ok);  // the ensemble has not expired it yet
  f.sim.run_until(at_s(19));  // injected at ~5 s, T = 6 s: the ensemble expires it by ~13 s
  Code later = Code::SystemError;
  f.run_in(observer, [&](ZkClient& zk) { later = zk.exists("/eph").code; });
  f.sim.run_until(at_s(20));
  EXPECT_EQ(later, Code::NoNode);
}

TEST(ZkClient, ToleratesItsProcessCrashingAndRestarting) {
  Fixture f(3);
  ClientProcess& c = f.add_client("jm1", seconds(4));
  f.sim.run_until(at_s(5));
  const model::zk::SessionId first = c.client->session_id();
  ASSERT_NE(first, 0);
  // A call blocked in flight when the process dies.
  f.run_in(c, [&](ZkClient& zk) { zk.sync("/"); });
  f.sim.run_until(at_s(5) + sim::microseconds(100));
  f.sim.crash(c.pid);
  EXPECT_EQ(c.client, nullptr);
  f.sim.run_until(at_s(6));
  f.sim.restart(c.pid);
  f.sim.run_until(at_s(10));
  ASSERT_NE(c.client, nullptr);
  EXPECT_EQ(c.client->state(), ClientState::kConnected);
  EXPECT_NE(c.client->session_id(), first);
}

TEST(ZkClient, AbandonedClientStopsItsFibers) {
  Fixture f(3);
  ClientProcess& c = f.add_client("jm1", seconds(4));
  f.sim.run_until(at_s(5));
  ASSERT_EQ(c.client->state(), ClientState::kConnected);
  const std::size_t fibers = f.sim.live_fibers();
  c.client.reset();
  f.sim.run_until(at_s(8));
  EXPECT_EQ(f.sim.live_fibers(), fibers - 2);
}

std::uint64_t failover_run_hash(std::uint64_t seed) {
  Fixture f(3, seed);
  ClientProcess& c = f.add_client("jm1", seconds(6));
  f.sim.run_until(at_s(5));
  f.run_in(c, [&](ZkClient& zk) {
    if (!wait_connected(f.sim, zk)) return;
    zk.create("/eph", std::nullopt, CreateMode::Ephemeral);
    zk.get_data("/eph", true);
  });
  f.sim.run_until(at_s(6));
  if (const auto server = c.client->connected_server()) f.ensemble.kill(f.server_index(*server));
  f.sim.run_until(at_s(20));
  f.isolate(c.pid);
  f.sim.run_until(at_s(40));
  f.net.heal();
  f.sim.run_until(at_s(60));
  return f.sim.trace().hash();
}

TEST(ZkClient, SameSeedSameTrace) {
  EXPECT_EQ(failover_run_hash(7), failover_run_hash(7));
  EXPECT_EQ(failover_run_hash(8), failover_run_hash(8));
  EXPECT_NE(failover_run_hash(7), failover_run_hash(8));
}

}  // namespace
