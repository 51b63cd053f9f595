#pragma once
// Flink's ZooKeeperCompletedCheckpointStore: completed checkpoints as state handles under
// <ns>/jobs/<jobId>/checkpoints/<%019d id>, their metadata files under <storageDir>/<cluster-id>/.
// Keeps num-retained checkpoints (never removing the latest); recovery locks every child, sorts
// by id and reads every file, failing on a missing one. Blocking calls, from a JobManager fiber.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/flink/state_handle_store.hpp"

namespace model::flink {

struct CheckpointStoreOptions {
  std::string zk_namespace;   // "/flink/default"
  std::string job_id;
  std::string storage_dir;    // "hdfs:///flink/ha"
  std::string cluster_id;     // "/default"
  int num_retained = 1;
  std::string lock_owner;     // this store instance's UUID
  Mutant mutant = Mutant::kNone;
  std::vector<sim::TraceField> trace_tags;  // cluster, job, session_id
};

struct CompletedCheckpoint {
  std::int64_t id = 0;
  std::string file;      // the metadata file on storage
  std::string metadata;  // its contents
};

enum class RecoverOutcome { kRecovered, kMissingFile, kZooKeeperFailed, kStorageFailed };

struct RecoverResult {
  RecoverOutcome outcome = RecoverOutcome::kZooKeeperFailed;
  std::vector<CompletedCheckpoint> checkpoints;  // sorted by id
  std::string detail;
};

std::string checkpoint_node_name(std::int64_t id);  // "%019d"

// Flink's CompletedCheckpointStore as a JobMaster and its coordinator use it: the ZooKeeper store
// below or the in-memory StandaloneCompletedCheckpointStore (standalone_ha.hpp).
class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  virtual AddOutcome add(std::int64_t id, const std::string& metadata) = 0;
  virtual RecoverResult recover() = 0;
  virtual bool subsume() = 0;
  virtual bool release_all() = 0;
  virtual bool release_and_try_remove(std::int64_t id) = 0;
  virtual const std::vector<CompletedCheckpoint>& checkpoints() const = 0;
};

class CompletedCheckpointStore final : public CheckpointStore {
 public:
  CompletedCheckpointStore(curator::CuratorFramework& client, sim::Filesystem& storage, CheckpointStoreOptions options);

  model::zk::Code ensure_root() { return handles_.ensure_root(); }
  AddOutcome add(std::int64_t id, const std::string& metadata) override;
  RecoverResult recover() override;
  // Removes all but the newest num_retained checkpoints this store holds. True if all went.
  bool subsume() override;
  // Local cleanup of a suspended job: our locks go, the checkpoints stay.
  bool release_all() override { return handles_.release_all(); }
  bool release_and_try_remove(std::int64_t id) override {
    return handles_.release_and_try_remove(checkpoint_node_name(id));
  }
  const std::vector<CompletedCheckpoint>& checkpoints() const override { return checkpoints_; }
  const std::string& checkpoints_path() const { return handles_.root(); }

 private:
  CheckpointStoreOptions options_;
  StateHandleStore handles_;
  std::vector<CompletedCheckpoint> checkpoints_;
};

// "<storage path>/<cluster-id>/": where a cluster's HA files live on the simulated store.
std::string cluster_storage_dir(const std::string& storage_dir, const std::string& cluster_id);

}  // namespace model::flink
