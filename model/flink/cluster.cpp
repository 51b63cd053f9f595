#include "model/flink/cluster.hpp"

#include <stdexcept>

#include "model/flink/job_client.hpp"
#include "model/flink/job_manager.hpp"
#include "model/flink/kubernetes_ha.hpp"
#include "model/kubernetes/api_server.hpp"
#include "model/kubernetes/leader_record.hpp"
#include "model/flink/supervisor.hpp"
#include "model/flink/task_manager.hpp"
#include "sim/assert.hpp"

namespace model::flink {
namespace {

// How often the ZooKeeper-decided leader is sampled for the trace. Leadership as ZooKeeper
// decides it changes only with latch nodes, at most a few times per failover.
constexpr sim::Duration kZooKeeperLeaderSampling = sim::milliseconds(50);

// The quorum string names ZooKeeper servers by host; the simulated servers are processes "zk<id>"
// and the hosts of zoo.cfg lines. Every host must be one of them.
std::vector<sim::ProcessId> quorum_processes(const model::zk::Ensemble& ensemble,
                                             const FlinkConfig& config) {
  if (config.zookeeper_quorum.empty()) return ensemble.pids();
  std::vector<sim::ProcessId> pids;
  for (const HostPort& server : config.zookeeper_quorum) {
    bool found = false;
    for (int i = 0; i < ensemble.size(); i++) {
      if (ensemble.config().servers.at(static_cast<std::size_t>(i)).answers_to(server.host)) {
        pids.push_back(ensemble.pid(i));
        found = true;
      }
    }
    if (!found) throw std::invalid_argument("high-availability.zookeeper.quorum: no ZooKeeper server " + server.host);
  }
  return pids;
}

}  // namespace

class ClusterModel {
 public:
  ClusterModel(sim::Simulation& sim, sim::Network& net, sim::Filesystem& storage, const model::zk::Ensemble& zookeeper,
               ClusterOptions options)
      : sim_(sim),
        storage_(storage),
        zookeeper_(zookeeper),
        options_(std::move(options)),
        rpc_(sim, net, "rpc/" + options_.name),
        supervisor_(sim, options_.restart_delay, RestartBackOff{kubernetes_ha(options_)}) {
    SIM_ASSERT(!options_.masters.empty());
    latch_dir_ = options_.config.zookeeper_namespace() + "/leader/latch";
    observer_.other_leader_paused = [this](sim::ProcessId self) { return other_leader_paused(self); };
    observer_.session_closed = [this](model::zk::SessionId session) { return session_closed(session); };
    env_ = TaskManagerEnvironment{&sim, &net, &rpc_, &options_, quorum_processes(zookeeper, options_.config), &observer_};
    const std::string prefix = options_.name.empty() ? "" : options_.name + "/";
    if (kubernetes_ha(options_)) {
      // The control plane: restarted like any static pod; its store (etcd) survives it.
      api_server_ = sim.add_process(prefix + "apiserver", {[this, &net](sim::ProcessId pid) {
                                                             api_server_object_ = std::make_unique<model::kubernetes::ApiServer>(
                                                                 sim_, net, config_maps_, pid);
                                                             api_server_object_->start();
                                                           },
                                                           [this](sim::ProcessId) { api_server_object_.reset(); }});
      supervisor_.watch(api_server_);
      env_.api_server = api_server_;
    }
    clocks_.resize(options_.masters.size());
    jobmanager_objects_.resize(options_.masters.size());
    for (std::size_t i = 0; i < options_.masters.size(); i++) {
      const std::string name = prefix + options_.masters[i].host;
      jobmanagers_.push_back(sim.add_process(name, {[this, i, name](sim::ProcessId pid) {
                                                      jobmanager_objects_[i] = std::make_unique<JobManager>(env_, storage_, pid, name);
                                                      jobmanager_objects_[i]->set_local_clock(&clocks_[i]);
                                                      jobmanager_objects_[i]->start();
                                                    },
                                                    [this, i](sim::ProcessId) { jobmanager_objects_[i].reset(); }}));
      supervisor_.watch(jobmanagers_.back());
    }
    taskmanager_objects_.resize(static_cast<std::size_t>(options_.taskmanagers));
    for (std::size_t i = 0; i < taskmanager_objects_.size(); i++) {
      const std::string name = prefix + "tm" + std::to_string(i + 1);
      taskmanagers_.push_back(sim.add_process(name, {[this, i, name](sim::ProcessId pid) {
                                                       taskmanager_objects_[i] = std::make_unique<TaskManager>(env_, pid, name);
                                                       taskmanager_objects_[i]->start();
                                                     },
                                                     [this, i](sim::ProcessId) { taskmanager_objects_[i].reset(); }}));
      supervisor_.watch(taskmanagers_.back());
    }
    const std::string client_name = prefix + "client";
    client_ = sim.add_process(client_name, {[this, client_name](sim::ProcessId pid) {
                                              client_object_ = std::make_unique<JobClient>(env_, pid, client_name);
                                              client_object_->start();
                                            },
                                            [this](sim::ProcessId) { client_object_.reset(); }});
  }

  void start() {
    if (api_server_ != sim::kNoProcess) sim_.start(api_server_);
    for (const sim::ProcessId pid : jobmanagers_) sim_.start(pid);
    for (const sim::ProcessId pid : taskmanagers_) sim_.start(pid);
    sim_.start(client_);
    sample_zookeeper_leader();
  }

  std::optional<int> believed_leader() const {
    for (std::size_t i = 0; i < jobmanager_objects_.size(); i++) {
      const auto& jm = jobmanager_objects_[i];
      if (jm && sim_.process_state(jobmanagers_[i]) != sim::ProcessState::kDown && jm->election().has_leadership() &&
          jm->election().issued_session()) {
        return static_cast<int>(i);
      }
    }
    return std::nullopt;
  }

  // The lowest latch node in the ZooKeeper leader's tree, owned by any session a JobManager of
  // this cluster ever had (an old incarnation's node leads until its session expires).
  sim::ProcessId api_server() const { return api_server_; }

  // The lock record's holder, mapped to a JobManager through every identity one of them ever had
  // (an old incarnation's identity holds the lock until its lease is taken over).
  std::optional<int> lock_holder() {
    for (std::size_t i = 0; i < jobmanager_objects_.size(); i++) {
      if (!jobmanager_objects_[i]) continue;
      const auto* election = dynamic_cast<const KubernetesLeaderElectionService*>(&jobmanager_objects_[i]->election());
      if (election != nullptr) identities_[election->identity()] = static_cast<int>(i);
    }
    const auto object = config_maps_.get(cluster_config_map_name(options_.config));
    if (!object) return std::nullopt;
    const auto annotation = object->annotations.find(model::kubernetes::kLeaderAnnotation);
    if (annotation == object->annotations.end()) return std::nullopt;
    const auto record = model::kubernetes::decode_leader_record(annotation->second);
    if (!record) return std::nullopt;
    const auto found = identities_.find(record->holder_identity);
    if (found == identities_.end()) return std::nullopt;
    return found->second;
  }

  void skew_clock(int jobmanager, sim::Duration amount) { clocks_.at(static_cast<std::size_t>(jobmanager)).step(sim_.now(), amount); }
  void drift_clock(int jobmanager, std::int64_t ppm) { clocks_.at(static_cast<std::size_t>(jobmanager)).drift(sim_.now(), ppm); }
  sim::Duration clock_offset(int jobmanager) const { return clocks_.at(static_cast<std::size_t>(jobmanager)).offset(sim_.now()); }

  std::optional<int> zookeeper_leader() {
    if (kubernetes_ha(options_)) return lock_holder();
    remember_sessions();
    const int leader = zookeeper_.leader();
    if (leader < 0) return std::nullopt;
    const auto* server = zookeeper_.server(leader);
    if (server == nullptr) return std::nullopt;
    // Sampled every 50 ms of simulated time, while the tree changes far less often: the answer
    // is a function of the serving leader's committed tree (one incarnation at one applied zxid
    // holds one tree) and of the sessions remembered, which only grow.
    const model::zk::ServerView view = server->view();
    const LeaderCacheKey key{leader, sim_.incarnation(zookeeper_.pid(leader)), view.epoch, view.last_applied,
                             sessions_.size()};
    if (leader_cache_ && leader_cache_->first == key) return leader_cache_->second;
    // Only the latch directory's children can be latch nodes, and sequence suffixes are unique
    // within one parent, so the lowest is unambiguous.
    std::optional<int> lowest;
    std::string_view lowest_sequence;
    for (const auto& [name, owner] : server->tree().children_with_owners(latch_dir_)) {
      if (owner == 0 || name.size() < 10) continue;
      const auto session = sessions_.find(owner);
      if (session == sessions_.end()) continue;
      const std::string_view sequence = name.substr(name.size() - 10);
      if (!lowest || sequence < lowest_sequence) {
        lowest = session->second;
        lowest_sequence = sequence;
      }
    }
    leader_cache_.emplace(key, lowest);
    return lowest;
  }

  const ClusterOptions& options() const { return options_; }
  const std::vector<sim::ProcessId>& jobmanagers() const { return jobmanagers_; }
  const std::vector<sim::ProcessId>& taskmanagers() const { return taskmanagers_; }
  sim::ProcessId client() const { return client_; }

 private:
  // For probes only (LeadershipObserver).
  bool other_leader_paused(sim::ProcessId self) const {
    for (std::size_t i = 0; i < jobmanager_objects_.size(); i++) {
      const auto& jm = jobmanager_objects_[i];
      if (jobmanagers_[i] == self || !jm || sim_.process_state(jobmanagers_[i]) != sim::ProcessState::kPaused) continue;
      if (jm->election().has_leadership() && jm->election().issued_session()) return true;
    }
    return false;
  }

  // Unknown (false) while no server leads with a quorum.
  bool session_closed(model::zk::SessionId session) const {
    const int leader = zookeeper_.leader();
    const auto* server = leader < 0 ? nullptr : zookeeper_.server(leader);
    return server != nullptr && !server->session_live(session);
  }

  void remember_sessions() {
    for (std::size_t i = 0; i < jobmanager_objects_.size(); i++) {
      if (!jobmanager_objects_[i]) continue;
      const model::zk::SessionId session = jobmanager_objects_[i]->zookeeper_session();
      if (session != 0) sessions_[session] = static_cast<int>(i);
    }
  }

  void sample_zookeeper_leader() {
    const std::optional<int> now = zookeeper_leader();
    if (!sampled_ || now != last_zookeeper_leader_) {
      sampled_ = true;
      last_zookeeper_leader_ = now;
      const std::string jm = now ? sim_.process_name(jobmanagers_[static_cast<std::size_t>(*now)]) : "";
      // Kubernetes: the holder the lock record names (one at a time by construction: the record
      // is one field of one object), traced apart so that single-leader A keeps meaning ZooKeeper.
      sim_.record("flink", kubernetes_ha(options_) ? "k8s-lock-holder" : "zk-leader", sim::kNoProcess,
                  {{"cluster", options_.name}, {"jm", jm}});
    }
    sim_.after(kZooKeeperLeaderSampling, [this] { sample_zookeeper_leader(); });
  }

  sim::Simulation& sim_;
  sim::Filesystem& storage_;
  const model::zk::Ensemble& zookeeper_;
  ClusterOptions options_;
  RpcRouter rpc_;
  Supervisor supervisor_;
  model::flink::LeadershipObserver observer_;
  TaskManagerEnvironment env_;
  std::vector<sim::ProcessId> jobmanagers_;
  std::vector<sim::ProcessId> taskmanagers_;
  sim::ProcessId client_ = sim::kNoProcess;
  std::vector<std::unique_ptr<JobManager>> jobmanager_objects_;
  std::vector<std::unique_ptr<TaskManager>> taskmanager_objects_;
  std::unique_ptr<JobClient> client_object_;
  std::map<model::zk::SessionId, int> sessions_;
  // Kubernetes mode: the API server's objects (etcd's: they outlive the process), the process,
  // the JobManagers' node clocks (they outlive the JobManager processes) and every lock identity
  // a JobManager had.
  model::kubernetes::ConfigMapStore config_maps_;
  sim::ProcessId api_server_ = sim::kNoProcess;
  std::unique_ptr<model::kubernetes::ApiServer> api_server_object_;
  std::vector<model::kubernetes::LocalClock> clocks_;
  std::map<std::string, int> identities_;
  struct LeaderCacheKey {
    int server = -1;
    std::uint32_t incarnation = 0;
    std::int64_t epoch = 0;
    model::zk::Zxid last_applied = 0;
    std::size_t sessions = 0;
    bool operator==(const LeaderCacheKey&) const = default;
  };
  std::optional<std::pair<LeaderCacheKey, std::optional<int>>> leader_cache_;
  std::string latch_dir_;  // <namespace>/leader/latch
  std::optional<int> last_zookeeper_leader_;
  bool sampled_ = false;
};

FlinkCluster::FlinkCluster(sim::Simulation& sim, sim::Network& net, sim::Filesystem& storage,
                           const model::zk::Ensemble& zookeeper, ClusterOptions options)
    : model_(std::make_unique<ClusterModel>(sim, net, storage, zookeeper, std::move(options))) {}

FlinkCluster::~FlinkCluster() = default;

void FlinkCluster::start() { model_->start(); }
const ClusterOptions& FlinkCluster::options() const { return model_->options(); }
const std::vector<sim::ProcessId>& FlinkCluster::jobmanagers() const { return model_->jobmanagers(); }
const std::vector<sim::ProcessId>& FlinkCluster::taskmanagers() const { return model_->taskmanagers(); }
sim::ProcessId FlinkCluster::client() const { return model_->client(); }
std::optional<int> FlinkCluster::believed_leader() const { return model_->believed_leader(); }
std::optional<int> FlinkCluster::zookeeper_leader() const { return model_->zookeeper_leader(); }
sim::ProcessId FlinkCluster::api_server() const { return model_->api_server(); }
std::optional<int> FlinkCluster::lock_holder() const { return model_->lock_holder(); }
void FlinkCluster::skew_clock(int jobmanager, sim::Duration amount) { model_->skew_clock(jobmanager, amount); }
void FlinkCluster::drift_clock(int jobmanager, std::int64_t ppm) { model_->drift_clock(jobmanager, ppm); }
sim::Duration FlinkCluster::clock_offset(int jobmanager) const { return model_->clock_offset(jobmanager); }

}  // namespace model::flink
