#include "harness/checkers/ha_lifecycle.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <unordered_map>

#include "harness/checkers/cluster_end.hpp"
#include "harness/checkers/commit_order.hpp"
#include "harness/checkers/job_activity.hpp"
#include "harness/checkers/leadership.hpp"
#include "harness/checkers/no_lost_checkpoint.hpp"

namespace harness {
namespace {

constexpr const char* kProperty = "ha-lifecycle";

bool is_added(const std::string& name) { return name == "checkpoint-added"sv || name == "job-graph-added"sv; }

// The store-level deletions of TRACE.md: what each one says is gone.
struct Deletion {
  bool pointer = false;
  bool file = false;
};
std::optional<Deletion> deletion_of(const std::string& name) {
  if (name == "checkpoint-removed"sv || name == "job-graph-removed"sv) return Deletion{true, true};
  if (name == "checkpoint-pointer-deleted"sv || name == "job-graph-pointer-deleted"sv) return Deletion{true, false};
  if (name == "checkpoint-file-discarded"sv || name == "job-graph-file-discarded"sv) return Deletion{false, true};
  return std::nullopt;
}

// The checkpoint id at the end of a pointer path (%019d), or -1 for anything else. Ids are the
// model's int64 checkpoint ids, so 19 digits always fit.
std::int64_t checkpoint_id_of(std::string_view pointer) {
  const auto slash = pointer.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? pointer : pointer.substr(slash + 1);
  if (name.size() != 19 || !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) return -1;
  std::int64_t id = 0;
  std::from_chars(name.data(), name.data() + name.size(), id);
  return id;
}

// The maps only looked up are hashed: they hold every pointer and file of the run, whose paths
// share a long prefix that a tree would compare again at every level.
struct HaData {
  std::map<std::string, std::string> live;  // "pointer <path>" / "file <path>" -> what added it
  std::unordered_map<std::string, std::string> added_by;  // the same keys -> the leader session that added it
  std::unordered_map<std::string, std::int64_t> checkpoint_of_file;  // storage path -> checkpoint id
  std::unordered_map<std::string, std::string> pointer_of_file;      // storage path -> its checkpoint pointer
  std::int64_t newest_checkpoint_added = -1;
  // Subsumption is not cleanup: a checkpoint older than one already in the store may go even
  // while the job is suspended (a subsumption under way when leadership was lost finishes).
  bool superseded(std::int64_t checkpoint_id) const { return checkpoint_id >= 0 && checkpoint_id < newest_checkpoint_added; }
  std::optional<sim::Instant> cleanup_done_at;
  std::optional<sim::Instant> checked_at;  // the cleanup deadline, once passed
};

class Lifecycle {
 public:
  Lifecycle(const CheckContext& context, std::vector<BeliefInterval> intervals, ClusterEnds ends, std::vector<Violation>& out)
      : context_(context), intervals_(std::move(intervals)), ends_(std::move(ends)), activity_(context), out_(out) {}

  void observe(const sim::TraceEvent& event) {
    check_deadlines(event.at);
    if (event.category == "fs"sv) on_storage(event);
    if (event.category == "flink"sv && changes_ha_data(event.name) && event.string_field("job")) on_flink(event);
    activity_.observe(event);
  }

  void finish() { check_deadlines(context_.run_end + sim::nanoseconds(1)); }

 private:
  // Most job events (the TaskManagers' accepts and commits) neither add nor delete HA data.
  static bool changes_ha_data(const std::string& name) {
    return is_added(name) || deletion_of(name) || name == "job-cleanup-done"sv;
  }

  void on_flink(const sim::TraceEvent& event) {
    order_.observe(event);
    const auto deletion = deletion_of(event.name);
    if (event.name == "checkpoint-added"sv && order_.committed_before_removal(event)) return;  // heard late
    const JobRef key = job_ref(event);
    HaData& data = entry(data_, key);
    const std::string& path = text_field(event, "path");
    const std::string& file = text_field(event, "file");
    if (event.name == "job-cleanup-done"sv) {
      data.cleanup_done_at = event.at;
      // The cleanup ends only once the job graph pointer is gone and the job's znode was deleted
      // recursively (AbstractHaServices.internalCleanupJobData): every pointer of the job is gone,
      // including one whose delete committed while its reply was lost (so no pointer-deleted was
      // traced). Files have no such proof.
      std::erase_if(data.live, [](const auto& entry) { return entry.first.rfind("pointer ", 0) == 0; });
    }
    if (is_added(event.name)) {
      const std::string stored = storage_path(file);
      if (event.name == "checkpoint-added"sv) {
        const std::int64_t id = checkpoint_id_of(path);
        data.newest_checkpoint_added = std::max(data.newest_checkpoint_added, id);
        data.checkpoint_of_file[stored] = id;
        data.pointer_of_file[stored] = path;
      }
      const auto track = [&](const std::string& entry) {
        data.live[entry] = event.name;
        data.added_by[entry] = text_field(event, "session_id");
      };
      if (!path.empty()) track("pointer " + path);
      if (!file.empty()) track("file " + stored);
      return;
    }
    if (!deletion) return;
    const JobState* job = activity_.job(key);
    const auto subsumption = [&] {
      return event.name.rfind("checkpoint-", 0) == 0 && data.superseded(checkpoint_id_of(path));
    };
    if (job && job->suspended() && !subsumption()) {
      const JobKey owner = job_key(event);
      report_once(owner, event.at, describe(owner) + " is suspended but " + event.process + " deleted its HA data (" +
                                       event.name + " " + path + ")");
    }
    if (deletion->pointer) data.live.erase("pointer " + path);
    if (deletion->file) data.live.erase("file " + storage_path(file));
  }

  void on_storage(const sim::TraceEvent& event) {
    const std::string& status = text_field(event, "status");
    const bool gone = event.name == "lose"sv || (event.name == "delete"sv && status != "unavailable"sv && status != "io_error"sv);
    if (!gone) return;
    const std::string entry = "file " + text_field(event, "path");
    for (auto& [key, data] : data_) {
      if (!data.live.count(entry)) continue;
      const JobState* job = activity_.job(key);
      const auto checkpoint = data.checkpoint_of_file.find(text_field(event, "path"));
      const bool subsumption = checkpoint != data.checkpoint_of_file.end() && data.superseded(checkpoint->second);
      if (event.name == "delete"sv && job && job->suspended() && !subsumption) {
        report_once(key, event.at, describe(key) + " is suspended but " + event.process + " deleted " + text_field(event, "path"));
      }
      data.live.erase(entry);
    }
  }

  // Runs before every event: the map lookup waits until a deadline has passed.
  void check_deadlines(sim::Instant now) {
    for (const auto& [key, job] : activity_.jobs()) {
      if (!job.terminal_at) continue;
      const sim::Instant deadline = std::max(*job.terminal_at, context_.faults_end) + context_.bounds.cleanup_within;
      if (now <= deadline || deadline > context_.run_end) continue;
      HaData& data = data_[key];
      if (data.checked_at) continue;
      data.checked_at = deadline;
      if (ends_.ended_by(key.cluster, deadline)) continue;  // its YARN application failed before the cleanup was owed
      if (!data.cleanup_done_at) {
        Violation violation = violation_of(key, "A", deadline,
                                           describe(key) + " terminated at " + sim::format_instant(*job.terminal_at) +
                                               " but its cleanup was not done within " +
                                               sim::format_duration(context_.bounds.cleanup_within));
        violation.related_sessions = sessions_believed_within(intervals_, key.cluster, *job.terminal_at, deadline);
        report_once(key, std::move(violation));
      } else if (!data.live.empty()) {
        // Name a leaked file first: what the matcher reads is the pointer that named it.
        auto leaked = std::find_if(data.live.begin(), data.live.end(),
                                   [](const auto& entry) { return entry.first.rfind("file ", 0) == 0; });
        if (leaked == data.live.end()) leaked = data.live.begin();
        Violation violation = violation_of(key, "A", deadline,
                                           describe(key) + " cleaned up but its HA data is left: " + leaked->first +
                                               " (from " + leaked->second + ")" +
                                               (data.live.size() > 1 ? " and " + std::to_string(data.live.size() - 1) + " more" : ""));
        // The verdict rests on the terms that wrote what is left (a term still writing after the
        // cleanup, such as a zombie leader, leaks by itself).
        violation.session = data.added_by[leaked->first];
        for (const auto& [entry, what] : data.live) {
          const std::string& adder = data.added_by[entry];
          if (adder.empty() || adder == violation.session) continue;
          if (std::find(violation.related_sessions.begin(), violation.related_sessions.end(), adder) ==
              violation.related_sessions.end()) {
            violation.related_sessions.push_back(adder);
          }
        }
        if (leaked->first.rfind("file ", 0) == 0) {
          const auto pointer = data.pointer_of_file.find(leaked->first.substr(5));
          if (pointer != data.pointer_of_file.end()) violation.path = pointer->second;
        } else {
          violation.path = leaked->first.substr(leaked->first.find(' ') + 1);
        }
        report_once(key, std::move(violation));
      }
    }
  }

  Violation violation_of(const JobKey& key, const char* clause, sim::Instant at, std::string message) const {
    Violation violation{kProperty, at, std::move(message)};
    violation.clause = clause;
    violation.cluster = key.cluster;
    violation.job = key.job;
    return violation;
  }

  void report_once(const JobKey& key, sim::Instant at, const std::string& message) {
    report_once(key, violation_of(key, "B", at, message));
  }
  void report_once(const JobKey& key, Violation violation) {
    if (reported_.insert(key).second) out_.push_back(std::move(violation));
  }

  const CheckContext& context_;
  std::vector<BeliefInterval> intervals_;
  ClusterEnds ends_;
  PointerCommitOrder order_;
  JobActivity activity_;
  std::vector<Violation>& out_;
  JobMap<HaData> data_;
  std::set<JobKey> reported_;
};

}  // namespace

std::vector<Violation> check_ha_lifecycle(const Events& events, const CheckContext& context) {
  std::vector<Violation> out;
  Lifecycle lifecycle(context, believed_leader_intervals(events, context), ClusterEnds(events), out);
  for (const auto& event : events) lifecycle.observe(event);
  lifecycle.finish();
  return out;
}

}  // namespace harness
