#include "model/flink/job_client.hpp"

#include <algorithm>

#include "model/flink/kubernetes_ha.hpp"
#include "model/flink/standalone_ha.hpp"

namespace model::flink {
namespace {

constexpr sim::Duration kAskTimeout = sim::seconds(5);
constexpr sim::Duration kRetryDelay = sim::seconds(1);

}  // namespace

JobClient::JobClient(const TaskManagerEnvironment& env, sim::ProcessId self, std::string address)
    : env_(env), self_(self), address_(std::move(address)) {}

void JobClient::start() {
  sim::Simulation& sim = *env_.sim;
  inbox_ = sim.mailbox_open(self_, 1024);
  env_.rpc->bind(address_, self_, inbox_);
  const FlinkConfig& config = env_.cluster->config;
  if (standalone_ha(*env_.cluster)) {
    // No HA: the configured JobManager address (jobmanager.rpc.address) with the default leader id.
    retrieval_ = std::make_unique<StandaloneLeaderRetrieval>(
        sim, self_, "dispatcher", LeaderInformation{kDefaultLeaderId, configured_jobmanager_address(*env_.cluster)},
        std::vector<sim::TraceField>{{"cluster", env_.cluster->name}}, [this](const LeaderInformation& info) { dispatcher_ = info; });
  } else if (kubernetes_ha(*env_.cluster)) {
    retrieval_ = std::make_unique<KubernetesLeaderRetrieval>(
        sim, *env_.net, self_, env_.api_server, cluster_config_map_name(config), "dispatcher",
        std::vector<sim::TraceField>{{"cluster", env_.cluster->name}}, [this](const LeaderInformation& info) { dispatcher_ = info; });
  } else {
    client_ = std::make_unique<curator::CuratorFramework>(sim, *env_.net, self_, curator_options(config, env_.zookeeper, address_));
    client_->start();
    retrieval_ = std::make_unique<LeaderRetrieval>(
        *client_,
        LeaderRetrievalOptions{connection_info_path(config.zookeeper_namespace(), "dispatcher"),
                               config.zookeeper_client.tolerate_suspended_connections, false,
                               {{"cluster", env_.cluster->name}}},
        [this](const LeaderInformation& info) { dispatcher_ = info; });
  }
  retrieval_->start();
  sim.spawn(self_, "job-client", [this] { run(); });
}

void JobClient::run() {
  std::vector<Action> actions;
  for (const JobSchedule& job : env_.cluster->jobs) {
    actions.push_back({sim::Instant{} + job.submit_at, job.id, RpcKind::kSubmitJob});
    if (job.cancel_at) actions.push_back({sim::Instant{} + *job.cancel_at, job.id, RpcKind::kCancelJob});
  }
  std::stable_sort(actions.begin(), actions.end(), [](const Action& a, const Action& b) { return a.at < b.at; });
  for (const Action& action : actions) {
    if (action.at > env_.sim->now()) env_.sim->sleep(action.at - env_.sim->now());
    perform(action);
  }
}

// Until acknowledged: a lost request, a lost reply or a rejection (not the leader) is retried.
void JobClient::perform(const Action& action) {
  for (;;) {
    if (!dispatcher_.empty()) {
      const std::int64_t request_id = ++requests_sent_;
      env_.rpc->send(self_, dispatcher_.address,
                     rpc_message(action.kind, address_, dispatcher_.session_id, action.job, 0, 0, request_id));
      const sim::Instant deadline = env_.sim->now() + kAskTimeout;
      while (env_.sim->now() < deadline) {
        const auto mail = env_.sim->receive(inbox_, deadline - env_.sim->now());
        const auto* reply = mail ? sim::payload_as<RpcMessage>(*mail) : nullptr;
        if (reply == nullptr || reply->attempt != request_id) continue;  // an answer to an earlier try
        if (reply->kind == RpcKind::kJobAcked) return;
        if (reply->kind == RpcKind::kJobRejected) break;
      }
    }
    env_.sim->sleep(kRetryDelay);
  }
}

}  // namespace model::flink
