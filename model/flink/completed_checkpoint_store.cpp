#include "model/flink/completed_checkpoint_store.hpp"

#include <algorithm>
#include <cstdio>

#include "model/flink/job_result_store.hpp"
#include "model/probes.hpp"

namespace model::flink {

std::string checkpoint_node_name(std::int64_t id) {
  char name[32];
  std::snprintf(name, sizeof name, "%019lld", static_cast<long long>(id));
  return name;
}

std::string cluster_storage_dir(const std::string& storage_dir, const std::string& cluster_id) {
  std::string cluster = cluster_id;
  while (!cluster.empty() && cluster.front() == '/') cluster.erase(cluster.begin());
  return storage_path(storage_dir) + "/" + (cluster.empty() ? "default" : cluster);
}

CompletedCheckpointStore::CompletedCheckpointStore(curator::CuratorFramework& client, sim::Filesystem& storage,
                                                   CheckpointStoreOptions options)
    : options_(std::move(options)),
      handles_(client, storage,
               StateHandleStoreOptions{options_.zk_namespace + "/jobs/" + options_.job_id + "/checkpoints",
                                       cluster_storage_dir(options_.storage_dir, options_.cluster_id) + "/completedCheckpoint",
                                       options_.lock_owner, options_.mutant, "checkpoint", options_.trace_tags}) {
  SIM_ASSERT(options_.num_retained >= 1);
}

AddOutcome CompletedCheckpointStore::add(std::int64_t id, const std::string& metadata) {
  const AddOutcome outcome = handles_.add_and_lock(checkpoint_node_name(id), metadata);
  if (outcome == AddOutcome::kAdded) checkpoints_.push_back({id, handles_.last_file(), metadata});
  return outcome;
}

bool CompletedCheckpointStore::subsume() {
  bool all_removed = true;
  while (static_cast<int>(checkpoints_.size()) > options_.num_retained) {
    const bool removed = release_and_try_remove(checkpoints_.front().id);
    if (!removed && handles_.last_discard_failed()) model::probe(handles_.sim(), model::Probe::kFlinkSubsumptionDiscardFailed);
    all_removed &= removed;
    checkpoints_.erase(checkpoints_.begin());
  }
  return all_removed;
}

RecoverResult CompletedCheckpointStore::recover() {
  RecoverResult result;
  // ZooKeeperUtils.useNamespaceAndEnsurePath: the store's root is ensured when the store is
  // created, and Curator's namespace facade ensures it once, at its first operation, never again.
  // So a store whose job was cleaned up meanwhile does not bring the job's znode back when it adds.
  if (handles_.ensure_root() != model::zk::Code::Ok) return result;
  const auto names = handles_.names();
  if (!names) return result;
  for (const std::string& name : *names) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    const StateRead read = handles_.get_and_lock(name);
    if (read.outcome == ReadOutcome::kRead) {
      result.checkpoints.push_back({std::stoll(name), read.file, read.bytes});
      continue;
    }
    if (read.outcome == ReadOutcome::kNoPointer) continue;  // subsumed meanwhile
    if (read.outcome == ReadOutcome::kZooKeeperFailed) return result;
    // FLINK-7783: a checkpoint that cannot be read is taken for garbage and removed.
    if (options_.mutant == Mutant::kFlink7783) {
      handles_.release_and_try_remove(name);
      continue;
    }
    result.outcome = read.outcome == ReadOutcome::kMissingFile ? RecoverOutcome::kMissingFile : RecoverOutcome::kStorageFailed;
    result.detail = read.file;
    return result;
  }
  result.outcome = RecoverOutcome::kRecovered;
  checkpoints_ = result.checkpoints;
  return result;
}

}  // namespace model::flink
