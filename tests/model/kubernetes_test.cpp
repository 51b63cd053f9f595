// The Kubernetes model's contracts: the API server's compare-and-set and watch semantics (on the
// store and over the simulated network), and the fabric8 elector's timing: a candidate acquires an
// expired lease only when its own wall clock says so, a leader gives up once its renew deadline has
// passed by its own clock, and Flink builds a fresh elector after each loss (FLINK-34007).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/flink/kubernetes_ha.hpp"
#include "model/kubernetes/api_client.hpp"
#include "model/kubernetes/api_server.hpp"
#include "model/kubernetes/config_map_store.hpp"
#include "model/kubernetes/config_map_watch.hpp"
#include "model/kubernetes/leader_elector.hpp"
#include "model/kubernetes/leader_record.hpp"
#include "sim/network.hpp"
#include "sim/simulation.hpp"

namespace {

namespace k8s = model::kubernetes;

k8s::ConfigMap config_map(const std::string& name, const std::string& key, const std::string& value) {
  k8s::ConfigMap object;
  object.name = name;
  object.data[key] = value;
  return object;
}

// --- the store ---

TEST(ConfigMapStore, UpdateIsCompareAndSetOnTheResourceVersionRead) {
  k8s::ConfigMapStore store;
  const auto created = store.create(config_map("cm", "k", "1"));
  ASSERT_EQ(created.status, k8s::Status::kCreated);
  ASSERT_TRUE(created.object);
  const k8s::ResourceVersion v1 = created.object->resource_version;
  EXPECT_GT(v1, 0);
  EXPECT_EQ(store.create(config_map("cm", "k", "again")).status, k8s::Status::kConflict);

  k8s::ConfigMap first = *store.get("cm");   // two writers read the same version
  k8s::ConfigMap second = *store.get("cm");
  first.data["k"] = "first";
  second.data["k"] = "second";
  const auto won = store.update(first);
  ASSERT_EQ(won.status, k8s::Status::kOk);
  EXPECT_GT(won.object->resource_version, v1);
  EXPECT_EQ(store.update(second).status, k8s::Status::kConflict);  // the loser must GET again
  EXPECT_EQ(store.get("cm")->data.at("k"), "first");

  k8s::ConfigMap missing = config_map("nothing", "k", "v");
  EXPECT_EQ(store.update(missing).status, k8s::Status::kNotFound);
  EXPECT_EQ(store.remove("cm", v1).status, k8s::Status::kConflict);  // a stale precondition
  EXPECT_EQ(store.remove("cm").status, k8s::Status::kOk);
  EXPECT_FALSE(store.get("cm"));
  EXPECT_EQ(store.remove("cm").status, k8s::Status::kNotFound);
}

TEST(ConfigMapStore, WatchesSeeEveryChangeOfTheirNameInCommitOrder) {
  k8s::ConfigMapStore store;
  std::vector<std::string> seen;
  const auto id = store.watch("cm", [&](k8s::WatchEventKind kind, const k8s::ConfigMap& object) {
    const char* what = kind == k8s::WatchEventKind::kAdded ? "added" : kind == k8s::WatchEventKind::kModified ? "modified" : "deleted";
    seen.push_back(std::string(what) + ":" + (object.data.count("k") ? object.data.at("k") : "") + "@" +
                   std::to_string(object.resource_version));
  });
  ASSERT_TRUE(id);
  store.create(config_map("other", "k", "x"));  // another name: not seen
  const auto created = store.create(config_map("cm", "k", "1"));
  k8s::ConfigMap next = *created.object;
  next.data["k"] = "2";
  const auto updated = store.update(next);
  store.remove("cm");
  const std::vector<std::string> expected = {"added:1@" + std::to_string(created.object->resource_version),
                                             "modified:2@" + std::to_string(updated.object->resource_version),
                                             "deleted:2@" + std::to_string(updated.object->resource_version)};
  EXPECT_EQ(seen, expected);
  store.unwatch(*id);
  store.create(config_map("cm", "k", "3"));
  EXPECT_EQ(seen.size(), 3u);
}

TEST(LeaderRecord, RoundTripsAndRejectsForeignText) {
  const k8s::LeaderRecord record{"id-1", sim::seconds(15), sim::Instant{1'000}, sim::Instant{-5'000}, 7};
  EXPECT_EQ(k8s::decode_leader_record(k8s::encode_leader_record(record)), record);
  EXPECT_FALSE(k8s::decode_leader_record("{\"holderIdentity\":\"x\"}"));
  EXPECT_FALSE(k8s::decode_leader_record("holderIdentity=x;leaseDurationNs=abc;acquireTimeNs=0;renewTimeNs=0;leaderTransitions=0"));
}

TEST(LocalClock, StepsAndDriftsAwayFromTheSimulationClock) {
  k8s::LocalClock clock;
  const sim::Instant t0 = sim::Instant{} + sim::seconds(10);
  EXPECT_EQ(clock.now(t0), t0);
  clock.step(t0, sim::seconds(20));
  EXPECT_EQ(clock.now(t0), t0 + sim::seconds(20));
  clock.drift(t0, 100'000);  // 10% fast
  EXPECT_EQ(clock.now(t0 + sim::seconds(10)), t0 + sim::seconds(31));
  clock.drift(t0 + sim::seconds(10), 0);  // what it gained stays
  EXPECT_EQ(clock.now(t0 + sim::seconds(100)), t0 + sim::seconds(121));
  clock.step(t0 + sim::seconds(100), sim::seconds(-21));
  EXPECT_EQ(clock.offset(t0 + sim::seconds(100)), sim::Duration{});
}

// --- over the simulated network ---

// One API server and a few client processes whose bodies the test gives.
struct ApiWorld {
  explicit ApiWorld(std::uint64_t seed) : sim(sim::SimConfig{seed, {}}), net(sim, sim::NetworkConfig{}) {
    server = sim.add_process("apiserver", {[this](sim::ProcessId pid) {
                                              server_object = std::make_unique<k8s::ApiServer>(sim, net, store, pid);
                                              server_object->start();
                                            },
                                            [this](sim::ProcessId) { server_object.reset(); }});
    sim.start(server);
  }
  ~ApiWorld() { sim.shutdown(); }
  sim::ProcessId client(const std::string& name, std::function<void(sim::ProcessId)> body) {
    const sim::ProcessId pid = sim.add_process(name, {[this, body, name](sim::ProcessId self) {
                                                        sim.spawn(self, name, [body, self] { body(self); });
                                                      },
                                                      nullptr});
    sim.start(pid);
    return pid;
  }
  k8s::ApiClientOptions options() const {
    k8s::ApiClientOptions o;
    o.server = server;
    return o;
  }
  void run_for(sim::Duration d) { sim.run_until(sim.now() + d); }

  sim::Simulation sim;
  sim::Network net;
  k8s::ConfigMapStore store;
  sim::ProcessId server = sim::kNoProcess;
  std::unique_ptr<k8s::ApiServer> server_object;
};

TEST(ApiServer, ClientsCompareAndSetOverTheNetwork) {
  ApiWorld world(1);
  std::vector<int> statuses;
  world.client("c1", [&](sim::ProcessId self) {
    k8s::ApiClient api(world.sim, world.net, self, world.options());
    auto created = api.create(config_map("cm", "counter", "0"));
    ASSERT_TRUE(created);
    statuses.push_back(static_cast<int>(created->status));
    auto read = api.get("cm");
    ASSERT_TRUE(read && read->object);
    k8s::ConfigMap stale = *read->object;
    k8s::ConfigMap fresh = *read->object;
    fresh.data["counter"] = "1";
    statuses.push_back(static_cast<int>(api.update(fresh)->status));
    stale.data["counter"] = "lost";
    statuses.push_back(static_cast<int>(api.update(stale)->status));
    statuses.push_back(static_cast<int>(api.get("missing")->status));
  });
  world.run_for(sim::seconds(5));
  EXPECT_EQ(statuses, (std::vector<int>{201, 200, 409, 404}));
  EXPECT_EQ(world.store.get("cm")->data.at("counter"), "1");
}

TEST(ApiServer, ACutTimesTheCallOutButTheWriteMayStillLandAfterTheHeal) {
  ApiWorld world(2);
  std::optional<bool> answered;
  sim::Instant called_at{};
  sim::Instant returned_at{};
  const sim::ProcessId c1 = world.client("c1", [&](sim::ProcessId self) {
    k8s::ApiClient api(world.sim, world.net, self, world.options());
    ASSERT_TRUE(api.get("warm-up"));  // connected before the cut
    world.sim.sleep(sim::seconds(1));
    called_at = world.sim.now();
    answered = api.create(config_map("cm", "k", "v")).has_value();
    returned_at = world.sim.now();
  });
  world.run_for(sim::milliseconds(500));
  world.net.cut(c1, world.server);  // the request is held, as TCP holds it
  world.run_for(sim::seconds(15));
  ASSERT_TRUE(answered);
  EXPECT_FALSE(*answered);
  const sim::Duration waited = returned_at - called_at;
  EXPECT_GE(waited, sim::seconds(10) - sim::milliseconds(100));  // the request timeout, not earlier
  EXPECT_FALSE(world.store.get("cm"));
  world.net.heal();
  world.run_for(sim::seconds(5));
  // The caller saw an error, yet the create committed: a possibly-committed write.
  EXPECT_TRUE(world.store.get("cm"));
}

TEST(ApiServer, AWatchGetsTheCurrentObjectThenEveryChangeAndSurvivesAServerRestart) {
  ApiWorld world(3);
  std::vector<std::string> seen;
  std::unique_ptr<k8s::ConfigMapWatch> watch;
  world.client("watcher", [&](sim::ProcessId self) {
    watch = std::make_unique<k8s::ConfigMapWatch>(world.sim, world.net, self, world.server, "cm",
                                                  [&](const std::optional<k8s::ConfigMap>& object) {
                                                    seen.push_back(object ? object->data.at("k") : "<none>");
                                                  });
    watch->start();
  });
  world.run_for(sim::seconds(1));
  world.client("writer", [&](sim::ProcessId self) {
    k8s::ApiClient api(world.sim, world.net, self, world.options());
    auto created = api.create(config_map("cm", "k", "1"));
    k8s::ConfigMap next = *created->object;
    next.data["k"] = "2";
    api.update(next);
    world.sim.sleep(sim::seconds(5));
    auto read = api.get("cm");
    next = *read->object;
    next.data["k"] = "3";
    api.update(next);  // while the watch re-connects to the restarted server, or after
  });
  world.run_for(sim::seconds(2));
  world.sim.crash(world.server);
  world.sim.restart(world.server);
  world.run_for(sim::seconds(20));
  ASSERT_GE(seen.size(), 4u);
  EXPECT_EQ(seen[0], "<none>");
  EXPECT_EQ(seen[1], "1");
  EXPECT_EQ(seen[2], "2");
  EXPECT_EQ(seen.back(), "3");  // re-watched after the restart: the object survived it
  world.sim.shutdown();
}

// --- the elector ---

struct ElectorRun {
  std::optional<sim::Instant> started_leading;
  std::optional<sim::Instant> stopped_leading;
};

// A candidate identity "me" with `clock` contends for "lock" from a fiber of its own process. The
// client and elector live in `out`; the test shuts the simulation down before they go.
struct Candidate {
  std::unique_ptr<k8s::ApiClient> api;
  std::unique_ptr<k8s::LeaderElector> elector;
};

sim::ProcessId contend(ApiWorld& world, const k8s::LocalClock& clock, ElectorRun& run, Candidate& out, sim::Prng& rng) {
  return world.client("candidate", [&](sim::ProcessId self) {
    out.api = std::make_unique<k8s::ApiClient>(world.sim, world.net, self, world.options());
    k8s::ElectorCallbacks callbacks;
    callbacks.on_start_leading = [&] { run.started_leading = world.sim.now(); };
    callbacks.on_stop_leading = [&] { run.stopped_leading = world.sim.now(); };
    out.elector = std::make_unique<k8s::LeaderElector>(*out.api, clock, rng, k8s::ElectorConfig{"lock", "me"}, std::move(callbacks));
    out.elector->run();
  });
}

void hold_lock(ApiWorld& world, const std::string& holder, sim::Instant renew_time) {
  k8s::ConfigMap lock;
  lock.name = "lock";
  lock.annotations[k8s::kLeaderAnnotation] =
      k8s::encode_leader_record({holder, sim::seconds(15), renew_time, renew_time, 0});
  ASSERT_EQ(world.store.create(lock).status, k8s::Status::kCreated);
}

TEST(LeaderElector, AcquiresAnExpiredLeaseOnlyWhenItsOwnClockSaysSo) {
  for (const std::int64_t skew_s : {0, 10, -10}) {
    SCOPED_TRACE(skew_s);
    ApiWorld world(4);
    hold_lock(world, "other", sim::Instant{});  // renewed at 0 by the other's clock, never again
    k8s::LocalClock clock;
    clock.step(sim::Instant{}, sim::seconds(skew_s));
    ElectorRun run;
    Candidate candidate;
    sim::Prng rng = world.sim.rng_stream("elector");
    contend(world, clock, run, candidate, rng);
    world.run_for(sim::seconds(60));
    ASSERT_TRUE(run.started_leading);
    // Expired when renewTime + 15 s is not after our clock: at 15 s - skew of simulated time; the
    // acquire loop retries every 5 s plus up to 6 s of jitter, so it comes within one retry.
    const sim::Instant expiry = sim::Instant{} + sim::seconds(15 - skew_s);
    EXPECT_GE(*run.started_leading, expiry);
    EXPECT_LE(*run.started_leading, expiry + sim::seconds(11) + sim::milliseconds(100));
    const auto record = k8s::decode_leader_record(world.store.get("lock")->annotations.at(k8s::kLeaderAnnotation));
    ASSERT_TRUE(record);
    EXPECT_EQ(record->holder_identity, "me");
    EXPECT_EQ(record->leader_transitions, 1);
    EXPECT_FALSE(run.stopped_leading);  // it keeps renewing
    world.sim.shutdown();
  }
}

TEST(LeaderElector, StopsLeadingOnceTheRenewDeadlinePassesByItsOwnClock) {
  // Cut from the API server: renewals time out, and past renewBy (15 s after the last success by
  // its clock) it stops; stopLeading's own GET times out first.
  {
    ApiWorld world(5);
    k8s::LocalClock clock;
    ElectorRun run;
    Candidate candidate;
    sim::Prng rng = world.sim.rng_stream("elector");
    const sim::ProcessId me = contend(world, clock, run, candidate, rng);
    world.run_for(sim::seconds(2));
    ASSERT_TRUE(run.started_leading);
    world.run_for(sim::seconds(20));
    const auto last = k8s::decode_leader_record(world.store.get("lock")->annotations.at(k8s::kLeaderAnnotation));
    world.net.cut(me, world.server);
    world.net.cut(world.server, me);
    world.run_for(sim::seconds(60));
    ASSERT_TRUE(run.stopped_leading);
    EXPECT_TRUE(candidate.elector->stopped());
    EXPECT_GT(*run.stopped_leading, last->renew_time + sim::seconds(15));
    // The last tick before the deadline may block a full request timeout, then the stop's GET.
    EXPECT_LE(*run.stopped_leading, last->renew_time + sim::seconds(15) + sim::seconds(5) + sim::seconds(20) + sim::seconds(1));
    world.sim.shutdown();
  }
  // No fault but its clock: stepped 20 s ahead, the next tick finds renewBy passed.
  {
    ApiWorld world(6);
    k8s::LocalClock clock;
    ElectorRun run;
    Candidate candidate;
    sim::Prng rng = world.sim.rng_stream("elector");
    contend(world, clock, run, candidate, rng);
    world.run_for(sim::seconds(12));
    ASSERT_TRUE(run.started_leading);
    EXPECT_FALSE(run.stopped_leading);
    clock.step(world.sim.now(), sim::seconds(20));
    const sim::Instant skewed_at = world.sim.now();
    world.run_for(sim::seconds(10));
    ASSERT_TRUE(run.stopped_leading);
    EXPECT_LE(*run.stopped_leading, skewed_at + sim::seconds(5) + sim::milliseconds(100));
    world.sim.shutdown();
  }
}

TEST(LeaderElector, AStoppedElectorNeverAcquiresAgain) {
  ApiWorld world(7);
  k8s::LocalClock clock;
  sim::Prng rng = world.sim.rng_stream("elector");
  std::vector<k8s::LeaderElector::Attempt> attempts;
  bool returned = false;
  world.client("candidate", [&](sim::ProcessId self) {
    k8s::ApiClient api(world.sim, world.net, self, world.options());
    k8s::LeaderElector elector(api, clock, rng, k8s::ElectorConfig{"lock", "me"}, {});
    elector.run();  // acquires, renews, and returns once a renewal finds another holder
    returned = true;
    EXPECT_TRUE(elector.stopped());
    auto read = api.get("lock");
    k8s::ConfigMap lock = *read->object;
    lock.annotations[k8s::kLeaderAnnotation] = k8s::encode_leader_record({"", sim::seconds(1), world.sim.now(), world.sim.now(), 1});
    ASSERT_EQ(api.update(lock)->status, k8s::Status::kOk);  // released: anyone may take it
    attempts.push_back(elector.try_acquire_or_renew());
    k8s::LeaderElector fresh(api, clock, rng, k8s::ElectorConfig{"lock", "me"}, {});
    attempts.push_back(fresh.try_acquire_or_renew());
  });
  world.run_for(sim::seconds(7));
  ASSERT_FALSE(returned);
  k8s::ConfigMap taken = *world.store.get("lock");  // another candidate takes the lock
  taken.annotations[k8s::kLeaderAnnotation] =
      k8s::encode_leader_record({"other", sim::seconds(15), world.sim.now(), world.sim.now(), 1});
  ASSERT_EQ(world.store.update(taken).status, k8s::Status::kOk);
  world.run_for(sim::seconds(30));
  EXPECT_TRUE(returned);
  using A = k8s::LeaderElector::Attempt;
  EXPECT_EQ(attempts, (std::vector<A>{A::kRefused, A::kSucceeded}));
  world.sim.shutdown();
}

// --- Flink's service: a fresh elector per round, or the FLINK-34007 reuse ---

struct ServiceRun {
  std::vector<std::string> events;  // grant / revoke, in order
};

void run_service(bool mutant, ServiceRun& out, int& electors) {
  ApiWorld world(8);
  k8s::LocalClock clock;
  std::unique_ptr<model::flink::KubernetesLeaderElectionService> service;
  const sim::ProcessId jm = world.sim.add_process("jm1", {[&](sim::ProcessId self) {
                                                           model::flink::KubernetesElectionOptions options;
                                                           options.api_server = world.server;
                                                           options.config_map = "c-cluster-config-map";
                                                           options.participant = "jm1";
                                                           options.mutant_flink_34007 = mutant;
                                                           service = std::make_unique<model::flink::KubernetesLeaderElectionService>(
                                                               world.sim, world.net, self, clock, options);
                                                           service->add_contender({"dispatcher",
                                                                                   [&](const std::string&) { out.events.push_back("grant"); },
                                                                                   [&] { out.events.push_back("revoke"); }});
                                                           service->start();
                                                         },
                                                         nullptr});
  world.sim.start(jm);
  world.run_for(sim::seconds(10));
  world.net.cut(jm, world.server);
  world.net.cut(world.server, jm);
  world.run_for(sim::seconds(60));
  world.net.heal();
  world.run_for(sim::seconds(60));
  electors = service->electors_built();
  world.sim.shutdown();
}

TEST(KubernetesLeaderElectionService, AFreshElectorAfterALossLeadsAgain) {
  ServiceRun run;
  int electors = 0;
  run_service(false, run, electors);
  EXPECT_EQ(run.events, (std::vector<std::string>{"grant", "revoke", "grant"}));
  EXPECT_EQ(electors, 2);
}

TEST(KubernetesLeaderElectionService, MutantFlink34007ReusesTheStoppedElectorAndNeverLeadsAgain) {
  ServiceRun run;
  int electors = 0;
  run_service(true, run, electors);
  EXPECT_EQ(run.events, (std::vector<std::string>{"grant", "revoke"}));
  EXPECT_EQ(electors, 1);
}

}  // namespace
