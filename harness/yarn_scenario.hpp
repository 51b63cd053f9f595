#pragma once
// Reading and checking a "mode": "yarn" scenario (scenario.cpp calls these): the "yarn" section,
// one JobManager (the ApplicationMaster) per cluster, and faults that make sense under a YARN
// ResourceManager. Every problem is an InputError naming its JSON path.
#include "harness/json_reader.hpp"
#include "harness/scenario.hpp"
#include "model/flink/yarn/yarn_resource_manager.hpp"

namespace harness {

bool is_yarn_fault(const std::string& kind);
// In YARN mode these kinds take no duration: only the ResourceManager brings an ApplicationMaster or
// a TaskManager container back.
bool yarn_fault_without_duration(const std::string& kind);
YarnSpec parse_yarn_section(JsonReader reader);
// After the whole scenario is read: mode and section agree, and clusters and faults fit YARN.
void check_yarn_scenario(const Scenario& scenario, const nlohmann::json& document);

// What the ResourceManager of `cluster` runs with: the attempt rules from the Flink configuration
// and the yarn section.
model::flink::yarn::YarnDeployment yarn_deployment(const Scenario& scenario, const ClusterSpec& cluster);

}  // namespace harness
