#pragma once
// The global cleanup of a globally terminated job, in Flink 1.15's order (Dispatcher with its
// cleanup runners): checkpoints and the checkpoint ID counter, then the job graph, then the job's
// ZooKeeper node. Each step is blocking and reports whether it fully succeeded; the Dispatcher
// retries until every step has. Before 1.15 (the mutants FLINK-10011, FLINK-10255, FLINK-21979
// reproduce that era) a failed job graph removal was only logged and there was no JobResultStore.
#include <string>

#include "model/curator/curator_framework.hpp"
#include "model/flink/cluster.hpp"
#include "model/flink/job_graph_store.hpp"
#include "sim/filesystem.hpp"

namespace model::flink {

// True for the mutants that run the pre-1.15 lifecycle (no JobResultStore entries).
bool legacy_job_lifecycle(Mutant mutant);

struct JobCleanupContext {
  curator::CuratorFramework* client = nullptr;
  sim::Filesystem* storage = nullptr;
  const ClusterOptions* cluster = nullptr;
  JobGraphs* job_graphs = nullptr;
  std::string lock_owner;  // the cleaning Dispatcher's
  std::vector<sim::TraceField> trace_tags;
};

// One attempt at the whole cleanup. True when everything is gone.
bool clean_up_job(const JobCleanupContext& context, const std::string& job);

}  // namespace model::flink
