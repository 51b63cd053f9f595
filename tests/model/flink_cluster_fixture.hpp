#pragma once
// A simulated world with one Flink cluster over a 3-server ZooKeeper ensemble, for the cluster
// model's tests: the standard scenario's shape unless a test changes the options.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/flink/cluster.hpp"
#include "model/flink/flink_config.hpp"

namespace flink_test {

inline model::flink::FlinkConfig standard_config() {
  auto parsed = model::flink::parse_flink_config({{"high-availability.type", "zookeeper"},
                                                  {"high-availability.zookeeper.quorum", "zk1:2181,zk2:2181,zk3:2181"},
                                                  {"high-availability.storageDir", "hdfs:///flink/ha"},
                                                  {"high-availability.cluster-id", "/standard"},
                                                  {"high-availability.zookeeper.client.session-timeout", "10 s"},
                                                  {"high-availability.zookeeper.client.connection-timeout", "5 s"},
                                                  {"high-availability.zookeeper.client.retry-wait", "1 s"},
                                                  {"execution.checkpointing.interval", "1 s"},
                                                  {"heartbeat.interval", "2 s"},
                                                  {"heartbeat.timeout", "10 s"}});
  return std::get<model::flink::FlinkConfig>(parsed);
}

inline model::flink::ClusterOptions standard_options() {
  model::flink::ClusterOptions options;
  options.masters = {{"jm1", 8081}, {"jm2", 8081}, {"jm3", 8081}};
  options.taskmanagers = 2;
  options.restart_delay = sim::seconds(5);
  options.config = standard_config();
  options.jobs = {{"job-1", sim::seconds(5), std::nullopt, std::nullopt, std::nullopt}};
  return options;
}

// The standard options with one mutant switched on (kNone: the correct model).
inline model::flink::ClusterOptions mutant_options(model::flink::Mutant mutant) {
  model::flink::ClusterOptions options = standard_options();
  options.mutant = mutant;
  return options;
}

struct World {
  explicit World(std::uint64_t seed, model::flink::ClusterOptions options = standard_options())
      : sim(sim::SimConfig{seed, {}}),
        net(sim, sim::NetworkConfig{sim::LatencyModel::uniform(sim::microseconds(200), sim::milliseconds(2)),
                                    sim::milliseconds(1), 10000}),
        storage(sim),
        ensemble(sim, net, model::zk::default_ensemble(3, sim::milliseconds(2000))),
        cluster(sim, net, storage, ensemble, std::move(options)) {
    ensemble.start();
    cluster.start();
  }
  ~World() { sim.shutdown(); }

  void run_for(sim::Duration duration) { sim.run_until(sim.now() + duration); }
  sim::ProcessId jm(int index) const { return cluster.jobmanagers().at(static_cast<std::size_t>(index)); }

  // Model events of one name, in order.
  std::vector<const sim::TraceEvent*> events(const std::string& name) {
    std::vector<const sim::TraceEvent*> found;
    for (const auto& event : sim.trace().events()) {
      if (event.category == "flink" && event.name == name) found.push_back(&event);
    }
    return found;
  }
  std::vector<std::int64_t> checkpoint_ids(const std::string& name) {
    std::vector<std::int64_t> ids;
    for (const auto* event : events(name)) ids.push_back(*event->int_field("checkpoint_id"));
    return ids;
  }

  // --- fault helpers for hand-written schedules (called from the test, between run_for calls,
  // or from a when() action) ---

  // `process` can no longer talk to any ZooKeeper server; everyone else, and its RPC peers, can.
  // Replaces any earlier partition; heal() ends it.
  void isolate_from_zookeeper(sim::ProcessId process) { net.partition({{process}, ensemble.pids()}); }
  void heal() { net.heal(); }

  // The ZooKeeper server `process`'s client last connected to (index into the ensemble), from
  // the client's `zkclient`/`connected` trace events.
  std::optional<int> zookeeper_server_of(sim::ProcessId process) {
    const std::string name = sim.process_name(process);
    std::optional<int> found;
    for (const auto& event : sim.trace().events()) {
      if (event.category != "zkclient" || event.name != "connected" || event.process != name) continue;
      const std::string* server = event.string_field("server");
      for (int i = 0; server != nullptr && i < ensemble.size(); i++) {
        if (sim.process_name(ensemble.pid(i)) == *server) found = i;
      }
    }
    return found;
  }

  // Runs `action` once, from the event loop, at the first poll that finds a trace event matching
  // `match` recorded after this call. Polls every `poll` of simulated time: fine enough to act
  // between a model event and the next blocking step of the fiber that recorded it.
  void when(std::function<bool(const sim::TraceEvent&)> match, std::function<void()> action,
            sim::Duration poll = sim::microseconds(100)) {
    auto watch = std::make_shared<Watch>(Watch{std::move(match), std::move(action), sim.trace().events().size(), poll});
    poll_watch(watch);
  }

  // The `flink` event `name` of `process` (any, when empty).
  static std::function<bool(const sim::TraceEvent&)> flink_event(std::string name, std::string process = "") {
    return [name = std::move(name), process = std::move(process)](const sim::TraceEvent& event) {
      return event.category == "flink" && event.name == name && (process.empty() || event.process == process);
    };
  }

  sim::Simulation sim;
  sim::Network net;
  sim::Filesystem storage;
  model::zk::Ensemble ensemble;
  model::flink::FlinkCluster cluster;

 private:
  struct Watch {
    std::function<bool(const sim::TraceEvent&)> match;
    std::function<void()> action;
    std::size_t scanned = 0;
    sim::Duration poll{};
  };
  void poll_watch(const std::shared_ptr<Watch>& watch) {
    sim.after(watch->poll, [this, watch] {
      const auto& all = sim.trace().events();
      for (; watch->scanned < all.size(); watch->scanned++) {
        if (watch->match(all[watch->scanned])) {
          watch->action();
          return;
        }
      }
      poll_watch(watch);
    });
  }
};

}  // namespace flink_test
