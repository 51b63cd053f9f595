#pragma once
// ZooKeeperStateHandleStore: state in a file on storage, a pointer to it in a znode
// <root>/<name> with a `locks` child holding one EPHEMERAL lock per store instance that uses it.
// The checkpoint store and the job graph store are both built on it, as in Flink.
//   add_and_lock: write the file, then one multi creating the pointer, `locks` and our lock. A
//     NodeExists on a retried attempt is the echo of our own committed attempt (the FLINK-24543
//     fix); a failure that may have committed keeps the file; a clean failure discards it.
//   release_and_try_remove: delete our lock; delete `locks` (NotEmpty: another instance still
//     holds it, stop); discard the file; delete the pointer (FLINK-26284 swaps the last two).
//   release: delete only our lock (local cleanup).
//   get_and_lock: lock, then read the pointer and the file.
#include <string>
#include <vector>

#include "model/curator/curator_framework.hpp"
#include "model/flink/mutants.hpp"
#include "sim/filesystem.hpp"

namespace model::flink {

enum class AddOutcome { kAdded, kFailedFileKept, kFailedFileDiscarded };
enum class ReadOutcome { kRead, kNoPointer, kMissingFile, kZooKeeperFailed, kStorageFailed };

struct StateRead {
  ReadOutcome outcome = ReadOutcome::kZooKeeperFailed;
  std::string file;
  std::string bytes;
};

struct StateHandleStoreOptions {
  std::string root;         // znode under which pointers live
  std::string file_prefix;  // e.g. "<storage>/<cluster>/completedCheckpoint"
  std::string lock_owner;   // this store instance's UUID
  Mutant mutant = Mutant::kNone;
  std::string kind;         // for traces: "checkpoint", "job-graph"
  std::vector<sim::TraceField> trace_tags;  // added to every trace event: cluster, job, session_id
};

class StateHandleStore {
 public:
  StateHandleStore(curator::CuratorFramework& client, sim::Filesystem& storage, StateHandleStoreOptions options);

  model::zk::Code ensure_root();  // once per instance, as Curator's EnsurePath
  AddOutcome add_and_lock(const std::string& name, const std::string& state);
  bool release_and_try_remove(const std::string& name);
  model::zk::Code release(const std::string& name);
  // releaseAll: our lock on every pointer (local cleanup of a suspended job). False on a failure.
  bool release_all();
  StateRead get_and_lock(const std::string& name);
  // The pointers' names, sorted; nullopt when ZooKeeper failed.
  std::optional<std::vector<std::string>> names();
  const std::string& root() const { return options_.root; }
  // The file of the last add_and_lock, whatever its outcome.
  const std::string& last_file() const { return last_file_; }
  // The last release_and_try_remove stopped because the file could not be deleted (for a probe).
  bool last_discard_failed() const { return last_discard_failed_; }
  sim::Simulation& sim() { return client_.sim(); }

 private:
  std::string new_file_path();
  void trace(const std::string& what, std::vector<sim::TraceField> fields);

  curator::CuratorFramework& client_;
  sim::Filesystem& storage_;
  StateHandleStoreOptions options_;
  sim::Prng rng_;
  bool root_ensured_ = false;
  std::string last_file_;
  bool last_discard_failed_ = false;
};

}  // namespace model::flink
