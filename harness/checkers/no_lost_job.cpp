#include "harness/checkers/no_lost_job.hpp"

#include <algorithm>
#include <set>

#include "harness/checkers/job_activity.hpp"
#include "harness/checkers/leadership.hpp"

namespace harness {
namespace {

constexpr const char* kProperty = "no-lost-job";

// How long a JobManager resumed from a pause may go on believing it leads: its ZooKeeper client
// notices the silence only at its read timeout, 2/3 of the negotiated session timeout after it
// last heard from the server (ClientCnxn.SendThread: readTimeout = sessionTimeout * 2 / 3), and
// ClientCnxnSocketNIO.cleanup then sleeps 100 ms before Disconnected is delivered
// (flink-ha-facts.md, "Java client delay"). Until then its JobMaster still runs the job, and the
// TaskManagers already follow the new leader.
sim::Duration detection_window(const CheckContext& context, const std::string& term) {
  const ClusterFacts* cluster = cluster_of_jobmanager(context, term.substr(0, term.find(' ')));
  const sim::Duration session_timeout = cluster ? cluster->session_timeout : sim::seconds(60);
  return sim::nanoseconds(session_timeout.ns * 2 / 3) + sim::milliseconds(100);
}

// A term is not running while its JobManager is paused, nor for the detection window after it
// resumed (until the term is suspended on the revoke that ends the window).
bool stopped_by_pause(const JobActivity& before, const CheckContext& context, const std::string& term, sim::Instant at) {
  if (before.paused(term)) return true;
  const auto resumed = before.resumed_at(term);
  return resumed && at <= *resumed + detection_window(context, term);
}

void check_twice_at_once(const sim::TraceEvent& event, const JobActivity& before, const CheckContext& context,
                         std::vector<Violation>& out) {
  const JobState* job = before.job(job_key(event));
  if (!job) return;
  const std::string term = event.process + " " + text_field(event, "session_id");
  for (const auto& other : job->running_on) {
    if (other == term || stopped_by_pause(before, context, other, event.at)) continue;
    Violation violation{kProperty, event.at,
                        describe(job_key(event)) + " runs on " + term + " while still running on " + other};
    violation.clause = "B";
    violation.cluster = text_field(event, "cluster");
    violation.process = event.process;
    violation.session = text_field(event, "session_id");
    violation.related_sessions = {other.substr(other.find(' ') + 1)};
    violation.job = text_field(event, "job");
    out.push_back(std::move(violation));
    return;
  }
}

void check_rerun(const sim::TraceEvent& event, const JobActivity& before, std::set<JobKey>& reported,
                 std::vector<Violation>& out) {
  const JobState* job = before.job(job_key(event));
  if (!job || !job->terminal_at || !reported.insert(job_key(event)).second) return;
  Violation violation{kProperty, event.at,
                      describe(job_key(event)) + " terminated at " + sim::format_instant(*job->terminal_at) + " but " +
                          event.name + " on " + event.process};
  violation.clause = "C";
  violation.cluster = text_field(event, "cluster");
  violation.process = event.process;
  violation.session = text_field(event, "session_id");
  violation.related_sessions = {job->terminal_session};
  violation.job = text_field(event, "job");
  out.push_back(std::move(violation));
}

// D: `suspended` holds "<job> <process> <session>" of every job-suspended seen so far.
void check_terminal_after_suspend(const sim::TraceEvent& event, const std::set<std::string>& suspended,
                                  std::vector<Violation>& out) {
  const std::string term = event.process + " " + text_field(event, "session_id");
  if (!suspended.count(describe(job_key(event)) + " " + term)) return;
  Violation violation{kProperty, event.at,
                      describe(job_key(event)) + " was suspended by " + term + ", which then recorded it " +
                          text_field(event, "status") + ": a suspended job was taken for ended and is lost"};
  violation.clause = "D";
  violation.cluster = text_field(event, "cluster");
  violation.process = event.process;
  violation.session = text_field(event, "session_id");
  violation.job = text_field(event, "job");
  out.push_back(std::move(violation));
}

void check_runs_again(const JobActivity& activity, const CheckContext& context, const std::vector<BeliefInterval>& intervals,
                      std::vector<Violation>& out) {
  for (const auto& [key, job] : activity.jobs()) {
    if (!job.acknowledged_at) continue;
    const sim::Instant from = std::max(context.faults_end, *job.acknowledged_at);
    const sim::Instant deadline = from + context.bounds.job_running_within;
    if (deadline > context.run_end || (job.terminal_at && *job.terminal_at <= deadline)) continue;
    if (activity.ran_within(key, from, deadline)) continue;
    Violation violation{kProperty, deadline,
                        describe(key) + " acknowledged at " + sim::format_instant(*job.acknowledged_at) +
                            " is not running within " + sim::format_duration(context.bounds.job_running_within) +
                            " of " + sim::format_instant(from)};
    violation.clause = "A";
    violation.cluster = key.cluster;
    violation.job = key.job;
    violation.related_sessions = sessions_believed_within(intervals, key.cluster, from, deadline);
    out.push_back(std::move(violation));
  }
}

}  // namespace

std::vector<Violation> check_no_lost_job(const Events& events, const CheckContext& context) {
  std::vector<Violation> out;
  JobActivity activity(context);
  std::set<JobKey> reruns_reported;
  std::set<std::string> suspended;  // "<job> <process> <session>"
  for (const auto& event : events) {
    if (is_flink(event, "job-suspended")) {
      suspended.insert(describe(job_key(event)) + " " + event.process + " " + text_field(event, "session_id"));
    }
    if (is_flink(event, "job-terminal")) check_terminal_after_suspend(event, suspended, out);
    if (is_flink(event, "job-running")) check_twice_at_once(event, activity, context, out);
    if (is_flink(event, "job-running") || is_flink(event, "job-recovered")) {
      check_rerun(event, activity, reruns_reported, out);
    }
    activity.observe(event);
  }
  check_runs_again(activity, context, believed_leader_intervals(events, context), out);
  std::stable_sort(out.begin(), out.end(), [](const Violation& a, const Violation& b) { return a.at < b.at; });
  return out;
}

}  // namespace harness
