#include "harness/assess/assess_run.hpp"

#include <algorithm>

#include "harness/scenario_runner.hpp"

namespace harness::assess {

AssessRun run_assess_seed(const EffectiveConfig& config, const Variant& variant, const FaultClass& fault,
                          std::uint64_t seed, const std::string& trace_file) {
  const Scenario scenario = assess_scenario(config, variant, fault, seed);
  RunOptions options;
  options.keep_events = true;
  options.trace_file = trace_file;
  AssessRun run;
  run.fault_at = fault_instant(seed);
  run.result = run_scenario(scenario, seed, options);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < config.masters.size(); i++) names.push_back("jm" + std::to_string(i + 1));
  const CheckContext context = check_context(scenario, {names});
  const sim::Instant end = std::max(run.fault_at, run.result.ended_at);
  run.figures = measure_figures(run.result.events, context, JobKey{"", kJobId}, run.fault_at, end);
  run.result.events.clear();
  run.result.events.shrink_to_fit();
  return run;
}

}  // namespace harness::assess
