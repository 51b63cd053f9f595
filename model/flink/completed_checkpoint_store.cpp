#include "model/flink/completed_checkpoint_store.hpp"

#include <algorithm>
#include <cstdio>

#include "model/flink/job_result_store.hpp"

namespace model::flink {
namespace {

using model::zk::Code;

bool possibly_committed(Code code) { return code == Code::ConnectionLoss || code == Code::OperationTimeout; }

}  // namespace

std::string checkpoint_node_name(std::int64_t id) {
  char name[32];
  std::snprintf(name, sizeof name, "%019lld", static_cast<long long>(id));
  return name;
}

CompletedCheckpointStore::CompletedCheckpointStore(curator::CuratorFramework& client, sim::Filesystem& storage,
                                                   CheckpointStoreOptions options)
    : client_(client),
      storage_(storage),
      options_(std::move(options)),
      rng_(client.sim().rng_stream("checkpoint-store/" + options_.lock_owner)) {
  SIM_ASSERT(options_.num_retained >= 1);
  SIM_ASSERT(!options_.lock_owner.empty());
}

std::string CompletedCheckpointStore::checkpoints_path() const {
  return options_.zk_namespace + "/jobs/" + options_.job_id + "/checkpoints";
}

std::string CompletedCheckpointStore::new_file_path() {
  std::string cluster = options_.cluster_id;
  while (!cluster.empty() && cluster.front() == '/') cluster.erase(cluster.begin());
  char suffix[20];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(rng_.next_u64()));
  return storage_path(options_.storage_dir) + "/" + (cluster.empty() ? "default" : cluster) + "/completedCheckpoint" + suffix;
}

void CompletedCheckpointStore::trace(const char* what, std::vector<sim::TraceField> fields) {
  fields.push_back({"job_id", options_.job_id});
  client_.sim().record("flink", what, client_.owner(), std::move(fields));
}

AddOutcome CompletedCheckpointStore::add(std::int64_t id, const std::string& metadata) {
  const std::string file = new_file_path();
  if (storage_.put(file, metadata) != sim::FsStatus::kOk) {
    trace("checkpoint-add-failed", {{"checkpoint_id", id}, {"reason", std::string("storage")}});
    return AddOutcome::kFailedFileDiscarded;
  }
  const std::string pointer = pointer_path(id);
  if (ensure_root() != Code::Ok) {
    trace("checkpoint-add-failed", {{"checkpoint_id", id}, {"reason", std::string("root")}, {"file", file}});
    return AddOutcome::kFailedFileKept;
  }
  int attempts = 0;
  const auto result = client_.multi({model::zk::CreateRequest{pointer, file, model::zk::CreateMode::Persistent},
                                     model::zk::CreateRequest{pointer + "/locks", std::nullopt, model::zk::CreateMode::Persistent},
                                     model::zk::CreateRequest{pointer + "/locks/" + options_.lock_owner, std::nullopt,
                                                              model::zk::CreateMode::Ephemeral}},
                                    &attempts);
  const bool echo_of_our_commit = result.code == Code::NodeExists && attempts > 1;
  if (result.code == Code::Ok || (echo_of_our_commit && options_.mutant != Mutant::kFlink24543)) {
    checkpoints_.push_back({id, file, metadata});
    trace("checkpoint-added", {{"checkpoint_id", id}, {"path", pointer}, {"file", file}, {"attempts", std::int64_t{attempts}}});
    return AddOutcome::kAdded;
  }
  if (possibly_committed(result.code)) {
    trace("checkpoint-add-failed", {{"checkpoint_id", id}, {"reason", std::string("possibly-committed")}, {"file", file}});
    return AddOutcome::kFailedFileKept;
  }
  // A clean failure, or (FLINK-24543) the echo of our own commit mistaken for one.
  storage_.remove(file);
  trace("checkpoint-add-failed", {{"checkpoint_id", id},
                                  {"reason", std::string(model::zk::to_string(result.code))},
                                  {"file", file},
                                  {"file_discarded", 1},
                                  {"attempts", std::int64_t{attempts}}});
  return AddOutcome::kFailedFileDiscarded;
}

model::zk::Code CompletedCheckpointStore::ensure_root() {
  if (root_ensured_) return Code::Ok;
  const Code code = client_.ensure_path(checkpoints_path());
  root_ensured_ = code == Code::Ok;
  return code;
}

bool CompletedCheckpointStore::release_and_try_remove(std::int64_t id) {
  const std::string pointer = pointer_path(id);
  const Code unlocked = client_.remove(pointer + "/locks/" + options_.lock_owner);
  if (unlocked != Code::Ok && unlocked != Code::NoNode) return false;
  const Code locks = client_.remove(pointer + "/locks");
  if (locks == Code::NotEmpty) return false;  // another JobManager still holds it
  if (locks != Code::Ok && locks != Code::NoNode) return false;
  const auto read = client_.get_data(pointer);
  const std::string file = read.code == Code::Ok && read.data ? *read.data : "";
  const bool pointer_first = options_.mutant == Mutant::kFlink26284;
  if (pointer_first && client_.remove(pointer) != Code::Ok) return false;
  if (!file.empty()) {
    const auto removed = storage_.remove(file);
    if (removed != sim::FsStatus::kOk && removed != sim::FsStatus::kNotFound) return false;
  }
  if (!pointer_first) {
    const Code deleted = client_.remove(pointer);
    if (deleted != Code::Ok && deleted != Code::NoNode) return false;
  }
  trace("checkpoint-removed", {{"checkpoint_id", id}, {"path", pointer}, {"file", file}});
  return true;
}

bool CompletedCheckpointStore::subsume() {
  bool all_removed = true;
  while (static_cast<int>(checkpoints_.size()) > options_.num_retained) {
    const std::int64_t oldest = checkpoints_.front().id;
    all_removed &= release_and_try_remove(oldest);
    checkpoints_.erase(checkpoints_.begin());
  }
  return all_removed;
}

RecoverResult CompletedCheckpointStore::recover() {
  RecoverResult result;
  const auto children = client_.get_children(checkpoints_path());
  if (children.code == Code::NoNode) {
    result.outcome = RecoverOutcome::kRecovered;
    checkpoints_.clear();
    return result;
  }
  if (children.code != Code::Ok) return result;
  std::vector<std::string> names = children.children;
  std::sort(names.begin(), names.end());  // %019d sorts as the ids do
  for (const std::string& name : names) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    const std::string pointer = checkpoints_path() + "/" + name;
    const auto lock = client_.create(pointer + "/locks/" + options_.lock_owner, std::nullopt, model::zk::CreateMode::Ephemeral);
    if (lock.code != Code::Ok && lock.code != Code::NodeExists) continue;  // removed meanwhile
    const auto read = client_.get_data(pointer);
    if (read.code != Code::Ok || !read.data) continue;
    const auto file = storage_.read(*read.data);
    if (file.status == sim::FsStatus::kNotFound) {
      result.outcome = RecoverOutcome::kMissingFile;
      result.detail = *read.data;
      trace("checkpoint-recovery-failed", {{"path", pointer}, {"file", *read.data}});
      return result;
    }
    if (file.status != sim::FsStatus::kOk) {
      result.outcome = RecoverOutcome::kStorageFailed;
      result.detail = *read.data;
      return result;
    }
    result.checkpoints.push_back({std::stoll(name), *read.data, file.bytes});
  }
  result.outcome = RecoverOutcome::kRecovered;
  checkpoints_ = result.checkpoints;
  trace("checkpoints-recovered", {{"count", static_cast<std::int64_t>(checkpoints_.size())},
                                  {"latest", checkpoints_.empty() ? std::int64_t{0} : checkpoints_.back().id}});
  return result;
}

}  // namespace model::flink
