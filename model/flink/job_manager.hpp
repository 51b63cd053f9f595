#pragma once
// One JobManager process as a standalone cluster runs it: a Curator client, one leader election
// service (one LeaderLatch) shared by its components — ResourceManager, Dispatcher and one
// JobManagerRunner per job — and one RPC inbox that routes calls to them. Built on every boot and
// dropped on crash, as a process's memory is.
#include <memory>
#include <string>

#include "model/flink/dispatcher.hpp"
#include "model/flink/leader_election.hpp"
#include "model/flink/resource_manager.hpp"
#include "model/flink/task_manager.hpp"
#include "model/kubernetes/local_clock.hpp"

namespace model::flink {

class JobManager {
 public:
  JobManager(const TaskManagerEnvironment& env, sim::Filesystem& storage, sim::ProcessId self, std::string address);
  JobManager(const JobManager&) = delete;
  JobManager& operator=(const JobManager&) = delete;

  // The node's wall clock (kubernetes mode reads it for the lease); it outlives the process.
  void set_local_clock(const model::kubernetes::LocalClock* clock) { clock_ = clock; }
  void start();
  const LeaderElection& election() const { return *election_; }
  model::zk::SessionId zookeeper_session() const { return client_ ? client_->session_id() : 0; }

 private:
  void route();
  void confirm_resource_manager();

  TaskManagerEnvironment env_;
  sim::Filesystem& storage_;
  sim::ProcessId self_;
  std::string address_;
  const model::kubernetes::LocalClock* clock_ = nullptr;
  sim::MailboxId inbox_{};
  sim::MailboxId rm_grants_{};
  std::unique_ptr<curator::CuratorFramework> client_;
  std::unique_ptr<LeaderElection> election_;
  std::unique_ptr<ResourceManager> resource_manager_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

// Mutants that change how the latch itself behaves: Curator 2.x re-queues on RECONNECTED, and
// FLINK-10052 revokes on SUSPENDED even when tolerate-suspended-connections is set.
bool latch_requeues_on_reconnect(Mutant mutant);

}  // namespace model::flink
