#include "model/flink/checkpoint_id_counter.hpp"

namespace model::flink {

CheckpointIdCounter::CheckpointIdCounter(curator::CuratorFramework& client, const std::string& zk_namespace,
                                         const std::string& job_id, Mutant mutant)
    : client_(client),
      path_(zk_namespace + "/jobs/" + job_id + "/checkpoint_id_counter"),
      mutant_(mutant),
      count_(client, path_, 1) {
  // The listener outlives this counter (a JobMaster's) on the process's client: it shares only
  // the state holder, never `this`.
  client_.add_connection_listener([holder = last_state_, mutant](curator::ConnectionState state) {
    const bool negative = state == curator::ConnectionState::kSuspended || state == curator::ConnectionState::kLost;
    if (mutant != Mutant::kFlink14091 || negative) *holder = state;
  });
}

// ZooKeeperCheckpointIDCounter.start is guarded by isStarted: the CheckpointCoordinator starts it
// once per JobMaster, and a restart of the job (the same ExecutionGraph under the DefaultScheduler)
// does not start it again, so a counter node that the job's cleanup deleted is not re-created.
model::zk::Code CheckpointIdCounter::start() {
  if (started_) return model::zk::Code::Ok;
  const model::zk::Code code = count_.start();
  started_ = code == model::zk::Code::Ok;
  return code;
}

bool CheckpointIdCounter::connection_usable() const {
  const auto& last = *last_state_;
  if (mutant_ == Mutant::kFlink14091) return !last.has_value();
  return !last || *last == curator::ConnectionState::kConnected || *last == curator::ConnectionState::kReconnected;
}

std::optional<std::int64_t> CheckpointIdCounter::get_and_increment() {
  for (int attempt = 0; attempt < cas_attempts_max_; attempt++) {
    if (!connection_usable()) {
      client_.sim().record("flink", "checkpoint-counter-refused", client_.owner(),
                           {{"state", std::string(*last_state_ ? curator::to_string(**last_state_) : "none")}});
      return std::nullopt;
    }
    const curator::VersionedValue current = count_.versioned_value();
    if (mutant_ == Mutant::kSyntheticCounterWithoutCas) {
      if (count_.set_without_cas(current.value + 1) != model::zk::Code::Ok) return std::nullopt;
      return current.value;
    }
    const auto won = count_.try_set_count(current, current.value + 1);
    if (!won) return std::nullopt;  // ZooKeeper failed past the retries
    if (*won) return current.value;
  }
  return std::nullopt;
}

}  // namespace model::flink
