#pragma once
// The Kubernetes API server as one simulated process: it serves GET / CREATE / UPDATE (compare-and-
// set on resourceVersion) / DELETE / WATCH of ConfigMaps over simulated TCP on port 6443, so a
// partition, a cut, a latency spike or a pause between a JobManager and it acts on every request
// as on any other connection. Its store is etcd's and outlives the process: a crashed API server
// comes back with every object, but its watches and connections are gone and clients reconnect.
// Requests are served in arrival order, each atomically against the store (linearizable).
#include <cstddef>
#include <map>
#include <vector>

#include "model/kubernetes/api_messages.hpp"
#include "model/kubernetes/config_map_store.hpp"
#include "sim/network.hpp"
#include "sim/simulation.hpp"

namespace model::kubernetes {

class ApiServer {
 public:
  // The inbox bound: requests queued past it reset their connection (the network's full-mailbox
  // rule), as max-requests-inflight makes a real server shed load.
  static constexpr std::size_t kInboxMax = 4096;

  ApiServer(sim::Simulation& sim, sim::Network& net, ConfigMapStore& store, sim::ProcessId self);
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;
  ~ApiServer();

  void start();  // from the process's boot

 private:
  void serve();
  void handle(sim::EndpointId endpoint, const ApiRequest& request);
  void drop_watches(sim::EndpointId endpoint);

  sim::Simulation& sim_;
  sim::Network& net_;
  ConfigMapStore& store_;
  sim::ProcessId self_;
  sim::MailboxId box_{};
  std::map<sim::EndpointId, std::vector<WatchId>> watches_;
};

}  // namespace model::kubernetes
