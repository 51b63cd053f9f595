#include "harness/checkers/job_activity.hpp"

#include <algorithm>

namespace harness {
namespace {

bool starts_term(const std::string& name) {
  return name == "job-recovered"sv || name == "job-restored"sv || name == "job-running"sv;
}
bool ends_term(const std::string& name) { return name == "job-suspended"sv || name == "job-terminal"sv; }
bool stops_running(const std::string& name) { return name == "job-restarting"sv || name == "job-ended"sv; }
bool marks_terminal(const std::string& name) { return name == "job-terminal"sv || name == "job-cleanup-resumed"sv; }

// The job events that move a job's state. The rest (most of the trace: the TaskManagers' accepts
// and commits) are skipped before their fields are read; a job first seen in one of them would
// only get a default JobState, which every reader takes as it takes no state.
bool moves_job(const std::string& name) {
  return name == "job-submit-acked"sv || starts_term(name) || ends_term(name) || stops_running(name) ||
         marks_terminal(name);
}

}  // namespace

void JobActivity::observe(const sim::TraceEvent& event) {
  if (event.category == "proc"sv) {
    if (!cluster_of_jobmanager(context_, event.process)) return;
    if (event.name == "pause"sv) paused_.insert(event.process);
    if (event.name == "resume"sv || event.name == "crash"sv || event.name == "boot"sv) paused_.erase(event.process);
    if (event.name == "resume"sv) resumed_[event.process] = event.at;
    if (event.name == "pause"sv || event.name == "crash"sv || event.name == "boot"sv) resumed_.erase(event.process);
    if (event.name == "crash"sv) on_jobmanager_crash(event.process, event.at);
    return;
  }
  if (event.category != "flink"sv || !moves_job(event.name)) return;
  const std::string* job_id = event.string_field("job");
  if (!job_id) return;
  const JobRef key{text_field(event, "cluster"), *job_id};
  JobState& job = entry(jobs_, key);
  const std::string& name = event.name;
  if (name == "job-submit-acked"sv && !job.acknowledged_at) job.acknowledged_at = event.at;
  if (starts_term(name) || ends_term(name) || stops_running(name)) {
    // One JobManager may hold an old term's JobMaster and a new one at once: key by both.
    const std::string jm = event.process + " " + text_field(event, "session_id");
    if (starts_term(name)) {
      job.active_on.insert(jm);
      job.suspended_seen = false;
    }
    if (name == "job-running"sv) job.running_on.insert(jm);
    if (stops_running(name)) job.running_on.erase(jm);
    if (ends_term(name)) {
      job.active_on.erase(jm);
      job.running_on.erase(jm);
      if (name == "job-suspended"sv) job.suspended_seen = true;
    }
    // Only these events change where the job runs. Its history needs no point before the first
    // change: without one it was not running, as a `false` point would say.
    note_running(entry(history_, key), job, event.at);
  }
  if (marks_terminal(name) && !job.terminal_at) {
    job.terminal_at = event.at;
    job.terminal_session = text_field(event, "session_id");
  }
}

void JobActivity::on_jobmanager_crash(const std::string& process, sim::Instant at) {
  const auto of_process = [&](const std::string& term) {
    return std::string_view(term).substr(0, term.find(' ')) == process;
  };
  for (auto& [key, job] : jobs_) {
    std::erase_if(job.running_on, of_process);
    if (std::erase_if(job.active_on, of_process) && job.active_on.empty()) job.suspended_seen = true;  // died with it
    note_running(history_[key], job, at);
  }
}

void JobActivity::note_running(std::vector<RunningPoint>& history, const JobState& job, sim::Instant at) {
  const bool running = !job.running_on.empty();
  if (!history.empty() && history.back().running == running) return;
  history.push_back({at, running});
}

std::optional<sim::Instant> JobActivity::resumed_at(const std::string& term) const {
  const auto it = resumed_.find(term.substr(0, term.find(' ')));
  if (it == resumed_.end()) return std::nullopt;
  return it->second;
}

const JobState* JobActivity::job(const JobKey& key) const {
  const auto it = jobs_.find(key);
  return it == jobs_.end() ? nullptr : &it->second;
}

const JobState* JobActivity::job(const JobRef& key) const {
  const auto it = jobs_.find(key);
  return it == jobs_.end() ? nullptr : &it->second;
}

bool JobActivity::ran_within(const JobKey& key, sim::Instant from, sim::Instant to) const {
  const auto it = history_.find(key);
  if (it == history_.end()) return false;
  bool running_before = false;
  for (const auto& point : it->second) {
    if (point.at <= from) {
      running_before = point.running;
      continue;
    }
    if (point.at > to) break;
    if (point.running) return true;
  }
  return running_before;
}

}  // namespace harness
