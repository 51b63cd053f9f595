#include "model/flink/checkpoint_id_counter.hpp"

namespace model::flink {

CheckpointIdCounter::CheckpointIdCounter(curator::CuratorFramework& client, const std::string& zk_namespace,
                                         const std::string& job_id, Mutant mutant)
    : client_(client),
      path_(zk_namespace + "/jobs/" + job_id + "/checkpoint_id_counter"),
      mutant_(mutant),
      count_(client, path_, 1) {
  client_.add_connection_listener([this](curator::ConnectionState state) {
    const bool negative = state == curator::ConnectionState::kSuspended || state == curator::ConnectionState::kLost;
    if (mutant_ != Mutant::kFlink14091 || negative) last_state_ = state;
  });
}

model::zk::Code CheckpointIdCounter::start() { return count_.start(); }

bool CheckpointIdCounter::connection_usable() const {
  if (mutant_ == Mutant::kFlink14091) return !last_state_.has_value();
  return !last_state_ || *last_state_ == curator::ConnectionState::kConnected ||
         *last_state_ == curator::ConnectionState::kReconnected;
}

std::optional<std::int64_t> CheckpointIdCounter::get_and_increment() {
  for (int attempt = 0; attempt < cas_attempts_max_; attempt++) {
    if (!connection_usable()) {
      client_.sim().record("flink", "checkpoint-counter-refused", client_.owner(),
                           {{"state", std::string(last_state_ ? curator::to_string(*last_state_) : "none")}});
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
