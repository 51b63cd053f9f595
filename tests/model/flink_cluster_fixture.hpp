#pragma once
// A simulated world with one Flink cluster over a 3-server ZooKeeper ensemble, for the cluster
// model's tests: the standard scenario's shape unless a test changes the options.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
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

  sim::Simulation sim;
  sim::Network net;
  sim::Filesystem storage;
  model::zk::Ensemble ensemble;
  model::flink::FlinkCluster cluster;
};

}  // namespace flink_test
