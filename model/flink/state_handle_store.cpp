#include "model/flink/state_handle_store.hpp"

#include <algorithm>
#include <cstdio>

#include "model/probes.hpp"

namespace model::flink {
namespace {

using model::zk::Code;

// ZooKeeperStateHandleStore.indicatesPossiblyInconsistentState: every failure but the "safe
// pre-commit" ones may have committed (a SessionExpired after a retry whose first attempt committed
// with its reply lost, say); the file is then kept (PossibleInconsistentStateException).
bool possibly_committed(Code code) {
  switch (code) {
    case Code::NodeExists:
    case Code::BadArguments:
    case Code::NoNode:
    case Code::NoAuth:
    case Code::BadVersion:
    case Code::AuthFailed:
    case Code::InvalidAcl:
    case Code::SessionMoved:
    case Code::NotReadOnly:
      return false;
    default:
      return true;
  }
}

}  // namespace

StateHandleStore::StateHandleStore(curator::CuratorFramework& client, sim::Filesystem& storage, StateHandleStoreOptions options)
    : client_(client),
      storage_(storage),
      options_(std::move(options)),
      // One stream per store: the stores of two jobs of one term must not draw the same file
      // names (Flink's FileUtils.getRandomFilename never repeats one in practice).
      rng_(client.sim().rng_stream("state-handle-store/" + options_.kind + options_.root + "/" + options_.lock_owner)) {
  SIM_ASSERT(!options_.lock_owner.empty());
  SIM_ASSERT(!options_.root.empty() && options_.root.front() == '/');
}

void StateHandleStore::trace(const std::string& what, std::vector<sim::TraceField> fields) {
  fields.insert(fields.end(), options_.trace_tags.begin(), options_.trace_tags.end());
  client_.sim().record("flink", options_.kind + "-" + what, client_.owner(), std::move(fields));
}

std::string StateHandleStore::new_file_path() {
  char suffix[20];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(rng_.next_u64()));
  return options_.file_prefix + suffix;
}

Code StateHandleStore::ensure_root() {
  if (root_ensured_) return Code::Ok;
  const Code code = client_.ensure_path(options_.root);
  root_ensured_ = code == Code::Ok;
  return code;
}

AddOutcome StateHandleStore::add_and_lock(const std::string& name, const std::string& state) {
  const std::string file = new_file_path();
  last_file_ = file;
  const std::string pointer = options_.root + "/" + name;
  if (storage_.put(file, state) != sim::FsStatus::kOk) {
    trace("add-failed", {{"path", pointer}, {"reason", std::string("storage")}});
    return AddOutcome::kFailedFileDiscarded;
  }
  if (ensure_root() != Code::Ok) {
    trace("add-failed", {{"path", pointer}, {"reason", std::string("root")}, {"file", file}});
    return AddOutcome::kFailedFileKept;
  }
  int attempts = 0;
  const auto result = client_.multi({model::zk::CreateRequest{pointer, file, model::zk::CreateMode::Persistent},
                                     model::zk::CreateRequest{pointer + "/locks", std::nullopt, model::zk::CreateMode::Persistent},
                                     model::zk::CreateRequest{pointer + "/locks/" + options_.lock_owner, std::nullopt,
                                                              model::zk::CreateMode::Ephemeral}},
                                    &attempts);
  const bool echo_of_our_commit = result.code == Code::NodeExists && attempts > 1;
  if (echo_of_our_commit) model::probe(client_.sim(), model::Probe::kFlinkAddAndLockCommitEchoed);
  if (result.code == Code::Ok || (echo_of_our_commit && options_.mutant != Mutant::kFlink24543)) {
    // An echo's zxid is its own failed attempt's, later than the commit it echoes.
    trace("added", {{"path", pointer}, {"file", file}, {"attempts", std::int64_t{attempts}},
                    {"zxid", result.code == Code::Ok ? result.zxid : model::zk::Zxid{0}}});
    return AddOutcome::kAdded;
  }
  if (possibly_committed(result.code)) {
    model::probe(client_.sim(), model::Probe::kFlinkAddAndLockPossiblyCommitted);
    trace("add-failed", {{"path", pointer}, {"reason", std::string("possibly-committed")}, {"file", file}});
    return AddOutcome::kFailedFileKept;
  }
  // A clean failure, or (FLINK-24543) the echo of our own commit mistaken for one.
  storage_.remove(file);
  trace("add-failed", {{"path", pointer},
                       {"reason", std::string(model::zk::to_string(result.code))},
                       {"file", file},
                       {"file_discarded", 1},
                       {"attempts", std::int64_t{attempts}}});
  return AddOutcome::kFailedFileDiscarded;
}

// A lock this store could not release stays until its JobManager's ZooKeeper session ends: while
// that session lives, nobody can remove the pointer (the residual case FLINK-10011's fix assumes
// away: "we assume that the JobGraph can be faster released than recovered").
Code StateHandleStore::release(const std::string& name) {
  const std::string lock = options_.root + "/" + name + "/locks/" + options_.lock_owner;
  const Code code = client_.remove(lock);
  if (code == Code::NoNode) return Code::Ok;
  if (code != Code::Ok) {
    model::probe(client_.sim(), model::Probe::kFlinkLockReleaseFailed);
    trace("release-failed", {{"path", options_.root + "/" + name}, {"lock", lock}, {"code", std::int64_t{static_cast<int>(code)}}});
  }
  return code;
}

// The traces carry the zxid at which each step committed (`zxid`, from the reply; 0 when the
// step's delete found nothing to delete), so a checker can order a removal against a late-heard
// add of the same pointer by ZooKeeper's commit order rather than by when the client heard back.
bool StateHandleStore::release_and_try_remove(const std::string& name) {
  const std::string pointer = options_.root + "/" + name;
  last_discard_failed_ = false;
  if (release(name) != Code::Ok) return false;
  model::zk::Zxid marked_zxid = 0;
  const Code locks = client_.remove(pointer + "/locks", -1, &marked_zxid);
  if (locks == Code::NotEmpty) {  // another store instance still holds it
    if (options_.kind == "checkpoint") model::probe(client_.sim(), model::Probe::kFlinkCheckpointStillLocked);
    trace("still-locked", {{"path", pointer}});
    return false;
  }
  if (locks != Code::Ok && locks != Code::NoNode) {
    // deleteIfExists threw: the caller logs it (the store shutdown: "Fail to remove checkpoint").
    trace("remove-failed", {{"path", pointer}, {"step", std::string("locks")}, {"code", std::int64_t{static_cast<int>(locks)}}});
    return false;
  }
  if (locks == Code::NoNode) marked_zxid = 0;
  const auto read = client_.get_data(pointer);
  const std::string file = read.code == Code::Ok && read.data ? *read.data : "";
  // FLINK-7783 runs the same pre-fix order: Flink 1.4's removeBrokenStateHandle deleted the node,
  // then discarded the state in a callback, so an outage that fails the discard still loses the pointer.
  const bool pointer_first = options_.mutant == Mutant::kFlink26284 || options_.mutant == Mutant::kFlink7783;
  model::zk::Zxid deleted_zxid = 0;
  if (pointer_first) {
    const Code deleted = client_.remove(pointer, -1, &deleted_zxid);
    if (deleted != Code::Ok) {
      trace("remove-failed", {{"path", pointer}, {"step", std::string("pointer")}, {"code", std::int64_t{static_cast<int>(deleted)}}});
      return false;
    }
    trace("pointer-deleted", {{"path", pointer}, {"zxid", deleted_zxid}});
  }
  if (!file.empty()) {
    const auto removed = storage_.remove(file);
    if (removed != sim::FsStatus::kOk && removed != sim::FsStatus::kNotFound) {
      // discardState threw: the pointer stays (marked for deletion) and the caller decides.
      last_discard_failed_ = true;
      trace("discard-failed", {{"path", pointer}, {"file", file}});
      return false;
    }
    trace("file-discarded", {{"path", pointer}, {"file", file}, {"zxid", marked_zxid}});
  }
  if (!pointer_first) {
    const Code deleted = client_.remove(pointer, -1, &deleted_zxid);
    if (deleted != Code::Ok && deleted != Code::NoNode) {
      trace("remove-failed", {{"path", pointer}, {"step", std::string("pointer")}, {"code", std::int64_t{static_cast<int>(deleted)}}});
      return false;
    }
    if (deleted == Code::NoNode) deleted_zxid = 0;
    trace("pointer-deleted", {{"path", pointer}, {"zxid", deleted_zxid}});
  }
  trace("removed", {{"path", pointer}, {"file", file}, {"zxid", deleted_zxid}});
  return true;
}

bool StateHandleStore::release_all() {
  const auto all = names();
  if (!all) return false;
  bool released = true;
  for (const std::string& name : *all) released &= release(name) == Code::Ok;
  return released;
}

StateRead StateHandleStore::get_and_lock(const std::string& name) {
  const std::string pointer = options_.root + "/" + name;
  const auto lock = client_.create(pointer + "/locks/" + options_.lock_owner, std::nullopt, model::zk::CreateMode::Ephemeral);
  if (lock.code == Code::NoNode) return {ReadOutcome::kNoPointer, "", ""};
  if (lock.code != Code::Ok && lock.code != Code::NodeExists) return {ReadOutcome::kZooKeeperFailed, "", ""};
  const auto read = client_.get_data(pointer);
  if (read.code == Code::NoNode) return {ReadOutcome::kNoPointer, "", ""};
  if (read.code != Code::Ok || !read.data) return {ReadOutcome::kZooKeeperFailed, "", ""};
  const auto file = storage_.read(*read.data);
  if (file.status == sim::FsStatus::kNotFound) {
    trace("read-missing-file", {{"path", pointer}, {"file", *read.data}});
    return {ReadOutcome::kMissingFile, *read.data, ""};
  }
  if (file.status != sim::FsStatus::kOk) return {ReadOutcome::kStorageFailed, *read.data, ""};
  return {ReadOutcome::kRead, *read.data, file.bytes};
}

std::optional<std::vector<std::string>> StateHandleStore::names() {
  const auto children = client_.get_children(options_.root);
  if (children.code == Code::NoNode) return std::vector<std::string>{};
  if (children.code != Code::Ok) return std::nullopt;
  std::vector<std::string> sorted = children.children;
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

}  // namespace model::flink
