#include "harness/checkers/checkers.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "harness/checkers/ha_lifecycle.hpp"
#include "harness/checkers/known_issues.hpp"
#include "harness/checkers/leadership.hpp"
#include "harness/checkers/liveness.hpp"
#include "harness/checkers/no_lost_checkpoint.hpp"
#include "harness/checkers/no_lost_job.hpp"
#include "harness/checkers/zombie_leadership.hpp"
#include "harness/checkers/single_leader.hpp"
#include "harness/checkers/unique_checkpoint_ids.hpp"

namespace harness {

std::vector<Violation> check_properties(const Events& events, const CheckContext& context,
                                        const std::vector<std::string>& properties) {
  using Checker = std::function<std::vector<Violation>(const Events&, const CheckContext&)>;
  static const std::map<std::string, Checker> checkers = {
      {"single-leader", check_single_leader},   {"no-lost-checkpoint", check_no_lost_checkpoint},
      {"unique-checkpoint-ids", check_unique_checkpoint_ids}, {"no-lost-job", check_no_lost_job},
      {"ha-lifecycle", check_ha_lifecycle},     {"liveness", check_liveness},
  };
  std::vector<Violation> out;
  for (const auto& property : properties) {
    auto found = checkers.at(property)(events, context);
    out.insert(out.end(), found.begin(), found.end());
  }
  std::stable_sort(out.begin(), out.end(), [](const Violation& a, const Violation& b) { return a.at < b.at; });
  match_known_issues(events, context, out);
  return out;
}

RunMeasurements measure_run(const Events& events, const CheckContext& context) {
  RunMeasurements measurements;
  const auto intervals = believed_leader_intervals(events, context);
  measurements.believed_leader_overlap = believed_leader_overlap(intervals, context.run_end).total;
  measurements.believed_leader_overlap_running =
      believed_leader_overlap(running_belief_intervals(intervals, events, context), context.run_end).total;
  measurements.failover_times = failover_times(events, context);
  measurements.zombie_grants = zombie_grants(events, context).size();
  return measurements;
}

}  // namespace harness
