#include "harness/checkers/unique_checkpoint_ids.hpp"

#include <map>
#include <set>

namespace harness {

std::vector<Violation> check_unique_checkpoint_ids(const Events& events, const CheckContext& /*context*/) {
  // job -> checkpoint id -> the event of its first use, for triggers and for completions (the
  // events outlive the maps; copying their process and session for every id was most of the cost)
  JobMap<std::map<std::int64_t, const sim::TraceEvent*>> triggered, completed;
  std::vector<Violation> out;
  for (const auto& event : events) {
    if (event.category != "flink"sv) continue;
    const bool trigger = event.name == "checkpoint-triggered"sv;
    if (!trigger && event.name != "checkpoint-completed"sv) continue;
    const std::int64_t id = int_field_or(event, "checkpoint_id", -1);
    auto& uses = entry(trigger ? triggered : completed, job_ref(event));
    const auto [it, first] = uses.try_emplace(id, &event);
    if (first) continue;
    const sim::TraceEvent& first_use = *it->second;
    const std::string& first_session = text_field(first_use, "session_id");
    Violation violation{"unique-checkpoint-ids", event.at,
                        describe(job_key(event)) + " checkpoint id " + std::to_string(id) + " " + event.name.substr(11) +
                            " again by " + event.process + " (session " + text_field(event, "session_id") +
                            "); first by " + first_use.process + " (session " + first_session + ") at " +
                            sim::format_instant(first_use.at)};
    // The verdict rests on both terms: the one that reused the id and the one that used it first.
    violation.cluster = text_field(event, "cluster");
    violation.process = event.process;
    violation.session = text_field(event, "session_id");
    violation.related_sessions = {first_session};
    violation.job = text_field(event, "job");
    out.push_back(std::move(violation));
  }
  return out;
}

}  // namespace harness
