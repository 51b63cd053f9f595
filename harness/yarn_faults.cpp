// The YARN fault kinds, and the JobManager faults whose meaning changes when a YARN
// ResourceManager runs the JobManager as its ApplicationMaster (FaultInjector, YARN mode).
#include "harness/fault_injector.hpp"
#include "harness/yarn_scenario.hpp"

namespace harness {
namespace {

std::string duration_text_of(const FaultSpec& fault) {
  return fault.duration ? std::to_string(fault.duration->to_ms()) + " ms" : "";
}

}  // namespace

bool FaultInjector::inject_yarn_fault(const FaultSpec& fault) {
  const std::size_t cluster = world_.cluster_index(fault.cluster);
  auto* rm = cluster < world_.yarn_resource_managers.size() ? world_.yarn_resource_managers[cluster] : nullptr;
  const bool jobmanager_lifecycle = fault.kind == "kill-jobmanager";
  if (rm == nullptr) {
    // validate keeps YARN kinds out of other modes
    SIM_ASSERT(!is_yarn_fault(fault.kind));
    return false;
  }
  // validate and the random plan keep returns by themselves out of YARN mode (yarn_fault_without_duration)
  SIM_ASSERT(!(fault.duration && yarn_fault_without_duration(fault.kind)));
  SIM_ASSERT(fault.kind != "restart-jobmanager");  // validate refuses it in YARN mode
  if (!is_yarn_fault(fault.kind) && !jobmanager_lifecycle) return false;
  const std::string am = world_.sim.process_name(rm->application_master());
  if (fault.kind == "rm-failover-delay") {
    if (!rm->available()) {
      record(fault, fault.kind, "resourcemanager", "skipped: the ResourceManager is already unavailable");
      return true;
    }
    rm->become_unavailable();
    record(fault, fault.kind, "resourcemanager", duration_text_of(fault));
    after_duration(fault, [this, fault, rm] {
      record(fault, "end-" + fault.kind, "resourcemanager", "");
      rm->become_available();
    });
    return true;
  }
  // kill-jobmanager (whatever its target: there is one JobManager), kill-am-container, nodemanager-failure.
  const bool node_lost = fault.kind == "nodemanager-failure";
  if (!rm->am_container_running()) {
    record(fault, fault.kind, "", "skipped: no ApplicationMaster container runs");
    return true;
  }
  record(fault, fault.kind, am, node_lost ? "its node is lost: container ABORTED" : "container killed", rm->application_master());
  const bool done = node_lost ? rm->lose_am_node() : rm->kill_am_container();
  SIM_ASSERT(done);
  return true;
}

void FaultInjector::heal_yarn() {
  for (auto* rm : world_.yarn_resource_managers) {
    if (rm != nullptr && !rm->available()) rm->become_available();
  }
}

}  // namespace harness
