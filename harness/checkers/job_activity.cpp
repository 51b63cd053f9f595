#include "harness/checkers/job_activity.hpp"

#include <algorithm>

namespace harness {

void JobActivity::observe(const sim::TraceEvent& event) {
  if (event.category == "proc") {
    if (!cluster_of_jobmanager(context_, event.process)) return;
    if (event.name == "pause") paused_.insert(event.process);
    if (event.name == "resume" || event.name == "crash" || event.name == "boot") paused_.erase(event.process);
    if (event.name == "resume") resumed_[event.process] = event.at;
    if (event.name == "pause" || event.name == "crash" || event.name == "boot") resumed_.erase(event.process);
    if (event.name == "crash") on_jobmanager_crash(event.process, event.at);
    return;
  }
  if (event.category != "flink" || !event.string_field("job")) return;
  const JobKey key = job_key(event);
  JobState& job = jobs_[key];
  // One JobManager may hold an old term's JobMaster and a new one at once: key by both.
  const std::string jm = event.process + " " + text_field(event, "session_id");
  if (event.name == "job-submit-acked" && !job.acknowledged_at) job.acknowledged_at = event.at;
  if (event.name == "job-recovered" || event.name == "job-restored" || event.name == "job-running") {
    job.active_on.insert(jm);
    job.suspended_seen = false;
  }
  if (event.name == "job-running") job.running_on.insert(jm);
  if (event.name == "job-restarting" || event.name == "job-ended") job.running_on.erase(jm);
  if (event.name == "job-suspended" || event.name == "job-terminal") {
    job.active_on.erase(jm);
    job.running_on.erase(jm);
    if (event.name == "job-suspended") job.suspended_seen = true;
  }
  if ((event.name == "job-terminal" || event.name == "job-cleanup-resumed") && !job.terminal_at) {
    job.terminal_at = event.at;
    job.terminal_session = text_field(event, "session_id");
  }
  note_running(key, event.at);
}

void JobActivity::on_jobmanager_crash(const std::string& process, sim::Instant at) {
  const auto of_process = [&](const std::string& term) { return term.substr(0, term.find(' ')) == process; };
  for (auto& [key, job] : jobs_) {
    std::erase_if(job.running_on, of_process);
    if (std::erase_if(job.active_on, of_process) && job.active_on.empty()) job.suspended_seen = true;  // died with it
    note_running(key, at);
  }
}

void JobActivity::note_running(const JobKey& key, sim::Instant at) {
  auto& points = history_[key];
  const bool running = !jobs_[key].running_on.empty();
  if (!points.empty() && points.back().running == running) return;
  points.push_back({at, running});
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
