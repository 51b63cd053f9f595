#pragma once
// Flink's JobGraphStore over ZooKeeper (DefaultJobGraphStore + ZooKeeperStateHandleStore): job
// graphs as state handles under <ns>/execution-plans/<jobId>. put = addAndLock, recover =
// getAndLock; local cleanup releases only our lock, global cleanup is releaseAndTryRemove, which
// stops while another JobManager still holds a lock (the root of FLINK-10011 and FLINK-10255).
#include <optional>
#include <string>
#include <vector>

#include "model/flink/state_handle_store.hpp"

namespace model::flink {

// Flink's JobGraphStore as the Dispatcher uses it: the ZooKeeper store below or
// StandaloneJobGraphStore (standalone_ha.hpp), which keeps nothing.
class JobGraphs {
 public:
  virtual ~JobGraphs() = default;
  virtual AddOutcome put(const std::string& job_id, const std::string& graph) = 0;
  virtual StateRead recover(const std::string& job_id) = 0;
  virtual std::optional<std::vector<std::string>> job_ids() = 0;
  virtual bool release_all() = 0;
  virtual bool global_cleanup(const std::string& job_id) = 0;
};

class JobGraphStore final : public JobGraphs {
 public:
  JobGraphStore(curator::CuratorFramework& client, sim::Filesystem& storage, const std::string& zk_namespace,
                const std::string& storage_dir, const std::string& cluster_id, const std::string& lock_owner,
                Mutant mutant = Mutant::kNone, std::vector<sim::TraceField> trace_tags = {});

  AddOutcome put(const std::string& job_id, const std::string& graph) override {
    return handles_.add_and_lock(job_id, graph);
  }
  StateRead recover(const std::string& job_id) override { return handles_.get_and_lock(job_id); }
  std::optional<std::vector<std::string>> job_ids() override { return handles_.names(); }
  model::zk::Code local_cleanup(const std::string& job_id) { return handles_.release(job_id); }
  bool release_all() override { return handles_.release_all(); }
  bool global_cleanup(const std::string& job_id) override { return handles_.release_and_try_remove(job_id); }

 private:
  StateHandleStore handles_;
};

}  // namespace model::flink
