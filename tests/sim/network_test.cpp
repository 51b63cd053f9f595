#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <deque>
#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "sim/network.hpp"
#include "sim/simulation.hpp"

namespace {

using sim::Duration;
using sim::EndpointId;
using sim::Instant;
using sim::milliseconds;
using sim::NetTag;
using sim::seconds;

constexpr std::uint16_t kPort = 2181;

struct Num final : sim::Payload {
  explicit Num(int v) : value(v) {}
  std::string describe() const override { return std::to_string(value); }
  int value;
};

std::shared_ptr<const sim::Payload> num(int value) { return std::make_shared<Num>(value); }
Instant at_ms(std::int64_t ms) { return Instant{} + milliseconds(ms); }

sim::NetworkConfig fixed_latency(Duration latency, std::size_t held_max = 10'000) {
  return sim::NetworkConfig{sim::LatencyModel::fixed(latency), milliseconds(1), held_max};
}

// One notification as a process saw it.
struct Seen {
  Instant at;
  std::uint32_t tag = 0;
  EndpointId endpoint = sim::kNoEndpoint;
  int value = -1;  // the Num of a kData, -1 otherwise
};

// A process with one mailbox (which is also its accept box when it listens) and a fiber that
// logs everything arriving there. With `reader` false nothing reads it, so it fills up.
struct Node {
  sim::ProcessId pid = sim::kNoProcess;
  sim::MailboxId box;
  std::vector<Seen> seen;

  std::vector<int> values() const {
    std::vector<int> out;
    for (const Seen& s : seen) {
      if (s.tag == NetTag::kData) out.push_back(s.value);
    }
    return out;
  }
  std::vector<std::uint32_t> tags() const {
    std::vector<std::uint32_t> out;
    for (const Seen& s : seen) out.push_back(s.tag);
    return out;
  }
  const Seen* first(std::uint32_t tag) const {
    for (const Seen& s : seen) {
      if (s.tag == tag) return &s;
    }
    return nullptr;
  }
};

struct World {
  explicit World(sim::NetworkConfig config = fixed_latency(milliseconds(5)), std::uint64_t seed = 1)
      : sim(sim::SimConfig{seed, {}}), net(sim, config) {}
  ~World() { sim.shutdown(); }  // unwind the fibers before the nodes they log into go

  Node& node(const std::string& name, bool listen, bool reader = true, std::size_t capacity = 0) {
    Node& n = *nodes.emplace_back(std::make_unique<Node>());
    n.pid = sim.add_process(name, sim::ProcessHooks{[this, &n, listen, reader, capacity](sim::ProcessId pid) {
                                                      n.box = sim.mailbox_open(pid, capacity);
                                                      if (listen) net.listen(pid, kPort, n.box);
                                                      if (reader) spawn_logger(n);
                                                    },
                                                    nullptr});
    return n;
  }
  void spawn_logger(Node& n) {
    sim.spawn(n.pid, "logger", [this, &n] {
      for (;;) {
        const std::optional<sim::Mail> mail = sim.receive(n.box);
        const Num* payload = sim::payload_as<Num>(*mail);
        n.seen.push_back(Seen{sim.now(), mail->tag, mail->channel, payload == nullptr ? -1 : payload->value});
      }
    });
  }
  void start_all() {
    for (const auto& n : nodes) sim.start(n->pid);
  }
  void run_ms(std::int64_t ms) { sim.run_until(at_ms(ms)); }
  bool traced(const std::string& name, const std::string& reason = "") {
    for (const sim::TraceEvent& event : sim.trace().events()) {
      if (event.category != "net" || event.name != name) continue;
      const std::string* field = event.string_field("reason");
      if (reason.empty() || (field != nullptr && *field == reason)) return true;
    }
    return false;
  }

  sim::Simulation sim;
  sim::Network net;
  std::deque<std::unique_ptr<Node>> nodes;
};

// --- FIFO ---

RC_GTEST_PROP(NetworkProperty, EachConnectionIsFifoWithoutLossOrDuplicationUnderRandomLatencyAndCuts, ()) {
  const auto seed = *rc::gen::inRange<std::uint64_t>(1, 1'000'000);
  const int count = *rc::gen::inRange(0, 300);
  const int kind = *rc::gen::inRange(0, 3);
  const int low_us = *rc::gen::inRange(0, 5'000);
  const int spread_us = *rc::gen::inRange(0, 20'000);
  const auto gaps_us =
      *rc::gen::container<std::vector<int>>(static_cast<std::size_t>(count), rc::gen::inRange(0, 3'000));
  const auto cut_starts_ms = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 1'000));

  sim::LatencyModel latency = sim::LatencyModel::fixed(sim::microseconds(low_us));
  if (kind == 1) latency = sim::LatencyModel::uniform(sim::microseconds(low_us), sim::microseconds(low_us + spread_us));
  if (kind == 2) latency = sim::LatencyModel::exponential(sim::microseconds(low_us), sim::microseconds(spread_us + 1));
  World w(sim::NetworkConfig{latency, milliseconds(1), 10'000}, seed);
  Node& a = w.node("a", false, false);  // no logger: the client below reads a's box
  Node& b = w.node("b", true);
  bool connected = false, all_sent = true;
  w.start_all();
  w.sim.spawn(a.pid, "client", [&] {
    const EndpointId ep = w.net.connect(a.pid, b.pid, kPort, a.box);
    const auto reply = w.sim.receive(a.box, seconds(100));
    connected = reply && reply->tag == NetTag::kConnected && reply->channel == ep;
    if (!connected) return;
    for (int i = 0; i < count; i++) {
      w.sim.sleep(sim::microseconds(gaps_us[static_cast<std::size_t>(i)]));
      all_sent = w.net.send(ep, num(i)) && all_sent;
    }
    w.net.close(ep);
  });
  for (const int start : cut_starts_ms) {
    w.sim.at(at_ms(start), [&] { w.net.partition({{a.pid}, {b.pid}}); });
    w.sim.at(at_ms(start + 50), [&] { w.net.heal(); });
  }
  w.run_ms(200'000);

  RC_ASSERT(connected);
  RC_ASSERT(all_sent);
  std::vector<int> expected(static_cast<std::size_t>(count));
  std::iota(expected.begin(), expected.end(), 0);
  RC_ASSERT(b.values() == expected);
  RC_ASSERT(!b.seen.empty());
  RC_ASSERT(b.seen.back().tag == NetTag::kClosed);
  RC_ASSERT(w.net.connections_live() == 0u);
}

TEST(Network, DeliveryTakesTheModelledLatencyAndCloseFollowsTheData) {
  World w;
  Node& a = w.node("a", false);
  Node& b = w.node("b", true);
  w.start_all();
  EndpointId ep = sim::kNoEndpoint;
  bool sent_after_close = true;
  w.sim.at(at_ms(0), [&] { ep = w.net.connect(a.pid, b.pid, kPort, a.box); });
  w.sim.at(at_ms(100), [&] {
    for (int i = 0; i < 3; i++) EXPECT_TRUE(w.net.send(ep, num(i)));
    w.net.close(ep);
    sent_after_close = w.net.send(ep, num(99));
    w.net.close(ep);  // a no-op
  });
  w.run_ms(1000);

  ASSERT_EQ(a.tags(), (std::vector<std::uint32_t>{NetTag::kConnected}));
  EXPECT_EQ(a.seen[0].at, at_ms(10));  // SYN 5 ms there, SYN-ACK 5 ms back
  EXPECT_EQ(b.tags(), (std::vector<std::uint32_t>{NetTag::kAccepted, NetTag::kData, NetTag::kData, NetTag::kData,
                                                   NetTag::kClosed}));
  EXPECT_EQ(b.seen[0].at, at_ms(5));
  EXPECT_EQ(b.values(), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(b.seen.back().at, at_ms(105));
  EXPECT_EQ(w.net.owner(b.seen[0].endpoint), b.pid);
  EXPECT_EQ(w.net.peer(b.seen[0].endpoint), a.pid);
  EXPECT_FALSE(sent_after_close);
  EXPECT_FALSE(w.net.open(ep));
  EXPECT_FALSE(w.net.send(b.seen[0].endpoint, num(7)));  // the server's end finished on kClosed
  EXPECT_EQ(w.net.connections_live(), 0u);
  EXPECT_TRUE(w.traced("connect"));
  EXPECT_TRUE(w.traced("accept"));
  EXPECT_TRUE(w.traced("connected"));
  EXPECT_TRUE(w.traced("close"));
  EXPECT_TRUE(w.traced("closed"));
}

TEST(Network, AcceptedEndpointCanMoveItsMailToAnotherMailbox) {
  World w;
  Node& a = w.node("a", false);
  Node& b = w.node("b", true);
  std::vector<int> handled;
  w.start_all();
  EndpointId ep = sim::kNoEndpoint;
  w.sim.at(at_ms(0), [&] { ep = w.net.connect(a.pid, b.pid, kPort, a.box); });
  w.sim.at(at_ms(6), [&] {
    ASSERT_FALSE(b.seen.empty());
    const EndpointId server = b.seen[0].endpoint;
    const sim::MailboxId own = w.sim.mailbox_open(b.pid);
    w.net.set_mailbox(server, own);
    w.sim.spawn(b.pid, "handler", [&, own] {
      for (;;) handled.push_back(sim::payload_as<Num>(*w.sim.receive(own))->value);
    });
  });
  w.sim.at(at_ms(20), [&] { w.net.send(ep, num(4)); });
  w.run_ms(100);
  EXPECT_EQ(handled, (std::vector<int>{4}));
  EXPECT_EQ(b.tags(), (std::vector<std::uint32_t>{NetTag::kAccepted}));
}

// --- partitions ---

TEST(Network, NothingCrossesAGroupPartitionAndHealDeliversTheHeldMessagesInOrder) {
  World w(fixed_latency(milliseconds(10)));
  Node& a = w.node("a", false);
  Node& b = w.node("b", true);
  w.start_all();
  EndpointId ep = sim::kNoEndpoint;
  std::size_t in_transit_during_cut = 0;
  w.sim.at(at_ms(0), [&] { ep = w.net.connect(a.pid, b.pid, kPort, a.box); });
  for (int i = 0; i < 5; i++) w.sim.at(at_ms(100 + i), [&, i] { w.net.send(ep, num(i)); });
  w.sim.at(at_ms(995), [&] { w.net.send(ep, num(5)); });  // still in flight when the cut comes
  w.sim.at(at_ms(1000), [&] { w.net.partition({{a.pid}, {b.pid}}); });
  for (int i = 6; i < 10; i++) w.sim.at(at_ms(1000 + 100 * i), [&, i] { EXPECT_TRUE(w.net.send(ep, num(i))); });
  w.sim.at(at_ms(4999), [&] { in_transit_during_cut = w.net.in_transit(ep); });
  w.sim.at(at_ms(5000), [&] { w.net.heal(); });
  w.run_ms(10'000);

  EXPECT_EQ(b.values(), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  for (const Seen& s : b.seen) {
    EXPECT_FALSE(s.at >= at_ms(1000) && s.at < at_ms(5000)) << "delivered during the cut at " << s.at.ns;
  }
  for (const Seen& s : b.seen) {
    if (s.value >= 5) {
      EXPECT_EQ(s.at, at_ms(5010));  // fresh latency from the heal
    }
  }
  EXPECT_EQ(in_transit_during_cut, 5u);
  EXPECT_TRUE(w.net.open(ep));  // silent, never closed
  EXPECT_TRUE(w.traced("partition"));
  EXPECT_TRUE(w.traced("heal"));
}

TEST(Network, OneWayCutHoldsOneDirectionOnly) {
  World w(fixed_latency(milliseconds(10)));
  Node& a = w.node("a", false);
  Node& b = w.node("b", true);
  w.start_all();
  EndpointId ep = sim::kNoEndpoint;
  w.sim.at(at_ms(0), [&] { ep = w.net.connect(a.pid, b.pid, kPort, a.box); });
  w.sim.at(at_ms(100), [&] { w.net.cut(a.pid, b.pid); });
  w.sim.at(at_ms(200), [&] {
    EXPECT_TRUE(w.net.send(ep, num(1)));
    EXPECT_TRUE(w.net.send(b.seen[0].endpoint, num(100)));
  });
  w.sim.at(at_ms(3000), [&] { w.net.heal(a.pid, b.pid); });
  w.run_ms(10'000);

  EXPECT_TRUE(w.net.reachable(a.pid, b.pid));
  ASSERT_EQ(a.values(), (std::vector<int>{100}));
  EXPECT_EQ(a.seen.back().at, at_ms(210));
  ASSERT_EQ(b.values(), (std::vector<int>{1}));
  EXPECT_EQ(b.seen.back().at, at_ms(3010));
  EXPECT_TRUE(w.traced("cut"));
}

TEST(Network, ReachabilityFollowsGroupsCutsAndPairHeals) {
  World w;
  const Node& a = w.node("a", false);
  const Node& b = w.node("b", false);
  const Node& c = w.node("c", false);
  w.net.partition({{a.pid}, {b.pid}});
  EXPECT_FALSE(w.net.reachable(a.pid, b.pid));
  EXPECT_FALSE(w.net.reachable(b.pid, a.pid));
  EXPECT_TRUE(w.net.reachable(c.pid, a.pid));  // in no group: talks to everyone
  EXPECT_TRUE(w.net.reachable(b.pid, c.pid));
  EXPECT_TRUE(w.net.reachable(a.pid, a.pid));
  w.net.heal(a.pid, b.pid);
  EXPECT_TRUE(w.net.reachable(a.pid, b.pid));
  w.net.cut(a.pid, b.pid);
  EXPECT_FALSE(w.net.reachable(a.pid, b.pid));
  EXPECT_TRUE(w.net.reachable(b.pid, a.pid));
  w.net.partition({{a.pid, c.pid}, {b.pid}});  // a new partition drops the pair heal
  EXPECT_FALSE(w.net.reachable(b.pid, a.pid));
  EXPECT_FALSE(w.net.reachable(c.pid, b.pid));
  EXPECT_TRUE(w.net.reachable(a.pid, c.pid));
  w.net.heal();
  EXPECT_TRUE(w.net.reachable(a.pid, b.pid));
  EXPECT_TRUE(w.net.reachable(c.pid, b.pid));
}

TEST(Network, ConnectAcrossACutGetsNoAnswerUntilTheHeal) {
  World w(fixed_latency(milliseconds(5)));
  Node& a = w.node("a", false, false);
  Node& b = w.node("b", true);
  std::vector<std::string> log;
  w.start_all();
  w.net.partition({{a.pid}, {b.pid}});
  w.sim.spawn(a.pid, "client", [&] {
    const EndpointId ep = w.net.connect(a.pid, b.pid, kPort, a.box);
    if (!w.sim.receive(a.box, seconds(2))) log.push_back("timeout@" + std::to_string(w.sim.now().to_ms()));
    const auto late = w.sim.receive(a.box, seconds(10));
    if (late && late->tag == NetTag::kConnected && late->channel == ep) {
      log.push_back("connected@" + std::to_string(w.sim.now().to_ms()));
    }
  });
  w.sim.at(at_ms(3000), [&] { w.net.heal(); });
  w.run_ms(20'000);
  // The SYN was held, like a retransmitted one, and went through after the heal.
  EXPECT_EQ(log, (std::vector<std::string>{"timeout@2000", "connected@3010"}));
  ASSERT_FALSE(b.seen.empty());
  EXPECT_EQ(b.seen[0].at, at_ms(3005));
}

TEST(Network, AConnectorThatGivesUpDuringACutLeavesNoGhostConnection) {
  World w;
  Node& a = w.node("a", false);
  Node& b = w.node("b", true);
  w.start_all();
  w.sim.at(at_ms(0), [&] { w.net.cut(a.pid, b.pid); });
  EndpointId ep = sim::kNoEndpoint;
  w.sim.at(at_ms(10), [&] { ep = w.net.connect(a.pid, b.pid, kPort, a.box); });
  w.sim.at(at_ms(500), [&] { w.net.close(ep); });
  w.sim.at(at_ms(1000), [&] { w.net.heal(); });
  w.run_ms(5000);
  EXPECT_TRUE(a.seen.empty());
  EXPECT_TRUE(b.seen.empty());
  EXPECT_EQ(w.net.stats().accepts, 0u);
  EXPECT_EQ(w.net.connections_live(), 0u);
}

TEST(Network, HeldQueueOverflowResetsBothEndsWhenReachable) {
  World w(fixed_latency(milliseconds(5), 5));
  Node& a = w.node("a", false);
  Node& b = w.node("b", true);
  w.start_all();
  EndpointId ep = sim::kNoEndpoint;
  std::vector<bool> results;
  w.sim.at(at_ms(0), [&] { ep = w.net.connect(a.pid, b.pid, kPort, a.box); });
  w.sim.at(at_ms(100), [&] { w.net.cut(a.pid, b.pid); });
  w.sim.at(at_ms(200), [&] {
    for (int i = 0; i < 8; i++) results.push_back(w.net.send(ep, num(i)));
  });
  w.sim.at(at_ms(1000), [&] { w.net.heal(); });
  w.run_ms(5000);

  EXPECT_EQ(results, (std::vector<bool>{true, true, true, true, true, false, false, false}));
  EXPECT_EQ(a.tags(), (std::vector<std::uint32_t>{NetTag::kConnected, NetTag::kReset}));
  EXPECT_EQ(a.seen.back().at, at_ms(200));  // the sender's own stack gave up
  EXPECT_EQ(b.tags(), (std::vector<std::uint32_t>{NetTag::kAccepted, NetTag::kReset}));
  EXPECT_EQ(b.seen.back().at, at_ms(1005));
  EXPECT_TRUE(w.traced("abort", "held_overflow"));
  EXPECT_EQ(w.net.connections_live(), 0u);
}

// --- crashes and refusals ---

TEST(Network, PeerCrashResetsTheConnectionAfterResetDelayPlusLatency) {
  World w;
  Node& a = w.node("a", false);
  Node& b = w.node("b", true);
  w.start_all();
  EndpointId ep = sim::kNoEndpoint;
  w.sim.at(at_ms(0), [&] { ep = w.net.connect(a.pid, b.pid, kPort, a.box); });
  w.sim.at(at_ms(1000), [&] { w.sim.crash(b.pid); });
  w.run_ms(5000);

  ASSERT_EQ(a.tags(), (std::vector<std::uint32_t>{NetTag::kConnected, NetTag::kReset}));
  EXPECT_EQ(a.seen.back().at, at_ms(1006));
  EXPECT_EQ(a.seen.back().endpoint, ep);
  EXPECT_FALSE(w.net.open(ep));
  EXPECT_FALSE(w.net.send(ep, num(1)));
  EXPECT_TRUE(w.traced("abort", "process_crashed"));
  EXPECT_TRUE(w.traced("reset"));
  EXPECT_EQ(w.net.connections_live(), 0u);
}

TEST(Network, CrashResetArrivesBehindTheDataAlreadyOnTheWire) {
  World w;
  Node& a = w.node("a", false);
  Node& b = w.node("b", true);
  w.start_all();
  EndpointId ep = sim::kNoEndpoint;
  w.sim.at(at_ms(0), [&] { ep = w.net.connect(a.pid, b.pid, kPort, a.box); });
  w.sim.at(at_ms(100), [&] {
    w.net.send(ep, num(1));
    w.net.send(ep, num(2));
    w.sim.crash(a.pid);
  });
  w.run_ms(1000);
  EXPECT_EQ(b.tags(), (std::vector<std::uint32_t>{NetTag::kAccepted, NetTag::kData, NetTag::kData, NetTag::kReset}));
  EXPECT_EQ(b.values(), (std::vector<int>{1, 2}));
  EXPECT_EQ(b.seen.back().at, at_ms(106));
}

TEST(Network, ConnectingToADownProcessOrAClosedPortIsRefused) {
  World w;
  Node& a = w.node("a", false);
  Node& b = w.node("b", true);
  Node& c = w.node("c", false);  // up, but not listening
  w.start_all();
  w.sim.at(at_ms(50), [&] { w.sim.crash(b.pid); });
  EndpointId to_b = sim::kNoEndpoint, to_c = sim::kNoEndpoint;
  w.sim.at(at_ms(100), [&] {
    to_b = w.net.connect(a.pid, b.pid, kPort, a.box);
    to_c = w.net.connect(a.pid, c.pid, kPort, a.box);
  });
  w.run_ms(1000);
  ASSERT_EQ(a.tags(), (std::vector<std::uint32_t>{NetTag::kRefused, NetTag::kRefused}));
  EXPECT_EQ(a.seen[0].endpoint, to_b);
  EXPECT_EQ(a.seen[1].endpoint, to_c);
  EXPECT_EQ(a.seen[0].at, at_ms(110));
  EXPECT_TRUE(c.seen.empty());
  EXPECT_EQ(w.net.stats().refusals, 2u);
  EXPECT_TRUE(w.traced("refused"));
}

TEST(Network, ARestartedProcessListensAgain) {
  World w;
  Node& a = w.node("a", false);
  Node& b = w.node("b", true);
  w.start_all();
  w.sim.at(at_ms(50), [&] { w.sim.restart(b.pid); });
  w.sim.at(at_ms(100), [&] { w.net.connect(a.pid, b.pid, kPort, a.box); });
  w.run_ms(1000);
  EXPECT_EQ(a.tags(), (std::vector<std::uint32_t>{NetTag::kConnected}));
  EXPECT_EQ(b.tags(), (std::vector<std::uint32_t>{NetTag::kAccepted}));
}

TEST(Network, AFullMailboxResetsTheConnection) {
  World w;
  Node& a = w.node("a", false);
  Node& b = w.node("b", true, false, 3);  // nobody reads: kAccepted and two messages fill it
  w.start_all();
  EndpointId ep = sim::kNoEndpoint;
  w.sim.at(at_ms(0), [&] { ep = w.net.connect(a.pid, b.pid, kPort, a.box); });
  w.sim.at(at_ms(100), [&] {
    for (int i = 0; i < 4; i++) w.net.send(ep, num(i));
  });
  w.run_ms(1000);
  EXPECT_EQ(w.sim.mailbox_size(b.box), 3u);
  EXPECT_EQ(a.tags(), (std::vector<std::uint32_t>{NetTag::kConnected, NetTag::kReset}));
  EXPECT_EQ(a.seen.back().at, at_ms(110));
  EXPECT_TRUE(w.traced("abort", "mailbox_full"));
  EXPECT_EQ(w.net.stats().data_delivered, 2u);
}

// --- latency ---

TEST(Network, LatencySpikeRaisesDeliveryTimeUntilCleared) {
  World w;
  Node& a = w.node("a", false);
  Node& b = w.node("b", true);
  w.start_all();
  EndpointId ep = sim::kNoEndpoint;
  w.sim.at(at_ms(0), [&] { ep = w.net.connect(a.pid, b.pid, kPort, a.box); });
  w.sim.at(at_ms(100), [&] { w.net.send(ep, num(0)); });
  w.sim.at(at_ms(500), [&] { w.net.set_extra_latency(b.pid, a.pid, milliseconds(100)); });
  w.sim.at(at_ms(600), [&] { w.net.send(ep, num(1)); });
  w.sim.at(at_ms(800), [&] { w.net.clear_extra_latency(a.pid, b.pid); });
  w.sim.at(at_ms(900), [&] { w.net.send(ep, num(2)); });
  w.run_ms(2000);
  ASSERT_EQ(b.values(), (std::vector<int>{0, 1, 2}));
  std::vector<Instant> times;
  for (const Seen& s : b.seen) {
    if (s.tag == NetTag::kData) times.push_back(s.at);
  }
  EXPECT_EQ(times, (std::vector<Instant>{at_ms(105), at_ms(705), at_ms(905)}));
  EXPECT_TRUE(w.traced("latency_spike"));
  EXPECT_TRUE(w.traced("latency_clear"));
}

// --- determinism ---

struct Outcome {
  std::uint64_t hash = 0;
  std::vector<int> values;
  std::vector<std::int64_t> times_ns;
};

Outcome run_scenario(std::uint64_t seed) {
  World w(sim::NetworkConfig{sim::LatencyModel::uniform(sim::microseconds(200), milliseconds(5)), milliseconds(1),
                             10'000},
          seed);
  Node& a = w.node("a", false);
  Node& b = w.node("b", true);
  Node& c = w.node("c", true);
  w.start_all();
  EndpointId to_b = sim::kNoEndpoint, to_c = sim::kNoEndpoint;
  w.sim.at(at_ms(0), [&] {
    to_b = w.net.connect(a.pid, b.pid, kPort, a.box);
    to_c = w.net.connect(a.pid, c.pid, kPort, a.box);
  });
  for (int i = 0; i < 100; i++) {
    w.sim.at(at_ms(50 + 5 * i), [&, i] {
      w.net.send(to_b, num(i));
      w.net.send(to_c, num(1000 + i));
    });
  }
  w.sim.at(at_ms(200), [&] { w.net.partition({{a.pid}, {b.pid, c.pid}}); });
  w.sim.at(at_ms(400), [&] { w.net.heal(); });
  w.sim.at(at_ms(450), [&] { w.sim.crash(c.pid); });
  w.run_ms(2000);
  Outcome outcome{w.sim.trace().hash(), b.values(), {}};
  for (const Seen& s : b.seen) outcome.times_ns.push_back(s.at.ns);
  return outcome;
}

TEST(Network, SameSeedSameTraceDifferentSeedsDifferentTraces) {
  std::set<std::uint64_t> hashes;
  for (std::uint64_t seed = 1; seed <= 20; seed++) {
    const Outcome first = run_scenario(seed);
    const Outcome second = run_scenario(seed);
    ASSERT_EQ(first.hash, second.hash) << "seed " << seed;
    ASSERT_EQ(first.times_ns, second.times_ns) << "seed " << seed;
    std::vector<int> expected(100);
    std::iota(expected.begin(), expected.end(), 0);
    ASSERT_EQ(first.values, expected) << "seed " << seed;
    hashes.insert(first.hash);
  }
  EXPECT_EQ(hashes.size(), 20u);
}

// --- misuse ---

TEST(NetworkMisuse, AnEndpointThatWasNeverCreatedIsAnAssertion) {
  World w;
  try {
    w.net.send(12345, num(1));
    ADD_FAILURE() << "no assertion";
  } catch (const sim::AssertionFailed& failed) {
    EXPECT_NE(std::string(failed.what()).find("never created"), std::string::npos) << failed.what();
  }
}

}  // namespace

namespace {

TEST(NetworkIsolate, IsolatedProcessCanNeitherSendNorReceive) {
  sim::Simulation sim(sim::SimConfig{1, {}});
  sim::Network net(sim, sim::NetworkConfig{});
  std::vector<sim::ProcessId> pids;
  for (int i = 0; i < 3; i++) {
    pids.push_back(sim.add_process("p" + std::to_string(i), {[](sim::ProcessId) {}, nullptr}));
  }
  net.isolate(pids[1]);
  EXPECT_FALSE(net.reachable(pids[0], pids[1]));
  EXPECT_FALSE(net.reachable(pids[1], pids[2]));
  EXPECT_TRUE(net.reachable(pids[0], pids[2]));
  net.partition({{pids[1]}});  // a single group alone isolates nothing
  EXPECT_TRUE(net.reachable(pids[0], pids[1]));
}

}  // namespace
