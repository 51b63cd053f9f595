#include "harness/yarn_scenario.hpp"

#include <algorithm>

namespace harness {

bool is_yarn_fault(const std::string& kind) {
  return kind == "kill-am-container" || kind == "nodemanager-failure" || kind == "rm-failover-delay";
}

bool yarn_fault_without_duration(const std::string& kind) {
  return kind == "kill-jobmanager" || kind == "kill-taskmanager" || kind == "kill-am-container" || kind == "nodemanager-failure";
}

YarnSpec parse_yarn_section(JsonReader reader) {
  YarnSpec spec;
  if (auto version = reader.optional_field("version")) {
    const auto parsed = model::flink::yarn::parse_yarn_version(version->as_string());
    if (!parsed) version->fail("expected a Hadoop YARN release from \"2.3\" to \"3.4\", as \"major.minor\"");
    spec.version = *parsed;
  }
  if (auto site = reader.optional_field("yarn_site")) {
    if (!site->raw().is_object()) site->fail("expected an object of yarn-site.xml keys");
    for (const auto& [key, value] : site->raw().items()) {
      if (!value.is_string()) throw InputError(site->path() + "." + key, "yarn-site values are strings, written as in yarn-site.xml");
      spec.yarn_site_entries.emplace_back(key, value.get<std::string>());
    }
    auto parsed = model::flink::yarn::parse_yarn_site(spec.yarn_site_entries);
    if (auto* error = std::get_if<model::flink::ConfigError>(&parsed)) throw InputError(site->path() + "." + error->key, error->message);
    spec.site = std::get<model::flink::yarn::YarnSite>(parsed);
  }
  if (auto delay = reader.optional_field("am_launch_delay")) spec.am_launch_delay = delay->as_duration(true);
  reader.finish();
  return spec;
}

void check_yarn_scenario(const Scenario& scenario, const nlohmann::json& document) {
  const bool yarn = scenario.mode == "yarn";
  if (!yarn) {
    if (document.contains("yarn")) throw InputError("$.yarn", "only a \"mode\": \"yarn\" scenario has a yarn section");
    for (const auto& fault : scenario.faults) {
      if (is_yarn_fault(fault.kind)) throw InputError(fault.json_path + ".kind", "\"" + fault.kind + "\" needs \"mode\": \"yarn\"");
    }
    if (scenario.random_faults) {
      for (std::size_t i = 0; i < scenario.random_faults->kinds.size(); i++) {
        if (is_yarn_fault(scenario.random_faults->kinds[i])) {
          throw InputError("$.faults.random.kinds[" + std::to_string(i) + "]", "\"" + scenario.random_faults->kinds[i] + "\" needs \"mode\": \"yarn\"");
        }
      }
    }
    return;
  }
  for (std::size_t i = 0; i < scenario.clusters.size(); i++) {
    const ClusterSpec& cluster = scenario.clusters[i];
    const std::string at = "$.clusters[" + std::to_string(i) + "]";
    if (cluster.masters.size() != 1) {
      const bool masters = document["clusters"][i].contains("masters");
      throw InputError(at + (masters ? ".masters" : ".jobmanagers"),
                       "a YARN cluster has exactly one JobManager, the ApplicationMaster (got " + std::to_string(cluster.masters.size()) + ")");
    }
    if (cluster.restart_delay <= sim::Duration{}) {
      throw InputError(at + ".restart_delay", "in YARN mode this is the delay of a lost TaskManager's new container and must be positive");
    }
  }
  for (const auto& fault : scenario.faults) {
    if (fault.kind == "restart-jobmanager") {
      throw InputError(fault.json_path + ".kind", "in YARN mode only the ResourceManager starts the ApplicationMaster; use kill-am-container");
    }
    if (fault.duration && yarn_fault_without_duration(fault.kind)) {
      throw InputError(fault.json_path + ".duration", "in YARN mode \"" + fault.kind + "\" takes no duration: only the ResourceManager brings an ApplicationMaster or a TaskManager container back");
    }
  }
  if (scenario.random_faults) {
    const auto& kinds = scenario.random_faults->kinds;
    const auto restart = std::find(kinds.begin(), kinds.end(), "restart-jobmanager");
    if (restart != kinds.end()) {
      throw InputError("$.faults.random.kinds[" + std::to_string(restart - kinds.begin()) + "]",
                       "in YARN mode only the ResourceManager starts the ApplicationMaster; use kill-am-container");
    }
  }
}

model::flink::yarn::YarnDeployment yarn_deployment(const Scenario& scenario, const ClusterSpec& cluster) {
  model::flink::yarn::YarnDeployment deployment;
  deployment.cluster = scenario.clusters.size() > 1 ? cluster.name : "";  // as the Flink cluster names its events
  deployment.rules = model::flink::yarn::attempt_rules(scenario.yarn.version, scenario.yarn.site, cluster.config);
  deployment.site = scenario.yarn.site;
  deployment.am_launch_delay = scenario.yarn.am_launch_delay;
  deployment.tm_restart_delay = cluster.restart_delay;
  return deployment;
}

}  // namespace harness
