#pragma once
// Builds a simulated ZooKeeper ensemble: one process per server, each with a durable log that the
// ensemble keeps across crashes, and the fault hooks the harness uses. This is the helper that
// assembles the model (zk_server.*), kept apart from it as ns-3 keeps helpers apart from models.
#include <memory>
#include <optional>
#include <vector>

#include "model/zookeeper/durable_log.hpp"
#include "model/zookeeper/ensemble_config.hpp"
#include "model/zookeeper/zk_server.hpp"
#include "sim/network.hpp"
#include "sim/simulation.hpp"

namespace model::zk {

class Ensemble {
 public:
  Ensemble(sim::Simulation& sim, sim::Network& net, EnsembleConfig config, ServerTuning tuning = {});
  Ensemble(const Ensemble&) = delete;
  Ensemble& operator=(const Ensemble&) = delete;

  void start();
  int size() const { return static_cast<int>(pids_.size()); }
  const EnsembleConfig& config() const { return config_; }
  const std::vector<sim::ProcessId>& pids() const { return pids_; }
  sim::ProcessId pid(int index) const { return pids_.at(static_cast<std::size_t>(index)); }

  // The server that leads with a quorum behind it and serves clients; -1 when there is none.
  int leader() const;
  // nullopt while the server's process is down.
  std::optional<ServerView> view(int index) const;
  const ZkServer* server(int index) const { return servers_.at(static_cast<std::size_t>(index)).get(); }
  const DurableLog& log(int index) const { return logs_.at(static_cast<std::size_t>(index)); }

  // Faults. Each acts through the kernel, so it works from callbacks and fibers alike.
  void kill(int index) { sim_.crash(pid(index)); }
  void restart(int index) { sim_.restart(pid(index)); }
  void pause(int index) { sim_.pause(pid(index)); }
  void resume(int index) { sim_.resume(pid(index)); }
  // Crash, losing whatever was appended to the log but not yet fsynced.
  void crash_losing_unsynced_tail(int index);
  // The next write answered by server `index` commits, but its reply is lost with the connection.
  // False when that server is down.
  bool drop_next_write_reply(int index);

 private:
  void boot(int index);

  sim::Simulation& sim_;
  EnsembleConfig config_;
  ServerEnvironment env_;
  std::vector<sim::ProcessId> pids_;
  std::vector<DurableLog> logs_;
  std::vector<std::unique_ptr<ZkServer>> servers_;
};

}  // namespace model::zk
