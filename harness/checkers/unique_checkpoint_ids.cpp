#include "harness/checkers/unique_checkpoint_ids.hpp"

#include <map>
#include <set>

namespace harness {

std::vector<Violation> check_unique_checkpoint_ids(const Events& events, const CheckContext& /*context*/) {
  struct FirstUse {
    std::string process;
    std::string session;
    sim::Instant at;
  };
  std::map<std::string, std::map<std::pair<JobKey, std::int64_t>, FirstUse>> seen;  // event name -> uses
  std::vector<Violation> out;
  for (const auto& event : events) {
    if (!is_flink(event, "checkpoint-triggered") && !is_flink(event, "checkpoint-completed")) continue;
    const std::int64_t id = int_field_or(event, "checkpoint_id", -1);
    auto [it, first] = seen[event.name].try_emplace({job_key(event), id},
                                                    FirstUse{event.process, text_field(event, "session_id"), event.at});
    if (first) continue;
    Violation violation{"unique-checkpoint-ids", event.at,
                        describe(job_key(event)) + " checkpoint id " + std::to_string(id) + " " + event.name.substr(11) +
                            " again by " + event.process + " (session " + text_field(event, "session_id") +
                            "); first by " + it->second.process + " (session " + it->second.session + ") at " +
                            sim::format_instant(it->second.at)};
    // The verdict rests on both terms: the one that reused the id and the one that used it first.
    violation.cluster = text_field(event, "cluster");
    violation.process = event.process;
    violation.session = text_field(event, "session_id");
    violation.related_sessions = {it->second.session};
    violation.job = text_field(event, "job");
    out.push_back(std::move(violation));
  }
  return out;
}

}  // namespace harness
