#include "harness/scenario_runner.hpp"

#include "model/curator/curator_version.hpp"

#include <exception>
#include <memory>

#include "harness/checkers/checkers.hpp"
#include "harness/fault_injector.hpp"
#include "harness/fault_plan.hpp"
#include "harness/guarded_run.hpp"
#include "harness/json_reader.hpp"
#include "harness/yarn_scenario.hpp"

namespace harness {
namespace {

model::flink::ClusterOptions cluster_options(const Scenario& scenario, const ClusterSpec& spec, model::flink::Mutant mutant) {
  model::flink::ClusterOptions options;
  options.name = scenario.clusters.size() > 1 ? spec.name : "";  // a lone cluster's nodes are "jm1", as scenarios say
  options.masters = spec.masters;
  options.taskmanagers = spec.taskmanagers;
  // In YARN mode the ResourceManager, not the standalone supervisor, restarts the processes.
  options.restart_delay = scenario.mode == "yarn" ? sim::Duration{} : spec.restart_delay;
  options.config = spec.config;
  options.mutant = mutant;
  // parse_scenario accepts only the versions the model knows.
  options.curator_version = *model::curator::parse_curator_version(scenario.curator_version);
  for (const auto& job : scenario.jobs) {
    if (job.cluster == spec.name) options.jobs.push_back({job.id, job.submit_at, job.finish_at, job.cancel_at, job.fail_at});
  }
  return options;
}

// Everything one run owns, destroyed in reverse order after the kernel has unwound every fiber.
class ScenarioRun {
 public:
  ScenarioRun(const Scenario& scenario, std::uint64_t seed, const RunOptions& options)
      : scenario_(scenario),
        options_(options),
        sim_(sim::SimConfig{seed, {}}),
        net_(sim_, sim::NetworkConfig{}),
        storage_(sim_),
        zookeeper_(sim_, net_, scenario.zookeeper),
        world_{sim_, net_, storage_, zookeeper_, {}, {}, {}, {}, {}},
        injector_(world_, result_.faults) {
    result_.seed = seed;
  }

  RunResult run() {
    const auto level = options_.trace_file_kernel_events ? sim::TraceFileLevel::kAll : sim::TraceFileLevel::kModel;
    if (!options_.trace_file.empty() && !sim_.trace().open_file(options_.trace_file, level)) {
      throw InputError("--trace", "cannot write \"" + options_.trace_file + "\"");
    }
    build();
    schedule_faults();
    execute();
    result_.probes = sim_.probe_hits();  // a run cut short still reports the states it reached
    sim_.trace().close_file();
    judge();
    return std::move(result_);
  }

 private:
  void build() {
    zookeeper_.start();
    for (int i = 0; i < zookeeper_.size(); i++) {
      world_.nodes.push_back({"zk" + std::to_string(scenario_.zookeeper.servers[static_cast<std::size_t>(i)].id),
                              NodeKind::kZooKeeper, 0, i, zookeeper_.pid(i)});
    }
    const auto mutant = options_.mutant.value_or(scenario_.mutant);
    for (std::size_t c = 0; c < scenario_.clusters.size(); c++) {
      const ClusterSpec& spec = scenario_.clusters[c];
      clusters_.push_back(std::make_unique<model::flink::FlinkCluster>(sim_, net_, storage_, zookeeper_,
                                                                       cluster_options(scenario_, spec, mutant)));
      world_.clusters.push_back(clusters_.back().get());
      world_.cluster_names.push_back(spec.name);
      world_.restart_delays.push_back(spec.restart_delay);
      add_cluster_nodes(c);
      clusters_.back()->start();
      world_.yarn_resource_managers.push_back(nullptr);
      if (scenario_.mode == "yarn") {
        const auto& cluster = *clusters_.back();
        yarn_.push_back(std::make_unique<model::flink::yarn::YarnResourceManager>(
            sim_, yarn_deployment(scenario_, spec), cluster.jobmanagers().front(), cluster.taskmanagers()));
        world_.yarn_resource_managers.back() = yarn_.back().get();
        yarn_.back()->start();
      }
    }
  }

  void add_cluster_nodes(std::size_t c) {
    const std::string prefix = scenario_.clusters.size() > 1 ? scenario_.clusters[c].name + "/" : "";
    const auto& cluster = *clusters_[c];
    for (std::size_t i = 0; i < cluster.jobmanagers().size(); i++) {
      world_.nodes.push_back({prefix + "jm" + std::to_string(i + 1), NodeKind::kJobManager, c, static_cast<int>(i),
                              cluster.jobmanagers()[i]});
    }
    for (std::size_t i = 0; i < cluster.taskmanagers().size(); i++) {
      world_.nodes.push_back({prefix + "tm" + std::to_string(i + 1), NodeKind::kTaskManager, c, static_cast<int>(i),
                              cluster.taskmanagers()[i]});
    }
    if (cluster.api_server() != sim::kNoProcess) {
      world_.nodes.push_back({prefix + "apiserver", NodeKind::kApiServer, c, 0, cluster.api_server()});
    }
  }

  void schedule_faults() {
    for (const auto& fault : seed_fault_schedule(scenario_, sim_.seed())) injector_.schedule(fault);
    injector_.schedule_heal(scenario_.faults_end);
  }

  void execute() { run_guarded(sim_, sim::Instant{} + scenario_.duration, result_); }

  void judge() {
    std::vector<std::vector<std::string>> jobmanager_names;
    for (const auto& cluster : clusters_) {
      jobmanager_names.emplace_back();
      for (const auto pid : cluster->jobmanagers()) jobmanager_names.back().push_back(sim_.process_name(pid));
    }
    CheckContext context = check_context(scenario_, jobmanager_names);
    context.run_end = result_.ended_at;
    const auto& events = sim_.trace().events();
    result_.violations = check_properties(events, context, scenario_.properties);
    const RunMeasurements measured = measure_run(events, context);
    result_.believed_leader_overlap = measured.believed_leader_overlap;
    result_.believed_leader_overlap_running = measured.believed_leader_overlap_running;
    result_.failover_times = measured.failover_times;
    result_.zombie_grants = measured.zombie_grants;
    if (options_.keep_events) result_.events = events;
  }

  const Scenario& scenario_;
  const RunOptions& options_;
  RunResult result_;
  sim::Simulation sim_;
  sim::Network net_;
  sim::Filesystem storage_;
  model::zk::Ensemble zookeeper_;
  World world_;
  FaultInjector injector_;
  std::vector<std::unique_ptr<model::flink::FlinkCluster>> clusters_;
  std::vector<std::unique_ptr<model::flink::yarn::YarnResourceManager>> yarn_;
};

}  // namespace

CheckContext check_context(const Scenario& scenario, const std::vector<std::vector<std::string>>& jobmanager_names) {
  CheckContext context;
  context.curator_version = scenario.curator_version;
  for (std::size_t c = 0; c < scenario.clusters.size(); c++) {
    const ClusterSpec& spec = scenario.clusters[c];
    context.clusters.push_back({scenario.clusters.size() > 1 ? spec.name : "", spec.config.zookeeper_namespace(),
                                c < jobmanager_names.size() ? jobmanager_names[c] : std::vector<std::string>{},
                                spec.config.checkpoint_interval.has_value(),
                                model::zk::negotiate_session_timeout(spec.config.zookeeper_client.session_timeout,
                                                                     scenario.zookeeper.session_bounds()),
                                spec.config.zookeeper_client.tolerate_suspended_connections});
  }
  context.zookeeper_sync_timeout = scenario.zookeeper.tick * scenario.zookeeper.sync_limit;
  context.faults_end = sim::Instant{} + scenario.faults_end;
  context.run_end = sim::Instant{} + scenario.duration;
  context.bounds = {scenario.liveness.leader_within, scenario.liveness.checkpoint_within,
                    scenario.liveness.cleanup_within, scenario.liveness.job_running_within,
                    scenario.believed_leader_overlap_max};
  return context;
}

RunResult run_scenario(const Scenario& scenario, std::uint64_t seed, const RunOptions& options) {
  // Heap-allocated: the kernel, the ensemble and the clusters are too big for a thread's stack.
  auto run = std::make_unique<ScenarioRun>(scenario, seed, options);
  return run->run();
}

}  // namespace harness
