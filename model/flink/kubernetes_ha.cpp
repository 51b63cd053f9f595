#include "model/flink/kubernetes_ha.hpp"

#include <cstdio>

#include "sim/assert.hpp"

namespace model::flink {
namespace {

namespace k8s = model::kubernetes;

// A random (version 4) UUID from the process's own stream: the lock identity and the leader
// session ids.
std::string random_uuid(sim::Prng& rng) {
  char uuid[40];
  const std::uint64_t a = rng.next_u64(), b = rng.next_u64();
  std::snprintf(uuid, sizeof uuid, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)), static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return uuid;
}

k8s::ApiClientOptions api_options(sim::ProcessId server) {
  k8s::ApiClientOptions options;
  options.server = server;
  return options;
}

}  // namespace

bool kubernetes_ha(const ClusterOptions& cluster) { return cluster.config.ha_type == HaType::kKubernetes; }

std::string cluster_config_map_name(const FlinkConfig& config) {
  std::string id = config.cluster_id;
  while (!id.empty() && id.front() == '/') id.erase(id.begin());
  while (!id.empty() && id.back() == '/') id.pop_back();
  return id + "-cluster-config-map";
}

std::string kubernetes_leader_key(const std::string& component) { return "org.apache.flink.k8s.leader." + component; }

std::string encode_kubernetes_leader(const LeaderInformation& info) {
  if (info.empty()) return "";
  return info.session_id + "," + info.address;
}

LeaderInformation decode_kubernetes_leader(const std::string& value) {
  const std::size_t comma = value.find(',');
  if (comma == std::string::npos) return {};
  return {value.substr(0, comma), value.substr(comma + 1)};
}

KubernetesLeaderElectionService::KubernetesLeaderElectionService(sim::Simulation& sim, sim::Network& net,
                                                                 sim::ProcessId owner, const k8s::LocalClock& clock,
                                                                 KubernetesElectionOptions options)
    : sim_(sim),
      net_(net),
      owner_(owner),
      clock_(clock),
      options_(std::move(options)),
      rng_(sim.rng_stream("kubernetes-election/" + options_.participant + "/" + std::to_string(sim.incarnation(owner)))) {
  SIM_ASSERT(options_.api_server != sim::kNoProcess && !options_.config_map.empty());
  identity_ = random_uuid(rng_);  // Flink's LOCK_IDENTITY: one UUID per process
}

void KubernetesLeaderElectionService::trace(const char* name, std::vector<sim::TraceField> fields) {
  fields.insert(fields.begin(), options_.trace_tags.begin(), options_.trace_tags.end());
  sim_.record("flink", name, owner_, std::move(fields));
}

void KubernetesLeaderElectionService::add_contender(LeaderContender contender) {
  contenders_.push_back(std::move(contender));
  if (issued_) contenders_.back().grant(*issued_);
}

void KubernetesLeaderElectionService::remove_contender(const std::string& component) {
  std::erase_if(contenders_, [&](const LeaderContender& c) { return c.component == component; });
}

void KubernetesLeaderElectionService::start() {
  box_ = sim_.mailbox_open(owner_, 64);
  elector_client_ = std::make_unique<k8s::ApiClient>(sim_, net_, owner_, api_options(options_.api_server));
  sim_.spawn(owner_, "leader-election", [this] { run_events(); });
  sim_.spawn(owner_, "kubernetes-leader-elector", [this] { run_elector(); });
}

// KubernetesLeaderElector.run, again after every loss (LeaderCallbackHandlerImpl.notLeader).
void KubernetesLeaderElectionService::run_elector() {
  sim::Simulation* simulation = &sim_;
  const sim::MailboxId box = box_;
  for (;;) {
    if (!elector_ || !options_.mutant_flink_34007) {
      electors_built_++;
      const k8s::ElectorConfig config{options_.config_map, identity_, options_.timing.lease_duration,
                                      options_.timing.renew_deadline, options_.timing.retry_period};
      k8s::ElectorCallbacks callbacks;
      callbacks.on_start_leading = [this, simulation, box] {
        leading_ = true;
        simulation->mailbox_post(box, sim::Mail{kIsLeader, 0, nullptr});
      };
      callbacks.on_stop_leading = [this, simulation, box] {
        leading_ = false;
        simulation->mailbox_post(box, sim::Mail{kNotLeader, 0, nullptr});
      };
      elector_ = std::make_unique<k8s::LeaderElector>(*elector_client_, clock_, rng_, config, std::move(callbacks));
      trace("kubernetes-elector-started", {{"identity", identity_}, {"electors", static_cast<std::int64_t>(electors_built_)}});
    } else {
      trace("kubernetes-elector-reused", {{"identity", identity_}});
    }
    elector_->run();
  }
}

void KubernetesLeaderElectionService::run_events() {
  for (;;) {
    const auto event = sim_.receive(box_);
    if (!event) return;
    if (event->tag == kIsLeader) {
      if (issued_ || !leading_) continue;  // stopped again before this ran
      issued_ = random_uuid(rng_);
      trace("grant", {{"session_id", *issued_}, {"identity", identity_}});
      for (const auto& contender : contenders_) contender.grant(*issued_);
    } else {
      if (!issued_ || leading_) continue;
      trace("revoke", {{"session_id", *issued_}, {"identity", identity_}});
      issued_.reset();
      for (const auto& contender : contenders_) contender.revoke();
    }
  }
}

k8s::ApiClient& KubernetesLeaderElectionService::client_for(const std::string& component) {
  auto& client = confirm_clients_[component];
  if (!client) client = std::make_unique<k8s::ApiClient>(sim_, net_, owner_, api_options(options_.api_server));
  return *client;
}

// KubernetesLeaderElectionDriver.publishLeaderInformation: checkAndUpdateConfigMap writes only
// while the lock annotation names this process's identity, whatever the local flag says.
bool KubernetesLeaderElectionService::confirm(const std::string& component, const std::string& session_id,
                                              const std::string& address) {
  if (!leading_ || !issued_ || *issued_ != session_id) {
    trace("confirm-rejected", {{"component", component}, {"session_id", session_id}});
    return false;
  }
  k8s::ApiClient& client = client_for(component);
  for (int attempt = 0; attempt < kWriteAttemptsMax; attempt++) {
    if (!issued_ || *issued_ != session_id) break;  // revoked while retrying
    const auto read = client.get(options_.config_map);
    if (!read) continue;
    if (read->status != k8s::Status::kOk || !read->object) break;
    const auto annotation = read->object->annotations.find(k8s::kLeaderAnnotation);
    const auto record = annotation == read->object->annotations.end() ? std::nullopt : k8s::decode_leader_record(annotation->second);
    if (!record || record->holder_identity != identity_) break;  // no longer the lock holder
    k8s::ConfigMap object = *read->object;
    object.data[kubernetes_leader_key(component)] = encode_kubernetes_leader({session_id, address});
    const auto written = client.update(std::move(object));
    if (written && written->status == k8s::Status::kOk) {
      trace("confirm", {{"component", component}, {"session_id", session_id}, {"address", address}});
      return true;
    }
  }
  trace("confirm-unpublished", {{"component", component}, {"session_id", session_id}, {"address", address}});
  return false;
}

KubernetesLeaderRetrieval::KubernetesLeaderRetrieval(sim::Simulation& sim, sim::Network& net, sim::ProcessId owner,
                                                     sim::ProcessId api_server, std::string config_map,
                                                     std::string component, std::vector<sim::TraceField> trace_tags,
                                                     LeaderListener listener)
    : sim_(sim),
      owner_(owner),
      config_map_(std::move(config_map)),
      component_(std::move(component)),
      trace_tags_(std::move(trace_tags)),
      listener_(std::move(listener)),
      watch_(sim, net, owner, api_server, config_map_,
             [this](const std::optional<k8s::ConfigMap>& object) { on_config_map(object); }) {}

void KubernetesLeaderRetrieval::start() { watch_.start(); }

void KubernetesLeaderRetrieval::on_config_map(const std::optional<k8s::ConfigMap>& object) {
  LeaderInformation info;
  if (object) {
    const auto found = object->data.find(kubernetes_leader_key(component_));
    if (found != object->data.end()) info = decode_kubernetes_leader(found->second);
  }
  // DefaultLeaderRetrievalService.notifyLeaderAddress: only a changed pair reaches the listener.
  if (info == last_) return;
  last_ = info;
  std::vector<sim::TraceField> fields = trace_tags_;
  fields.insert(fields.end(), {{"path", config_map_ + "/" + kubernetes_leader_key(component_)},
                               {"session_id", info.session_id},
                               {"address", info.address}});
  sim_.record("flink", "leader-retrieved", owner_, std::move(fields));
  if (listener_) listener_(info);
}

}  // namespace model::flink
