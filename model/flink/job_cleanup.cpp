#include "model/flink/job_cleanup.hpp"

#include "model/flink/completed_checkpoint_store.hpp"

namespace model::flink {
namespace {

using model::zk::Code;

bool gone(Code code) { return code == Code::Ok || code == Code::NoNode; }

// ZooKeeperUtils.deleteZNode: Curator's ZKPaths.deleteChildren(..., true), children first, whoever
// owns them (a lock of another store instance included). Depth and count are bounded: a job's
// subtree is <job>/checkpoints/<pointer>/locks/<lock>.
bool delete_recursively(curator::CuratorFramework& client, const std::string& path, int depth_left) {
  constexpr std::size_t kMaxChildren = 10000;
  const auto children = client.get_children(path);
  if (children.code == Code::NoNode) return true;
  if (children.code != Code::Ok || children.children.size() > kMaxChildren) return false;
  if (!children.children.empty() && depth_left == 0) return false;
  for (const std::string& child : children.children) {
    if (!delete_recursively(client, path + "/" + child, depth_left - 1)) return false;
  }
  return gone(client.remove(path));
}

// DefaultCompletedCheckpointStore.shutdown on a globally terminal job: each checkpoint this store
// can remove is discarded; one still locked by another store instance is kept (its file stays),
// and a failure is logged, not fatal ("Fail to remove checkpoint during shutdown").
bool discard_checkpoints(const JobCleanupContext& context, const std::string& job) {
  const FlinkConfig& config = context.cluster->config;
  std::vector<sim::TraceField> tags = context.trace_tags;
  tags.push_back({"job", job});
  CompletedCheckpointStore store(*context.client, *context.storage,
                                 CheckpointStoreOptions{config.zookeeper_namespace(), job, config.storage_dir,
                                                        config.cluster_id, config.checkpoints_num_retained,
                                                        context.lock_owner, context.cluster->mutant, tags});
  const auto names = context.client->get_children(store.checkpoints_path());
  if (names.code == Code::NoNode) return true;
  if (names.code != Code::Ok) return false;
  for (const std::string& name : names.children) store.release_and_try_remove(std::stoll(name));
  return true;
}

}  // namespace

bool legacy_job_lifecycle(Mutant mutant) {
  return mutant == Mutant::kFlink10011 || mutant == Mutant::kFlink10255 || mutant == Mutant::kFlink21979;
}

bool clean_up_job(const JobCleanupContext& context, const std::string& job) {
  const std::string job_node = context.cluster->config.zookeeper_namespace() + "/jobs/" + job;
  if (!discard_checkpoints(context, job)) return false;
  const bool graph_removed = context.job_graphs->global_cleanup(job);
  if (!graph_removed && !legacy_job_lifecycle(context.cluster->mutant)) return false;
  // AbstractHaServices.globalCleanupAsync -> internalCleanupJobData: the job's znode, recursively
  // (pointers left by the store shutdown, their locks, the checkpoint id counter).
  constexpr int kJobSubtreeDepth = 4;
  return delete_recursively(*context.client, job_node, kJobSubtreeDepth);
}

}  // namespace model::flink
