#include "model/flink/job_graph_store.hpp"

#include "model/flink/completed_checkpoint_store.hpp"

namespace model::flink {

JobGraphStore::JobGraphStore(curator::CuratorFramework& client, sim::Filesystem& storage, const std::string& zk_namespace,
                             const std::string& storage_dir, const std::string& cluster_id, const std::string& lock_owner,
                             Mutant mutant, std::vector<sim::TraceField> trace_tags)
    : handles_(client, storage,
               StateHandleStoreOptions{zk_namespace + "/execution-plans", cluster_storage_dir(storage_dir, cluster_id) + "/submittedJobGraph",
                                       lock_owner, mutant, "job-graph", std::move(trace_tags)}) {}

}  // namespace model::flink
