#pragma once
// The ResourceManager of a standalone cluster: TaskManagers register under its leader session
// (ResourceManagerId, the fencing token) and heartbeat; one that is silent for heartbeat.timeout
// is dropped. JobMasters of the same process ask it which TaskManagers can take tasks.
#include <map>
#include <string>
#include <vector>

#include "model/flink/rpc.hpp"

namespace model::flink {

class ResourceManager {
 public:
  ResourceManager(sim::Simulation& sim, RpcRouter& rpc, sim::ProcessId self, std::string address,
                  sim::Duration heartbeat_timeout);

  void grant(const std::string& session_id);
  void revoke();
  void on_message(const RpcMessage& message);
  // Registered under the current session and heard from within heartbeat.timeout; sorted.
  std::vector<std::string> live_taskmanagers() const;
  const std::string& session_id() const { return session_id_; }

 private:
  sim::Simulation& sim_;
  RpcRouter& rpc_;
  sim::ProcessId self_;
  std::string address_;
  sim::Duration heartbeat_timeout_;
  std::string session_id_;
  std::map<std::string, sim::Instant> heard_at_;  // TaskManager address -> last heartbeat
};

}  // namespace model::flink
