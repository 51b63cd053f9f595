#include "model/flink/resource_manager.hpp"

namespace model::flink {

ResourceManager::ResourceManager(sim::Simulation& sim, RpcRouter& rpc, sim::ProcessId self, std::string address,
                                 sim::Duration heartbeat_timeout)
    : sim_(sim), rpc_(rpc), self_(self), address_(std::move(address)), heartbeat_timeout_(heartbeat_timeout) {}

void ResourceManager::grant(const std::string& session_id) {
  session_id_ = session_id;
  heard_at_.clear();  // a new ResourceManager: every TaskManager registers again
}

void ResourceManager::revoke() {
  session_id_.clear();
  heard_at_.clear();
}

void ResourceManager::on_message(const RpcMessage& message) {
  // A fenced endpoint: calls under another ResourceManagerId are dropped.
  if (session_id_.empty() || message.session_id != session_id_) return;
  if (message.kind == RpcKind::kRegisterTaskManager) {
    heard_at_[message.from] = sim_.now();
    rpc_.send(self_, message.from, rpc_message(RpcKind::kRegistrationAcked, address_, session_id_));
  } else if (message.kind == RpcKind::kTaskManagerHeartbeat) {
    auto found = heard_at_.find(message.from);
    if (found != heard_at_.end()) found->second = sim_.now();
  }
}

std::vector<std::string> ResourceManager::live_taskmanagers() const {
  std::vector<std::string> live;
  for (const auto& [address, heard_at] : heard_at_) {
    if (sim_.now() - heard_at <= heartbeat_timeout_) live.push_back(address);
  }
  return live;
}

}  // namespace model::flink
