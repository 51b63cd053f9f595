#include "harness/checkers/resurrected_pointer.hpp"

#include <charconv>
#include <map>
#include <string_view>
#include <tuple>

#include "harness/checkers/commit_order.hpp"

namespace harness {

std::int64_t checkpoint_id_of_pointer(const std::string& path) {
  const std::string_view last = std::string_view(path).substr(path.rfind('/') + 1);  // a view: no copy per pointer
  if (last.empty() || last.find_first_not_of("0123456789") != std::string_view::npos || last.size() > 19) return -1;
  std::int64_t id = 0;  // the model's int64 checkpoint ids: 19 digits always fit
  std::from_chars(last.data(), last.data() + last.size(), id);
  return id;
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
    if (event.category == "curator"sv && (event.name == "CONNECTED"sv || event.name == "RECONNECTED"sv) &&
        cluster_of_jobmanager(context, event.process)) {
      curator_session[event.process] = int_field_or(event, "session", 0);
    }
    if (event.category != "flink"sv) continue;
    if (event.name == "checkpoint-triggered"sv) {
      session_at_trigger[{event.process, job_key(event), int_field_or(event, "checkpoint_id", -1)}] =
          curator_session[event.process];
    } else if (event.name == "checkpoint-file-discarded"sv || event.name == "checkpoint-removed"sv) {
      discarded.emplace(text_field(event, "path"), event.at);
    } else if (event.name == "checkpoint-added"sv && !order.committed_before_removal(event)) {
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
