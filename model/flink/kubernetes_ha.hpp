#pragma once
// high-availability.type kubernetes (Flink 1.18-1.20, flink-kubernetes over fabric8 6.x): leader
// election and retrieval through the cluster ConfigMap `<cluster-id>-cluster-config-map` on the
// simulated API server (model/kubernetes/).
//  - KubernetesLeaderElectionService: DefaultLeaderElectionService over
//    KubernetesLeaderElectionDriver. One fabric8 LeaderElector per round on its own fiber; its
//    onStartLeading issues a fresh leader session and grants every contender, onStopLeading revokes
//    them, one event at a time. After a loss KubernetesLeaderElector.run() contends again with a
//    *new* LeaderElector (the FLINK-34007 fix); the mutant reuses the stopped one, which never
//    leads again. Confirming writes `org.apache.flink.k8s.leader.<component>` = "<session>,<address>"
//    into the ConfigMap's data with checkAndUpdateConfigMap: GET, check the lock annotation still
//    names our identity, CAS update on the resourceVersion read, retried on conflict.
//  - KubernetesLeaderRetrieval: KubernetesLeaderRetrievalDriver: a watch on the ConfigMap; the
//    component's key, parsed, reaches the listener when the pair changes; a missing key or
//    ConfigMap is "no leader".
// The checkpoint and job graph stores and the checkpoint ID counter of this mode are still the
// ZooKeeper ones (KubernetesStateHandleStore / KubernetesCheckpointIDCounter are not modelled).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/flink/cluster.hpp"
#include "model/flink/leader_election.hpp"
#include "model/flink/leader_retrieval.hpp"
#include "model/kubernetes/api_client.hpp"
#include "model/kubernetes/config_map_watch.hpp"
#include "model/kubernetes/leader_elector.hpp"
#include "model/kubernetes/local_clock.hpp"

namespace model::flink {

// True when the cluster runs high-availability.type kubernetes.
bool kubernetes_ha(const ClusterOptions& cluster);
// "<cluster-id>-cluster-config-map"; the cluster id is high-availability.cluster-id without its
// leading '/'.
std::string cluster_config_map_name(const FlinkConfig& config);
// The data key of a component's leader information.
std::string kubernetes_leader_key(const std::string& component);
// "<session>,<address>" (KubernetesUtils.encodeLeaderInformation) and back; a value without the
// comma is no leader.
std::string encode_kubernetes_leader(const LeaderInformation& info);
LeaderInformation decode_kubernetes_leader(const std::string& value);

struct KubernetesElectionOptions {
  sim::ProcessId api_server = sim::kNoProcess;
  std::string config_map;  // cluster_config_map_name
  std::string participant;  // the JobManager's name (for the identity stream only)
  KubernetesLeaderElectionOptions timing;
  bool mutant_flink_34007 = false;
  std::vector<sim::TraceField> trace_tags;
};

class KubernetesLeaderElectionService final : public LeaderElection {
 public:
  // checkAndUpdateConfigMap's attempts (the facts file: every write retried up to 15 times).
  static constexpr int kWriteAttemptsMax = 15;

  KubernetesLeaderElectionService(sim::Simulation& sim, sim::Network& net, sim::ProcessId owner,
                                  const model::kubernetes::LocalClock& clock, KubernetesElectionOptions options);
  KubernetesLeaderElectionService(const KubernetesLeaderElectionService&) = delete;
  KubernetesLeaderElectionService& operator=(const KubernetesLeaderElectionService&) = delete;

  void add_contender(LeaderContender contender) override;
  void remove_contender(const std::string& component) override;
  void start() override;
  bool confirm(const std::string& component, const std::string& session_id, const std::string& address) override;
  // The elector's own belief: from onStartLeading to onStopLeading.
  bool has_leadership() const override { return leading_; }
  const std::optional<std::string>& issued_session() const override { return issued_; }
  const std::string& identity() const { return identity_; }
  int electors_built() const { return electors_built_; }

 private:
  enum Event : std::uint32_t { kIsLeader = 1, kNotLeader };
  void trace(const char* name, std::vector<sim::TraceField> fields);
  void run_elector();
  void run_events();
  model::kubernetes::ApiClient& client_for(const std::string& component);

  sim::Simulation& sim_;
  sim::Network& net_;
  sim::ProcessId owner_;
  const model::kubernetes::LocalClock& clock_;
  KubernetesElectionOptions options_;
  sim::Prng rng_;
  std::string identity_;
  sim::MailboxId box_{};
  std::vector<LeaderContender> contenders_;
  std::unique_ptr<model::kubernetes::ApiClient> elector_client_;
  std::unique_ptr<model::kubernetes::LeaderElector> elector_;
  // One HTTP client per confirming component: each confirms from its own fiber, and a client
  // serves one fiber. Bounded by the components (dispatcher, resource_manager, one per job).
  std::map<std::string, std::unique_ptr<model::kubernetes::ApiClient>> confirm_clients_;
  std::optional<std::string> issued_;
  bool leading_ = false;
  int electors_built_ = 0;
};

class KubernetesLeaderRetrieval final : public LeaderRetriever {
 public:
  KubernetesLeaderRetrieval(sim::Simulation& sim, sim::Network& net, sim::ProcessId owner, sim::ProcessId api_server,
                            std::string config_map, std::string component, std::vector<sim::TraceField> trace_tags,
                            LeaderListener listener);
  void start() override;
  const LeaderInformation& last_notified() const override { return last_; }

 private:
  void on_config_map(const std::optional<model::kubernetes::ConfigMap>& object);

  sim::Simulation& sim_;
  sim::ProcessId owner_;
  std::string config_map_;
  std::string component_;
  std::vector<sim::TraceField> trace_tags_;
  LeaderListener listener_;
  LeaderInformation last_;
  model::kubernetes::ConfigMapWatch watch_;
};

}  // namespace model::flink
