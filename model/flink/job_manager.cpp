#include "model/flink/job_manager.hpp"

#include "model/flink/kubernetes_ha.hpp"
#include "model/flink/standalone_ha.hpp"
#include "sim/assert.hpp"

namespace model::flink {
namespace {

struct Granted final : sim::Payload {
  explicit Granted(std::string s) : session_id(std::move(s)) {}
  std::string describe() const override { return session_id; }
  std::string session_id;
};

}  // namespace

bool latch_requeues_on_reconnect(Mutant mutant) {
  return mutant == Mutant::kFlink10052 || mutant == Mutant::kFlink10011;
}

JobManager::JobManager(const TaskManagerEnvironment& env, sim::Filesystem& storage, sim::ProcessId self,
                       std::string address)
    : env_(env), storage_(storage), self_(self), address_(std::move(address)) {}

void JobManager::start() {
  sim::Simulation& sim = *env_.sim;
  const ClusterOptions& cluster = *env_.cluster;
  FlinkConfig config = cluster.config;
  if (cluster.mutant == Mutant::kFlink10052) config.zookeeper_client.tolerate_suspended_connections = false;
  if (standalone_ha(cluster)) {
    // high-availability.type none: no ZooKeeper client; leader from the start, never revoked.
    election_ = std::make_unique<StandaloneLeaderElectionService>(sim, self_, std::vector<sim::TraceField>{{"cluster", cluster.name}});
  } else if (kubernetes_ha(cluster)) {
    // The stores stay on ZooKeeper (kubernetes_ha.hpp); leadership is the ConfigMap lock's.
    SIM_ASSERT(clock_ != nullptr);
    client_ = std::make_unique<curator::CuratorFramework>(sim, *env_.net, self_, curator_options(config, env_.zookeeper, address_));
    client_->start();
    election_ = std::make_unique<KubernetesLeaderElectionService>(
        sim, *env_.net, self_, *clock_,
        KubernetesElectionOptions{env_.api_server, cluster_config_map_name(config), address_, config.kubernetes,
                                  cluster.mutant == Mutant::kFlink34007, {{"cluster", cluster.name}}});
  } else {
    client_ = std::make_unique<curator::CuratorFramework>(sim, *env_.net, self_, curator_options(config, env_.zookeeper, address_));
    client_->start();
    election_ = std::make_unique<LeaderElectionService>(
        *client_, LeaderElectionOptions{config.zookeeper_namespace(), address_, latch_requeues_on_reconnect(cluster.mutant),
                                        {{"cluster", cluster.name}}, cluster.curator_version, env_.observer});
  }
  resource_manager_ = std::make_unique<ResourceManager>(sim, *env_.rpc, self_, address_, config.heartbeat_timeout);
  const JobMasterEnvironment jm_env{&sim, env_.rpc, &storage_, client_.get(), resource_manager_.get(), &cluster, self_, address_};
  dispatcher_ = std::make_unique<Dispatcher>(jm_env, *election_);

  inbox_ = sim.mailbox_open(self_, 8192);
  env_.rpc->bind(address_, self_, inbox_);
  rm_grants_ = sim.mailbox_open(self_, 64);
  sim::Simulation* simulation = &sim;
  const sim::MailboxId grants = rm_grants_;
  election_->add_contender(LeaderContender{
      "resource_manager",
      [simulation, grants](const std::string& session) {
        simulation->mailbox_post(grants, sim::Mail{1, 0, std::make_shared<Granted>(session)});
      },
      [this] { resource_manager_->revoke(); }});
  sim.spawn(self_, "rpc-inbox", [this] { route(); });
  sim.spawn(self_, "resource-manager", [this] { confirm_resource_manager(); });
  dispatcher_->start();
  election_->start();
}

void JobManager::route() {
  for (;;) {
    const auto mail = env_.sim->receive(inbox_);
    const auto* message = sim::payload_as<RpcMessage>(*mail);
    if (message == nullptr) continue;
    if (message->kind == RpcKind::kRegisterTaskManager || message->kind == RpcKind::kTaskManagerHeartbeat) {
      resource_manager_->on_message(*message);
    } else {
      dispatcher_->on_message(*message);
    }
  }
}

void JobManager::confirm_resource_manager() {
  for (;;) {
    const auto mail = env_.sim->receive(rm_grants_);
    const std::string session = sim::payload_as<Granted>(*mail)->session_id;
    if (election_->issued_session() != session) continue;  // revoked while this waited
    resource_manager_->grant(session);
    election_->confirm("resource_manager", session, address_);
  }
}

}  // namespace model::flink
