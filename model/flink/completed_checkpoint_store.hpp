#pragma once
// Flink's ZooKeeperCompletedCheckpointStore over ZooKeeperStateHandleStore: a completed
// checkpoint's metadata lives in a file under <storageDir>/<cluster-id>/, and ZooKeeper holds
// only a pointer at <ns>/jobs/<jobId>/checkpoints/<%019d id>, with a `locks` child holding one
// EPHEMERAL lock per store instance that uses it.
//   addAndLock: write the file, then one multi creating the pointer, `locks` and our lock. A
//     NodeExists on a retried attempt is the echo of our own committed attempt (FLINK-24543's
//     fix); a failure that may have committed keeps the file; a clean failure discards it.
//   releaseAndTryRemove: delete our lock; delete `locks` (NotEmpty: someone else still holds it,
//     stop); discard the file; delete the pointer.
//   recover: lock every child, sort by id, read every file; a missing file fails the recovery.
// Blocking calls, from a fiber of the JobManager process.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/curator/curator_framework.hpp"
#include "model/flink/mutants.hpp"
#include "sim/filesystem.hpp"

namespace model::flink {

struct CheckpointStoreOptions {
  std::string zk_namespace;   // "/flink/default"
  std::string job_id;
  std::string storage_dir;    // "hdfs:///flink/ha"
  std::string cluster_id;     // "/default"
  int num_retained = 1;
  std::string lock_owner;     // this store instance's UUID
  Mutant mutant = Mutant::kNone;
};

struct CompletedCheckpoint {
  std::int64_t id = 0;
  std::string file;      // the metadata file on storage
  std::string metadata;  // its contents
};

enum class AddOutcome { kAdded, kFailedFileKept, kFailedFileDiscarded };
enum class RecoverOutcome { kRecovered, kMissingFile, kZooKeeperFailed, kStorageFailed };

struct RecoverResult {
  RecoverOutcome outcome = RecoverOutcome::kZooKeeperFailed;
  std::vector<CompletedCheckpoint> checkpoints;  // sorted by id
  std::string detail;
};

std::string checkpoint_node_name(std::int64_t id);  // "%019d"

class CompletedCheckpointStore {
 public:
  CompletedCheckpointStore(curator::CuratorFramework& client, sim::Filesystem& storage, CheckpointStoreOptions options);

  // The store's root path, created once per store instance as Curator's EnsurePath does.
  model::zk::Code ensure_root();
  AddOutcome add(std::int64_t id, const std::string& metadata);
  RecoverResult recover();
  // Removes all but the newest num_retained checkpoints this store added. True if all went.
  bool subsume();
  // Tries to remove one pointer and its file; false when another instance still holds a lock.
  bool release_and_try_remove(std::int64_t id);
  const std::vector<CompletedCheckpoint>& checkpoints() const { return checkpoints_; }
  std::string checkpoints_path() const;

 private:
  std::string pointer_path(std::int64_t id) const { return checkpoints_path() + "/" + checkpoint_node_name(id); }
  std::string new_file_path();
  void trace(const char* what, std::vector<sim::TraceField> fields);

  curator::CuratorFramework& client_;
  sim::Filesystem& storage_;
  CheckpointStoreOptions options_;
  sim::Prng rng_;
  std::vector<CompletedCheckpoint> checkpoints_;
  bool root_ensured_ = false;
};

}  // namespace model::flink
