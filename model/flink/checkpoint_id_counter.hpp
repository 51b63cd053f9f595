#pragma once
// ZooKeeperCheckpointIDCounter: a Curator SharedCount at <ns>/jobs/<jobId>/checkpoint_id_counter,
// starting at 1. getAndIncrement is a versioned read plus compare-and-set, looping until the CAS
// wins, and refuses to work unless the last connection state is CONNECTED or RECONNECTED.
// Switches: FLINK-14091 (the state holder records only SUSPENDED and LOST, so after one blip it
// refuses forever) and the synthetic mutant that sets the count without compare-and-set.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "model/curator/shared_count.hpp"
#include "model/flink/mutants.hpp"

namespace model::flink {

// Flink's CheckpointIDCounter as a JobMaster uses it: the ZooKeeper counter below or the in-memory
// StandaloneCheckpointIDCounter (standalone_ha.hpp).
class CheckpointIdSource {
 public:
  virtual ~CheckpointIdSource() = default;
  virtual model::zk::Code start() = 0;
  virtual std::optional<std::int64_t> get_and_increment() = 0;
};

class CheckpointIdCounter final : public CheckpointIdSource {
 public:
  CheckpointIdCounter(curator::CuratorFramework& client, const std::string& zk_namespace, const std::string& job_id,
                      Mutant mutant = Mutant::kNone);

  model::zk::Code start() override;
  // The id to use, or nullopt when the counter refuses (connection state) or ZooKeeper fails.
  std::optional<std::int64_t> get_and_increment() override;
  std::string path() const { return path_; }

 private:
  bool connection_usable() const;

  curator::CuratorFramework& client_;
  std::string path_;
  Mutant mutant_;
  curator::SharedCount count_;
  bool started_ = false;  // once started, never again (ZooKeeperCheckpointIDCounter.isStarted)
  std::shared_ptr<std::optional<curator::ConnectionState>> last_state_ =
      std::make_shared<std::optional<curator::ConnectionState>>();
  int cas_attempts_max_ = 1000;
};

}  // namespace model::flink
