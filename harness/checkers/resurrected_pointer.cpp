#include "harness/checkers/resurrected_pointer.hpp"

#include <map>
#include <tuple>

#include "harness/checkers/commit_order.hpp"

namespace harness {

std::int64_t checkpoint_id_of_pointer(const std::string& path) {
  const std::string last = path.substr(path.rfind('/') + 1);
  if (last.empty() || last.find_first_not_of("0123456789") != std::string::npos || last.size() > 19) return -1;
  return std::stoll(last);
}

std::vector<ResurrectedPointer> resurrected_pointers(const Events& events, const CheckContext& context) {
  std::map<std::string, std::int64_t> curator_session;  // JobManager -> current ZooKeeper session
  // (JobManager, job, checkpoint id) -> ZooKeeper session when that JobManager triggered it
  std::map<std::tuple<std::string, JobKey, std::int64_t>, std::int64_t> session_at_trigger;
  std::map<std::string, sim::Instant> discarded;  // pointer path -> when a removal discarded its file
  std::vector<ResurrectedPointer> found;
  PointerCommitOrder order;
  for (const auto& event : events) {
    order.observe(event);
    if (event.category == "curator" && (event.name == "CONNECTED" || event.name == "RECONNECTED") &&
        cluster_of_jobmanager(context, event.process)) {
      curator_session[event.process] = int_field_or(event, "session", 0);
    }
    if (event.category != "flink") continue;
    if (event.name == "checkpoint-triggered") {
      session_at_trigger[{event.process, job_key(event), int_field_or(event, "checkpoint_id", -1)}] =
          curator_session[event.process];
    } else if (event.name == "checkpoint-file-discarded" || event.name == "checkpoint-removed") {
      discarded.emplace(text_field(event, "path"), event.at);
    } else if (event.name == "checkpoint-added" && !order.committed_before_removal(event)) {
      const std::string path = text_field(event, "path");
      const auto removal = discarded.find(path);
      if (removal == discarded.end()) continue;
      ResurrectedPointer pointer{job_key(event), path, text_field(event, "file"), event.process,
                                 text_field(event, "session_id"), event.at, removal->second,
                                 int_field_or(event, "attempts", 1), false};
      const auto trigger = session_at_trigger.find({event.process, pointer.job, checkpoint_id_of_pointer(path)});
      pointer.across_session_change = pointer.attempts > 1 && trigger != session_at_trigger.end() &&
                                      trigger->second != 0 && trigger->second != curator_session[event.process];
      found.push_back(std::move(pointer));
    }
  }
  return found;
}

}  // namespace harness
