#include "harness/checkers/no_lost_checkpoint.hpp"

#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "harness/checkers/commit_order.hpp"
#include "harness/checkers/resurrected_pointer.hpp"

namespace harness {
namespace {

constexpr const char* kProperty = "no-lost-checkpoint";

struct Committed {
  std::int64_t id = 0;
  std::string session;  // the leader session that committed it
  std::string file;     // storage path
  std::string pointer;  // znode path, "" when no checkpoint-added named the file
};

struct JobCheckpoints {
  std::int64_t highest_committed = 0;
  std::string highest_committed_session;
  std::optional<Committed> latest;  // guarded until superseded
  std::int64_t newest_added = 0;     // the highest checkpoint id any checkpoint-added named
  std::unordered_map<std::string, std::string> pointer_of_file;  // from checkpoint-added
  bool terminal = false;
};

// Which leader terms a newer confirmed one has superseded, per job. A superseded term's restore is
// fenced off: the TaskManagers accept deploys only from the job's newest confirmed leader, so
// what it restores never runs (a JobManager resumed from a pause restores from its in-memory
// store before it notices the loss: explore seed 1000137).
class Supersession {
 public:
  void observe(const sim::TraceEvent& event) {
    if (event.name != "grant"sv && event.name != "confirm"sv) return;
    const std::string& cluster = text_field(event, "cluster");
    const std::string& session = text_field(event, "session_id");
    if (event.name == "grant"sv) grant_order_[cluster].try_emplace(session, static_cast<std::int64_t>(grant_order_[cluster].size()));
    if (event.name != "confirm"sv) return;
    const auto order = order_of(cluster, session);
    if (!order) return;
    auto& newest = newest_confirmed_[{cluster, text_field(event, "component")}];
    newest = std::max(newest, *order);
  }

  bool superseded(const sim::TraceEvent& event) const {
    const std::string& cluster = text_field(event, "cluster");
    const auto order = order_of(cluster, text_field(event, "session_id"));
    const auto newest = newest_confirmed_.find({cluster, "job-" + text_field(event, "job")});
    return order && newest != newest_confirmed_.end() && newest->second > *order;
  }

 private:
  std::optional<std::int64_t> order_of(const std::string& cluster, const std::string& session) const {
    const auto of_cluster = grant_order_.find(cluster);
    if (of_cluster == grant_order_.end()) return std::nullopt;
    const auto found = of_cluster->second.find(session);
    if (found == of_cluster->second.end()) return std::nullopt;
    return found->second;
  }
  std::map<std::string, std::map<std::string, std::int64_t>> grant_order_;  // cluster -> session -> order
  std::map<std::pair<std::string, std::string>, std::int64_t> newest_confirmed_;  // (cluster, component)
};

class LatestCheckpointGuard {
 public:
  void observe(const sim::TraceEvent& event, std::vector<Violation>& out) {
    if (event.category == "fs"sv) return observe_storage(event, out);
    if (event.category != "flink"sv) return;
    order_.observe(event);
    supersession_.observe(event);
    if (!judged(event.name)) return;
    JobCheckpoints& job = entry(jobs_, job_ref(event));
    if (event.name == "checkpoint-added"sv && order_.committed_before_removal(event)) return;  // heard late
    if (event.name == "checkpoint-added"sv) {
      check_recreated(event, out);
      const std::string& path = text_field(event, "path");
      listed_[path] = &event;
      job.pointer_of_file[storage_path(text_field(event, "file"))] = path;
      // The store subsumes older checkpoints as soon as a newer one is in it, before the
      // coordinator reports the newer one complete (addCheckpointAndSubsumeOldestOne).
      const std::int64_t added_id = checkpoint_id_of_pointer(path);
      job.newest_added = std::max(job.newest_added, added_id);
      if (job.latest && added_id > job.latest->id) job.latest.reset();
    } else if (event.name == "checkpoint-completed"sv) {
      on_committed(event, job);
    } else if (event.name == "job-terminal"sv) {
      job.terminal = true;
    } else if (event.name == "job-restored"sv) {
      check_restore(event, job, out);
    } else if (is_removal(event.name)) {
      if (event.name != "checkpoint-pointer-deleted"sv) removal_discarded_.insert(text_field(event, "path"));
      if (event.name != "checkpoint-removed"sv) gone_files_.insert(storage_path(text_field(event, "file")));
      // A pointer whose removal got as far as the file has lost its `locks` child first: a store
      // recovery takes it for marked for deletion and skips it (ZooKeeperStateHandleStore.getAndLock
      // cannot create the lock: NoNode), so it is no longer listed.
      listed_.erase(text_field(event, "path"));
      check_removal(event, job, out);
    } else if (event.name == "checkpoint-read-missing-file"sv) {
      check_missing_file(event, out);
    }
  }

  // D, at the end of the run: every pointer the store still lists names a file that exists.
  void check_listed_at_end(sim::Instant run_end, std::vector<Violation>& out) {
    for (const auto& [path, added_event] : listed_) {
      const sim::TraceEvent& added = *added_event;
      const std::string file = storage_path(text_field(added, "file"));
      if (!gone_files_.count(file) || lost_files_.count(file) || reported_.count(path + "#recreated")) continue;
      Violation violation{kProperty, run_end,
                          describe(job_key(added)) + ": at the end of the run the store lists checkpoint pointer " +
                              path + " (added by " + added.process + " at " + sim::format_instant(added.at) +
                              ") whose file " + file + " is gone: every recovery of the job will fail on it"};
      fill(violation, added, "D");
      out.push_back(std::move(violation));
    }
  }

 private:
  static bool is_removal(const std::string& name) {
    return name == "checkpoint-removed"sv || name == "checkpoint-pointer-deleted"sv || name == "checkpoint-file-discarded"sv;
  }
  // The events observe() judges; the rest (most of them: the TaskManagers' accepts and commits)
  // only feed the commit order and the supersession.
  static bool judged(const std::string& name) {
    return name == "checkpoint-added"sv || name == "checkpoint-completed"sv || name == "job-terminal"sv ||
           name == "job-restored"sv || is_removal(name) || name == "checkpoint-read-missing-file"sv;
  }

  PointerCommitOrder order_;
  Supersession supersession_;
  static void fill(Violation& violation, const sim::TraceEvent& event, const char* clause) {
    violation.clause = clause;
    violation.cluster = text_field(event, "cluster");
    violation.process = event.process;
    violation.session = text_field(event, "session_id");
    violation.job = text_field(event, "job");
    violation.path = text_field(event, "path");
  }

  // D: checkpoint ids are never reused, so a pointer created at a path whose file a removal has
  // discarded is a retry of an old addAndLock that resurrects a removed checkpoint.
  void check_recreated(const sim::TraceEvent& event, std::vector<Violation>& out) {
    const std::string& path = text_field(event, "path");
    if (!removal_discarded_.count(path) || !reported_.insert(path + "#recreated").second) return;
    Violation violation{kProperty, event.at,
                        describe(job_key(event)) + ": " + event.process + " created checkpoint pointer " + path +
                            " (attempts " + std::to_string(int_field_or(event, "attempts", 1)) + ") after a removal " +
                            "had discarded that checkpoint's file: the store lists a checkpoint nobody can restore"};
    fill(violation, event, "D");
    out.push_back(std::move(violation));
  }

  void on_committed(const sim::TraceEvent& event, JobCheckpoints& job) {
    const std::int64_t id = int_field_or(event, "checkpoint_id", 0);
    if (id <= job.highest_committed) return;  // a late, lower commit supersedes nothing
    job.highest_committed = id;
    job.highest_committed_session = text_field(event, "session_id");
    const std::string file = storage_path(text_field(event, "file"));
    const auto pointer = job.pointer_of_file.find(file);
    // A completion heard late (its JobManager was paused after the commit) may come after a newer
    // checkpoint is already in the store: that one has superseded it (explore seed 7810).
    if (job.newest_added > id) {
      job.latest.reset();
      return;
    }
    job.latest = Committed{id, job.highest_committed_session, file,
                           pointer == job.pointer_of_file.end() ? "" : pointer->second};
  }

  void check_restore(const sim::TraceEvent& event, const JobCheckpoints& job, std::vector<Violation>& out) {
    const std::int64_t restored = int_field_or(event, "checkpoint_id", 0);
    // Once the job's end is recorded its cleanup may take every checkpoint: a restore after that
    // is a re-run of an ended job, which no-lost-job C judges.
    if (restored >= job.highest_committed || job.terminal || supersession_.superseded(event)) return;
    Violation violation{kProperty, event.at,
                        describe(job_key(event)) + " restored by " + event.process + " from checkpoint " +
                            std::to_string(restored) + " but checkpoint " + std::to_string(job.highest_committed) +
                            " was committed (by session " + job.highest_committed_session + ")"};
    fill(violation, event, "A");
    violation.related_sessions = {job.highest_committed_session};
    out.push_back(std::move(violation));
  }

  void check_removal(const sim::TraceEvent& event, const JobCheckpoints& job, std::vector<Violation>& out) {
    if (!job.latest || job.terminal) return;
    const std::string file = storage_path(text_field(event, "file"));
    const std::string& path = text_field(event, "path");
    const bool names_file = !file.empty() && file == job.latest->file;
    const bool names_pointer = !path.empty() && path == job.latest->pointer && event.name != "checkpoint-file-discarded"sv;
    if (!names_file && !names_pointer) return;
    report(event, job, names_file ? "its file" : "its pointer", out);
  }

  // C: the pointer is still in the store (recovery read it) but its file is gone.
  void check_missing_file(const sim::TraceEvent& event, std::vector<Violation>& out) {
    const std::string& path = text_field(event, "path");
    const std::string file = storage_path(text_field(event, "file"));
    if (removal_discarded_.count(path) || lost_files_.count(file)) return;
    if (!reported_.insert(path + "#missing").second) return;
    Violation violation{kProperty, event.at,
                        describe(job_key(event)) + ": recovery by " + event.process + " finds checkpoint pointer " +
                            path + " but its file " + file + " was deleted while the pointer stayed (no removal of " +
                            "that pointer, no injected loss): the store lists a checkpoint nobody can restore"};
    fill(violation, event, "C");
    out.push_back(std::move(violation));
  }

  void observe_storage(const sim::TraceEvent& event, std::vector<Violation>& out) {
    if (event.name == "lose"sv) lost_files_.insert(text_field(event, "path"));
    if (event.name != "delete"sv || text_field(event, "status") != "ok"sv) return;
    const std::string& path = text_field(event, "path");
    gone_files_.insert(path);
    for (const auto& [key, job] : jobs_) {
      if (job.latest && !job.terminal && job.latest->file == path) report(event, job, "its file", out);
    }
  }

  void report(const sim::TraceEvent& event, const JobCheckpoints& job, const std::string& what,
              std::vector<Violation>& out) {
    const std::string key = job.latest->file + "#" + what;
    if (!reported_.insert(key).second) return;
    Violation violation{kProperty, event.at,
                        event.process + " deleted " + what + " of the latest committed checkpoint " +
                            std::to_string(job.latest->id) + " (" + event.category + " " + event.name + ") " +
                            "before anything superseded it"};
    fill(violation, event, "B");
    violation.related_sessions = {job.latest->session};
    out.push_back(std::move(violation));
  }

  JobMap<JobCheckpoints> jobs_;
  // Hashed: only asked for membership, and the paths share a long prefix that a tree would compare
  // again at every level.
  std::unordered_set<std::string> reported_;
  std::unordered_set<std::string> removal_discarded_;  // pointer paths whose removal discarded the file
  std::unordered_set<std::string> lost_files_;         // storage paths lost by an injected fault
  std::unordered_set<std::string> gone_files_;         // storage paths discarded or deleted
  // pointer path -> the checkpoint-added that listed it (the events outlive the guard)
  std::map<std::string, const sim::TraceEvent*> listed_;
};

}  // namespace

std::string storage_path(const std::string& file) {
  const auto scheme = file.find("://");
  if (scheme == std::string::npos) return file;
  const auto path = file.find('/', scheme + 3);
  return path == std::string::npos ? std::string("/") : file.substr(path);
}

std::vector<Violation> check_no_lost_checkpoint(const Events& events, const CheckContext& context) {
  std::vector<Violation> out;
  LatestCheckpointGuard guard;
  for (const auto& event : events) guard.observe(event, out);
  guard.check_listed_at_end(context.run_end, out);
  return out;
}

}  // namespace harness
