#pragma once
// high-availability.type none (Flink's StandaloneHaServices): no ZooKeeper, nothing survives a
// JobManager process. Every JobManager is leader from the start with the fixed leader session id
// HighAvailabilityServices.DEFAULT_LEADER_ID, never revoked, and confirming publishes nothing
// (StandaloneLeaderElectionService); TaskManagers and the client are given the configured
// JobManager address (jobmanager.rpc.address: the first master here) with that id
// (StandaloneLeaderRetrievalService); the stores are in-memory: StandaloneJobGraphStore (keeps
// nothing, recovers nothing), StandaloneCompletedCheckpointStore (num-retained, in memory),
// StandaloneCheckpointIDCounter (starts at 1) and EmbeddedJobResultStore. These classes implement
// the interfaces the components use; which family a process gets is chosen once, at its boot.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/flink/checkpoint_id_counter.hpp"
#include "model/flink/cluster.hpp"
#include "model/flink/completed_checkpoint_store.hpp"
#include "model/flink/job_graph_store.hpp"
#include "model/flink/job_result_store.hpp"
#include "model/flink/leader_election.hpp"
#include "model/flink/leader_retrieval.hpp"

namespace model::flink {

// HighAvailabilityServices.DEFAULT_LEADER_ID.
inline constexpr const char* kDefaultLeaderId = "00000000-0000-0000-0000-000000000000";

// True when the cluster runs without HA services (high-availability.type none).
bool standalone_ha(const ClusterOptions& cluster);
// The JobManager address TaskManagers and the client are configured with: the first master's
// process name ("jm1", "c1/jm1").
std::string configured_jobmanager_address(const ClusterOptions& cluster);

class StandaloneLeaderElectionService final : public LeaderElection {
 public:
  StandaloneLeaderElectionService(sim::Simulation& sim, sim::ProcessId owner, std::vector<sim::TraceField> trace_tags);

  // A contender added after start is granted at once, as in the ZooKeeper service.
  void add_contender(LeaderContender contender) override;
  void remove_contender(const std::string& component) override;
  // Grants DEFAULT_LEADER_ID to every contender; there is never a revoke.
  void start() override;
  // Accepted for the default id while started; traced as `confirm`, nothing is published.
  bool confirm(const std::string& component, const std::string& session_id, const std::string& address) override;
  bool has_leadership() const override { return issued_.has_value(); }
  const std::optional<std::string>& issued_session() const override { return issued_; }

 private:
  void trace(const char* name, std::vector<sim::TraceField> fields);

  sim::Simulation& sim_;
  sim::ProcessId owner_;
  std::vector<sim::TraceField> trace_tags_;
  std::vector<LeaderContender> contenders_;
  std::optional<std::string> issued_;
};

// Reports one fixed leader once, at start.
class StandaloneLeaderRetrieval final : public LeaderRetriever {
 public:
  StandaloneLeaderRetrieval(sim::Simulation& sim, sim::ProcessId owner, std::string component, LeaderInformation leader,
                            std::vector<sim::TraceField> trace_tags, LeaderListener listener);
  void start() override;
  const LeaderInformation& last_notified() const override { return last_; }

 private:
  sim::Simulation& sim_;
  sim::ProcessId owner_;
  std::string component_;
  LeaderInformation leader_;
  std::vector<sim::TraceField> trace_tags_;
  LeaderListener listener_;
  LeaderInformation last_;
};

class StandaloneCheckpointIdCounter final : public CheckpointIdSource {
 public:
  model::zk::Code start() override { return model::zk::Code::Ok; }
  std::optional<std::int64_t> get_and_increment() override { return next_++; }

 private:
  std::int64_t next_ = 1;
};

class StandaloneCompletedCheckpointStore final : public CheckpointStore {
 public:
  explicit StandaloneCompletedCheckpointStore(int num_retained);
  AddOutcome add(std::int64_t id, const std::string& metadata) override;
  RecoverResult recover() override;  // what this store holds: nothing survives the process
  bool subsume() override;
  bool release_all() override { return true; }
  bool release_and_try_remove(std::int64_t id) override;
  const std::vector<CompletedCheckpoint>& checkpoints() const override { return checkpoints_; }

 private:
  int num_retained_;
  std::vector<CompletedCheckpoint> checkpoints_;
};

class StandaloneJobGraphStore final : public JobGraphs {
 public:
  AddOutcome put(const std::string&, const std::string&) override { return AddOutcome::kAdded; }
  StateRead recover(const std::string&) override { return StateRead{ReadOutcome::kNoPointer, "", ""}; }
  std::optional<std::vector<std::string>> job_ids() override { return std::vector<std::string>{}; }
  bool release_all() override { return true; }
  bool global_cleanup(const std::string&) override { return true; }
};

class EmbeddedJobResultStore final : public JobResults {
 public:
  sim::FsStatus create_dirty(const std::string& job_id, const std::string& result) override;
  sim::FsStatus mark_clean(const std::string& job_id) override;
  sim::FsList dirty_job_ids() override;

 private:
  std::map<std::string, bool> entries_;  // job -> clean
};

}  // namespace model::flink
