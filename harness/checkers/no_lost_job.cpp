#include <optional>
#include "harness/checkers/no_lost_job.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "harness/checkers/cluster_end.hpp"
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

// When the ZooKeeper leader expired each JobManager's current ZooKeeper session. A JobManager
// learns of the expiry only through the server it is connected to: at once if that server still
// follows the leader (it closes the connection); if the server is cut off from the leader, only
// when the server gives up on it, syncLimit x tickTime after their last contact (itself no later
// than the expiry), and drops its clients. Until then the client is CONNECTED, its pings answered
// by that server, and the JobMaster runs on while the next leader starts the job (explore-5zk-5jm
// seed 460). With tolerate-suspended-connections the Disconnected that follows revokes nothing:
// Curator's LOST comes at most a session timeout later.
class SessionExpiries {
 public:
  void observe(const sim::TraceEvent& event) {
    if (event.category == "curator"sv && (event.name == "CONNECTED"sv || event.name == "RECONNECTED"sv || event.name == "LOST"sv)) {
      session_of_[event.process] = int_field_or(event, "session", 0);
    }
    if (event.category == "zk"sv && event.name == "session-expired"sv) {
      expired_at_[int_field_or(event, "session", 0)].push_back(event.at);
    }
  }

  bool unaware(const CheckContext& context, const std::string& term, sim::Instant at) const {
    const std::string process = term.substr(0, term.find(' '));
    const auto session = session_of_.find(process);
    if (session == session_of_.end() || session->second == 0) return false;
    const auto expired = expired_at_.find(session->second);
    if (expired == expired_at_.end()) return false;
    // The latest expiry by then: a server that expired the session while it no longer led (a
    // resumed, deposed ZooKeeper leader) did not end it, and the real expiry comes later.
    std::optional<sim::Instant> latest;
    for (const sim::Instant instant : expired->second) {
      if (instant <= at) latest = instant;
    }
    if (!latest) return false;
    const ClusterFacts* cluster = cluster_of_jobmanager(context, process);
    sim::Duration window = context.zookeeper_sync_timeout + sim::milliseconds(100);
    if (cluster && cluster->tolerate_suspended_connections) window += cluster->session_timeout;
    return at <= *latest + window;
  }

 private:
  std::map<std::string, std::int64_t> session_of_;  // JobManager process -> its client's session
  std::map<std::int64_t, std::vector<sim::Instant>> expired_at_;  // in trace order
};

// Kubernetes HA: a JobManager whose lease another JobManager has taken learns it only at its own
// next renewal (fabric8 LeaderElector: every retry period; while the API server does not answer,
// only once its clock passes the renew deadline, after a request timeout and stopLeading's own GET).
// The lease expires lease-duration after the last renewal by the candidate's clock, and Flink's
// defaults make the renew deadline as long as the lease, so the holder always learns of its loss
// after the next leader may have started: until the `revoke` of its session, its JobMaster runs on
// while the TaskManagers follow the new leader. Recognised only in a Kubernetes run (its
// `k8s-lock-holder` samples, recorded from the start).
class LeaseLosses {
 public:
  void observe(const sim::TraceEvent& event) {
    if (is_flink(event, "k8s-lock-holder")) kubernetes_ = true;
    if (!kubernetes_) return;
    const std::string key = text_field(event, "cluster") + "/" + text_field(event, "session_id");
    if (is_flink(event, "grant")) {
      granted_[key] = {event.process, event.at};
      grants_[text_field(event, "cluster")].push_back({event.at, event.process});
    }
    if (is_flink(event, "revoke")) revoked_.insert(key);
  }

  bool unaware(const std::string& cluster, const std::string& term, sim::Instant at) const {
    if (!kubernetes_) return false;
    const std::string key = cluster + "/" + term.substr(term.find(' ') + 1);
    const auto granted = granted_.find(key);
    if (granted == granted_.end() || revoked_.count(key)) return false;
    const auto grants = grants_.find(cluster);
    if (grants == grants_.end()) return false;
    return std::any_of(grants->second.begin(), grants->second.end(), [&](const auto& grant) {
      return grant.first > granted->second.second && grant.first <= at && grant.second != granted->second.first;
    });
  }

 private:
  bool kubernetes_ = false;
  std::map<std::string, std::pair<std::string, sim::Instant>> granted_;  // cluster/session -> (process, at)
  std::map<std::string, std::vector<std::pair<sim::Instant, std::string>>> grants_;  // cluster -> (at, process)
  std::set<std::string> revoked_;
};

void check_twice_at_once(const sim::TraceEvent& event, const JobActivity& before, const SessionExpiries& expiries,
                         const LeaseLosses& lease_losses, const CheckContext& context, std::vector<Violation>& out) {
  const JobState* job = before.job(job_key(event));
  if (!job) return;
  const std::string term = event.process + " " + text_field(event, "session_id");
  for (const auto& other : job->running_on) {
    if (other == term || stopped_by_pause(before, context, other, event.at)) continue;
    if (expiries.unaware(context, other, event.at)) continue;
    if (lease_losses.unaware(text_field(event, "cluster"), other, event.at)) continue;
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
                      const ClusterEnds& ends, std::vector<Violation>& out) {
  for (const auto& [key, job] : activity.jobs()) {
    if (!job.acknowledged_at) continue;
    const sim::Instant from = std::max(context.faults_end, *job.acknowledged_at);
    const sim::Instant deadline = from + context.bounds.job_running_within;
    if (deadline > context.run_end || (job.terminal_at && *job.terminal_at <= deadline)) continue;
    if (ends.ended_by(key.cluster, deadline)) continue;  // its YARN application failed: not lost, ended
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
  SessionExpiries expiries;
  LeaseLosses lease_losses;
  for (const auto& event : events) {
    expiries.observe(event);
    lease_losses.observe(event);
    if (is_flink(event, "job-suspended")) {
      suspended.insert(describe(job_key(event)) + " " + event.process + " " + text_field(event, "session_id"));
    }
    if (is_flink(event, "job-terminal")) check_terminal_after_suspend(event, suspended, out);
    if (is_flink(event, "job-running")) check_twice_at_once(event, activity, expiries, lease_losses, context, out);
    if (is_flink(event, "job-running") || is_flink(event, "job-recovered")) {
      check_rerun(event, activity, reruns_reported, out);
    }
    activity.observe(event);
  }
  check_runs_again(activity, context, believed_leader_intervals(events, context), ClusterEnds(events), out);
  std::stable_sort(out.begin(), out.end(), [](const Violation& a, const Violation& b) { return a.at < b.at; });
  return out;
}

}  // namespace harness
