#include "model/flink/standalone_ha.hpp"

#include "sim/assert.hpp"

namespace model::flink {

bool standalone_ha(const ClusterOptions& cluster) { return cluster.config.ha_type == HaType::kNone; }

std::string configured_jobmanager_address(const ClusterOptions& cluster) {
  SIM_ASSERT(!cluster.masters.empty());
  return (cluster.name.empty() ? "" : cluster.name + "/") + cluster.masters.front().host;
}

StandaloneLeaderElectionService::StandaloneLeaderElectionService(sim::Simulation& sim, sim::ProcessId owner,
                                                                 std::vector<sim::TraceField> trace_tags)
    : sim_(sim), owner_(owner), trace_tags_(std::move(trace_tags)) {}

void StandaloneLeaderElectionService::trace(const char* name, std::vector<sim::TraceField> fields) {
  fields.insert(fields.begin(), trace_tags_.begin(), trace_tags_.end());
  sim_.record("flink", name, owner_, std::move(fields));
}

void StandaloneLeaderElectionService::add_contender(LeaderContender contender) {
  contenders_.push_back(std::move(contender));
  if (issued_) contenders_.back().grant(*issued_);
}

void StandaloneLeaderElectionService::remove_contender(const std::string& component) {
  std::erase_if(contenders_, [&](const LeaderContender& c) { return c.component == component; });
}

void StandaloneLeaderElectionService::start() {
  if (issued_) return;
  issued_ = kDefaultLeaderId;
  trace("grant", {{"session_id", *issued_}});
  for (const auto& contender : contenders_) contender.grant(*issued_);
}

bool StandaloneLeaderElectionService::confirm(const std::string& component, const std::string& session_id,
                                              const std::string& address) {
  if (!issued_ || *issued_ != session_id) {
    trace("confirm-rejected", {{"component", component}, {"session_id", session_id}});
    return false;
  }
  trace("confirm", {{"component", component}, {"session_id", session_id}, {"address", address}});
  return true;
}

StandaloneLeaderRetrieval::StandaloneLeaderRetrieval(sim::Simulation& sim, sim::ProcessId owner, std::string component,
                                                     LeaderInformation leader, std::vector<sim::TraceField> trace_tags,
                                                     LeaderListener listener)
    : sim_(sim),
      owner_(owner),
      component_(std::move(component)),
      leader_(std::move(leader)),
      trace_tags_(std::move(trace_tags)),
      listener_(std::move(listener)) {}

void StandaloneLeaderRetrieval::start() {
  last_ = leader_;
  std::vector<sim::TraceField> fields = trace_tags_;
  fields.insert(fields.end(), {{"path", "standalone/" + component_}, {"session_id", last_.session_id}, {"address", last_.address}});
  sim_.record("flink", "leader-retrieved", owner_, std::move(fields));
  if (listener_) listener_(last_);
}

StandaloneCompletedCheckpointStore::StandaloneCompletedCheckpointStore(int num_retained) : num_retained_(num_retained) {
  SIM_ASSERT(num_retained_ >= 1);
}

AddOutcome StandaloneCompletedCheckpointStore::add(std::int64_t id, const std::string& metadata) {
  checkpoints_.push_back({id, "", metadata});
  return AddOutcome::kAdded;
}

RecoverResult StandaloneCompletedCheckpointStore::recover() {
  RecoverResult result;
  result.outcome = RecoverOutcome::kRecovered;
  result.checkpoints = checkpoints_;
  return result;
}

bool StandaloneCompletedCheckpointStore::subsume() {
  while (static_cast<int>(checkpoints_.size()) > num_retained_) checkpoints_.erase(checkpoints_.begin());
  return true;
}

bool StandaloneCompletedCheckpointStore::release_and_try_remove(std::int64_t id) {
  std::erase_if(checkpoints_, [id](const CompletedCheckpoint& c) { return c.id == id; });
  return true;
}

sim::FsStatus EmbeddedJobResultStore::create_dirty(const std::string& job_id, const std::string&) {
  return entries_.emplace(job_id, false).second ? sim::FsStatus::kOk : sim::FsStatus::kAlreadyExists;
}

sim::FsStatus EmbeddedJobResultStore::mark_clean(const std::string& job_id) {
  auto found = entries_.find(job_id);
  if (found == entries_.end() || found->second) return sim::FsStatus::kNotFound;
  found->second = true;
  return sim::FsStatus::kOk;
}

sim::FsList EmbeddedJobResultStore::dirty_job_ids() {
  sim::FsList listing;
  for (const auto& [job, clean] : entries_) {
    if (!clean) listing.names.push_back(job);
  }
  return listing;
}

}  // namespace model::flink
