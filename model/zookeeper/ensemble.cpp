#include "model/zookeeper/ensemble.hpp"

namespace model::zk {

Ensemble::Ensemble(sim::Simulation& sim, sim::Network& net, EnsembleConfig config, ServerTuning tuning)
    : sim_(sim), config_(std::move(config)) {
  if (config_.servers.empty()) config_.servers.push_back(ServerAddress{1, "zk1", 2888, 3888});
  const std::size_t count = config_.servers.size();
  SIM_ASSERT(count <= 255);
  logs_.resize(count);
  servers_.resize(count);
  for (std::size_t i = 0; i < count; i++) {
    const int index = static_cast<int>(i);
    pids_.push_back(sim.add_process("zk" + std::to_string(config_.servers[i].id),
                                    sim::ProcessHooks{[this, index](sim::ProcessId) { boot(index); },
                                                      [this, index](sim::ProcessId) {
                                                        servers_[static_cast<std::size_t>(index)].reset();
                                                      }}));
  }
  env_ = ServerEnvironment{&sim, &net, &config_, pids_, tuning};
}

void Ensemble::start() {
  for (const sim::ProcessId pid : pids_) sim_.start(pid);
}

void Ensemble::boot(int index) {
  auto& slot = servers_[static_cast<std::size_t>(index)];
  slot = std::make_unique<ZkServer>(env_, index, logs_[static_cast<std::size_t>(index)]);
  ZkServer* server = slot.get();
  sim_.spawn(pid(index), "zk-server", [server] { server->run(); });
}

int Ensemble::leader() const {
  for (int i = 0; i < size(); i++) {
    const auto v = view(i);
    if (v && v->state == PeerState::kLeading && v->serving) return i;
  }
  return -1;
}

std::optional<ServerView> Ensemble::view(int index) const {
  const auto state = sim_.process_state(pid(index));
  const ZkServer* server = servers_.at(static_cast<std::size_t>(index)).get();
  if (server == nullptr || state == sim::ProcessState::kDown || state == sim::ProcessState::kNotStarted) {
    return std::nullopt;
  }
  return server->view();
}

bool Ensemble::drop_next_write_reply(int index) {
  ZkServer* server = servers_.at(static_cast<std::size_t>(index)).get();
  if (server == nullptr || !view(index)) return false;
  server->drop_next_write_reply();
  sim_.record("zk", "fault-drop-next-reply-armed", pid(index));
  return true;
}

void Ensemble::crash_losing_unsynced_tail(int index) {
  const sim::ProcessId target = pid(index);
  sim_.at(sim_.now(), [this, index, target] {
    sim_.crash(target);
    const std::size_t lost = logs_[static_cast<std::size_t>(index)].lose_unsynced_tail();
    sim_.record("zk", "lost-unsynced-tail", target, {{"entries", static_cast<std::int64_t>(lost)}});
  });
}

}  // namespace model::zk
