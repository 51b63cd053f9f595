#include "harness/checkers/no_lost_checkpoint.hpp"

#include <map>
#include <set>

namespace harness {
namespace {

// ".../checkpoints/0000000000000000042" -> 42; -1 when the last component is not a number.
std::int64_t checkpoint_id_of_pointer(const std::string& path) {
  const std::string last = path.substr(path.rfind('/') + 1);
  if (last.empty() || last.find_first_not_of("0123456789") != std::string::npos || last.size() > 19) return -1;
  return std::stoll(last);
}

constexpr const char* kProperty = "no-lost-checkpoint";

struct Committed {
  std::int64_t id = 0;
  std::string file;     // storage path
  std::string pointer;  // znode path, "" when no checkpoint-added named the file
};

struct JobCheckpoints {
  std::int64_t highest_committed = 0;
  std::optional<Committed> latest;  // guarded until superseded
  std::map<std::string, std::string> pointer_of_file;  // from checkpoint-added
  bool terminal = false;
};

class LatestCheckpointGuard {
 public:
  void observe(const sim::TraceEvent& event, std::vector<Violation>& out) {
    if (event.category == "fs") return observe_storage(event, out);
    if (event.category != "flink") return;
    JobCheckpoints& job = jobs_[job_key(event)];
    if (event.name == "checkpoint-added") {
      job.pointer_of_file[storage_path(text_field(event, "file"))] = text_field(event, "path");
      // The store subsumes older checkpoints as soon as a newer one is in it, before the
      // coordinator reports the newer one complete (addCheckpointAndSubsumeOldestOne).
      if (job.latest && checkpoint_id_of_pointer(text_field(event, "path")) > job.latest->id) job.latest.reset();
    } else if (event.name == "checkpoint-completed") {
      on_committed(event, job);
    } else if (event.name == "job-terminal") {
      job.terminal = true;
    } else if (event.name == "job-restored") {
      check_restore(event, job, out);
    } else if (event.name == "checkpoint-removed" || event.name == "checkpoint-pointer-deleted" ||
               event.name == "checkpoint-file-discarded") {
      if (event.name != "checkpoint-pointer-deleted") removal_discarded_.insert(text_field(event, "path"));
      check_removal(event, job, out);
    } else if (event.name == "checkpoint-read-missing-file") {
      check_missing_file(event, out);
    }
  }

 private:
  void on_committed(const sim::TraceEvent& event, JobCheckpoints& job) {
    const std::int64_t id = int_field_or(event, "checkpoint_id", 0);
    if (id <= job.highest_committed) return;  // a late, lower commit supersedes nothing
    job.highest_committed = id;
    const std::string file = storage_path(text_field(event, "file"));
    const auto pointer = job.pointer_of_file.find(file);
    job.latest = Committed{id, file, pointer == job.pointer_of_file.end() ? "" : pointer->second};
  }

  void check_restore(const sim::TraceEvent& event, const JobCheckpoints& job, std::vector<Violation>& out) {
    const std::int64_t restored = int_field_or(event, "checkpoint_id", 0);
    if (restored >= job.highest_committed) return;
    out.push_back({kProperty, event.at,
                   describe(job_key(event)) + " restored by " + event.process + " from checkpoint " +
                       std::to_string(restored) + " but checkpoint " + std::to_string(job.highest_committed) +
                       " was committed"});
  }

  void check_removal(const sim::TraceEvent& event, const JobCheckpoints& job, std::vector<Violation>& out) {
    if (!job.latest || job.terminal) return;
    const std::string file = storage_path(text_field(event, "file"));
    const std::string path = text_field(event, "path");
    const bool names_file = !file.empty() && file == job.latest->file;
    const bool names_pointer = !path.empty() && path == job.latest->pointer && event.name != "checkpoint-file-discarded";
    if (!names_file && !names_pointer) return;
    report(event, job, names_file ? "its file" : "its pointer", out);
  }

  // C: the pointer is still in the store (recovery read it) but its file is gone.
  void check_missing_file(const sim::TraceEvent& event, std::vector<Violation>& out) {
    const std::string path = text_field(event, "path");
    const std::string file = storage_path(text_field(event, "file"));
    if (removal_discarded_.count(path) || lost_files_.count(file)) return;
    if (!reported_.insert(path + "#missing").second) return;
    out.push_back({kProperty, event.at,
                   describe(job_key(event)) + ": recovery by " + event.process + " finds checkpoint pointer " + path +
                       " but its file " + file + " was deleted while the pointer stayed (no removal of that " +
                       "pointer, no injected loss): the store lists a checkpoint nobody can restore"});
  }

  void observe_storage(const sim::TraceEvent& event, std::vector<Violation>& out) {
    if (event.name == "lose") lost_files_.insert(text_field(event, "path"));
    if (event.name != "delete" || text_field(event, "status") != "ok") return;
    const std::string path = text_field(event, "path");
    for (const auto& [key, job] : jobs_) {
      if (job.latest && !job.terminal && job.latest->file == path) report(event, job, "its file", out);
    }
  }

  void report(const sim::TraceEvent& event, const JobCheckpoints& job, const std::string& what,
              std::vector<Violation>& out) {
    const std::string key = job.latest->file + "#" + what;
    if (!reported_.insert(key).second) return;
    out.push_back({kProperty, event.at,
                   event.process + " deleted " + what + " of the latest committed checkpoint " +
                       std::to_string(job.latest->id) + " (" + event.category + " " + event.name + ") " +
                       "before anything superseded it"});
  }

  std::map<JobKey, JobCheckpoints> jobs_;
  std::set<std::string> reported_;
  std::set<std::string> removal_discarded_;  // pointer paths whose removal discarded the file
  std::set<std::string> lost_files_;         // storage paths lost by an injected fault
};

}  // namespace

std::string storage_path(const std::string& file) {
  const auto scheme = file.find("://");
  if (scheme == std::string::npos) return file;
  const auto path = file.find('/', scheme + 3);
  return path == std::string::npos ? std::string("/") : file.substr(path);
}

std::vector<Violation> check_no_lost_checkpoint(const Events& events, const CheckContext& /*context*/) {
  std::vector<Violation> out;
  LatestCheckpointGuard guard;
  for (const auto& event : events) guard.observe(event, out);
  return out;
}

}  // namespace harness
