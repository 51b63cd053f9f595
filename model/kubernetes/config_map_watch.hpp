#pragma once
// A watch on one ConfigMap, as fabric8's informer keeps it for Flink's leader retrieval: one
// connection, the current object in the watch's answer, then every change in commit order. When
// the connection breaks (reset, refused, API server crashed) it waits a second and watches again,
// which re-reads the object, so nothing changed meanwhile is missed. A cut holds the connection
// silent, as TCP does; changes flow after the heal.
#include <functional>
#include <optional>
#include <string>

#include "model/kubernetes/api_messages.hpp"
#include "sim/network.hpp"
#include "sim/simulation.hpp"

namespace model::kubernetes {

// nullopt: the ConfigMap does not exist (or was deleted).
using ConfigMapListener = std::function<void(const std::optional<ConfigMap>&)>;

class ConfigMapWatch {
 public:
  static constexpr std::size_t kBoxMax = 1024;

  ConfigMapWatch(sim::Simulation& sim, sim::Network& net, sim::ProcessId owner, sim::ProcessId server, std::string name,
                 ConfigMapListener listener);
  ConfigMapWatch(const ConfigMapWatch&) = delete;
  ConfigMapWatch& operator=(const ConfigMapWatch&) = delete;

  void start();  // spawns the watch's fiber on the owner

 private:
  void run();
  bool watch_once();  // false when the connection could not be set up

  sim::Simulation& sim_;
  sim::Network& net_;
  sim::ProcessId owner_;
  sim::ProcessId server_;
  std::string name_;
  ConfigMapListener listener_;
  sim::MailboxId box_{};
};

}  // namespace model::kubernetes
