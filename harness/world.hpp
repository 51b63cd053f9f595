#pragma once
// The simulated deployment a scenario run builds, as the fault injector sees it: the kernel
// pieces, the ZooKeeper ensemble, the Flink clusters, and every node under its scenario name.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "model/flink/cluster.hpp"
#include "model/flink/yarn/yarn_resource_manager.hpp"
#include "model/zookeeper/ensemble.hpp"
#include "sim/filesystem.hpp"
#include "sim/network.hpp"
#include "sim/simulation.hpp"

namespace harness {

enum class NodeKind { kJobManager, kTaskManager, kZooKeeper, kApiServer };

struct Node {
  std::string name;  // as scenarios spell it: "jm1", "c2/tm1", "zk3"
  NodeKind kind = NodeKind::kJobManager;
  std::size_t cluster = 0;  // JobManagers, TaskManagers and API servers
  int index = 0;            // within its cluster, or the ensemble position
  sim::ProcessId pid = sim::kNoProcess;
};

struct World {
  sim::Simulation& sim;
  sim::Network& net;
  sim::Filesystem& storage;
  model::zk::Ensemble& zookeeper;
  std::vector<model::flink::FlinkCluster*> clusters;
  std::vector<std::string> cluster_names;        // scenario names, index = cluster
  std::vector<sim::Duration> restart_delays;     // the supervisors'; zero = no supervisor
  std::vector<Node> nodes;
  // index = cluster; nullptr unless the scenario's mode is yarn (harness/yarn_faults.cpp)
  std::vector<model::flink::yarn::YarnResourceManager*> yarn_resource_managers;

  const Node* node(const std::string& name) const {
    for (const auto& node : nodes) {
      if (node.name == name) return &node;
    }
    return nullptr;
  }
  std::size_t cluster_index(const std::string& name) const {
    for (std::size_t i = 0; i < cluster_names.size(); i++) {
      if (cluster_names[i] == name) return i;
    }
    return 0;  // "" and unknown: the first; validate has rejected unknown names
  }
};

}  // namespace harness
