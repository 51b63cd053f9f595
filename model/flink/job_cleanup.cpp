#include "model/flink/job_cleanup.hpp"

#include "model/flink/completed_checkpoint_store.hpp"

namespace model::flink {
namespace {

using model::zk::Code;

bool gone(Code code) { return code == Code::Ok || code == Code::NoNode; }

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
  bool all = true;
  for (const std::string& name : names.children) {
    all &= store.release_and_try_remove(std::stoll(name));
  }
  return all && gone(context.client->remove(store.checkpoints_path()));
}

}  // namespace

bool legacy_job_lifecycle(Mutant mutant) {
  return mutant == Mutant::kFlink10011 || mutant == Mutant::kFlink10255 || mutant == Mutant::kFlink21979;
}

bool clean_up_job(const JobCleanupContext& context, const std::string& job) {
  const std::string job_node = context.cluster->config.zookeeper_namespace() + "/jobs/" + job;
  if (!discard_checkpoints(context, job)) return false;
  if (!gone(context.client->remove(job_node + "/checkpoint_id_counter"))) return false;
  const bool graph_removed = context.job_graphs->global_cleanup(job);
  if (!graph_removed && !legacy_job_lifecycle(context.cluster->mutant)) return false;
  return gone(context.client->remove(job_node));
}

}  // namespace model::flink
