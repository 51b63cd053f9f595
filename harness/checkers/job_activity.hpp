#pragma once
// Where each job stands, from the trace alone; shared by no-lost-job and ha-lifecycle.
//  - acknowledged: from its first `job-submit-acked`;
//  - active in a term (JobManager + leader session): from job-recovered / job-restored /
//    job-running of that term until job-suspended / job-terminal of that term or the crash of
//    its JobManager;
//  - running in a term: from job-running of that term until job-suspended / job-restarting /
//    job-ended / job-terminal of that term or the crash of its JobManager;
//  - terminal: from its first job-terminal or job-cleanup-resumed (a dirty JobResultStore entry);
//  - suspended: acknowledged, not terminal, active nowhere, and a job-suspended seen since it
//    was last active.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/checkers/check_context.hpp"

namespace harness {

struct JobState {
  std::optional<sim::Instant> acknowledged_at;
  std::optional<sim::Instant> terminal_at;
  std::string terminal_session;  // the leader session that recorded it terminal
  std::set<std::string> active_on;   // "<jobmanager> <session_id>": one JobMaster term
  std::set<std::string> running_on;  // the same
  bool suspended_seen = false;

  bool suspended() const { return acknowledged_at && !terminal_at && active_on.empty() && suspended_seen; }
};

// One point of a job's history: its running state right after an event.
struct RunningPoint {
  sim::Instant at;
  bool running = false;
};

class JobActivity {
 public:
  explicit JobActivity(const CheckContext& context) : context_(context) {}

  // Call for every event, in trace order. Returns the job the event changed, if any.
  void observe(const sim::TraceEvent& event);

  const JobMap<JobState>& jobs() const { return jobs_; }
  const JobState* job(const JobKey& key) const;
  const JobState* job(const JobRef& key) const;
  // `term` is a process name, or "<process> <session_id>" as in JobState's sets.
  bool paused(const std::string& term) const { return paused_.count(term.substr(0, term.find(' '))) != 0; }
  // When the term's JobManager last resumed from a pause (nullopt: never, or crashed or paused since).
  std::optional<sim::Instant> resumed_at(const std::string& term) const;
  // Whether the job was running on some JobManager at any instant of [from, to].
  bool ran_within(const JobKey& key, sim::Instant from, sim::Instant to) const;

 private:
  void on_jobmanager_crash(const std::string& process, sim::Instant at);
  static void note_running(std::vector<RunningPoint>& history, const JobState& job, sim::Instant at);

  const CheckContext& context_;
  JobMap<JobState> jobs_;
  JobMap<std::vector<RunningPoint>> history_;
  std::set<std::string> paused_;
  std::map<std::string, sim::Instant> resumed_;  // JobManager -> its latest resume
};

}  // namespace harness
