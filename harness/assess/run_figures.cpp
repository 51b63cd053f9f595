#include "harness/assess/run_figures.hpp"

#include <algorithm>

#include "harness/checkers/job_activity.hpp"
#include "sim/assert.hpp"

namespace harness::assess {

RunFigures measure_figures(const std::vector<sim::TraceEvent>& events, const CheckContext& context, const JobKey& job,
                           sim::Instant fault_at, sim::Instant end) {
  SIM_ASSERT(fault_at <= end);
  RunFigures figures;
  JobActivity activity(context);
  const auto running = [&] {
    const JobState* state = activity.job(job);
    if (state == nullptr) return false;
    // A paused JobManager's JobMaster neither checkpoints nor recovers anything: not running.
    return std::any_of(state->running_on.begin(), state->running_on.end(),
                       [&](const std::string& term) { return !activity.paused(term); });
  };
  bool confirmed_after_fault = false;
  bool was_running = false;  // at `since`
  sim::Instant since = fault_at;
  for (const auto& event : events) {
    if (event.at > end) break;
    if (event.at >= fault_at) {
      // Integrate the downtime up to this event with the state that held before it.
      if (!was_running) figures.job_downtime += event.at - since;
      since = event.at;
    }
    activity.observe(event);
    was_running = running();
    if (event.at < fault_at) continue;
    if (event.category != "flink") continue;
    if (event.name == "confirm") {
      const std::string* component = event.string_field("component");
      if (component != nullptr && *component == "dispatcher") confirmed_after_fault = true;
    } else if (event.name == "checkpoint-completed" && !figures.checkpoint_gap) {
      const std::string* name = event.string_field("job");
      if (name != nullptr && *name == job.job) figures.checkpoint_gap = event.at - fault_at;
    } else if (event.name == "job-running" && confirmed_after_fault && !figures.failover) {
      const std::string* name = event.string_field("job");
      if (name != nullptr && *name == job.job) figures.failover = event.at - fault_at;
    }
  }
  if (!was_running) figures.job_downtime += end - since;
  return figures;
}

}  // namespace harness::assess
