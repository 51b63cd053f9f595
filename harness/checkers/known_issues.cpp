#include "harness/checkers/known_issues.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "harness/checkers/resurrected_pointer.hpp"
#include "harness/checkers/zombie_leadership.hpp"

namespace harness {
namespace {

constexpr const char* kCurator696 = "CURATOR-696";
constexpr const char* kHasimG4 = "HASIM-G4";
constexpr const char* kShutdownOnce = "HASIM-SHUTDOWN-ONCE";
constexpr const char* kUnreadHandle = "HASIM-UNREAD-HANDLE";
constexpr const char* kLateDirtyResult = "HASIM-LATE-DIRTY-RESULT";
constexpr const char* kLateJobGraph = "HASIM-LATE-JOB-GRAPH";
constexpr const char* kLateCheckpoint = "HASIM-LATE-CHECKPOINT";
constexpr const char* kFlink10333 = "HASIM-K8S-UNFENCED-CHECKPOINT";  // related: FLINK-10333
constexpr const char* kClientGo448 = "HASIM-K8S-SKEWED-LEASE";  // related: kubernetes/client-go#448

bool affects(const KnownIssue& issue, const CheckContext& context) {
  return std::find(issue.curator_versions.begin(), issue.curator_versions.end(), context.curator_version) !=
         issue.curator_versions.end();
}

// HASIM-G4's consequences for a job: its store recoveries, in trace order.
struct RecoveryOutcome {
  sim::Instant at;
  bool failed_on_resurrected = false;  // a read-missing-file of a HASIM-G4 pointer; else a success
};

class HasimG4 {
 public:
  HasimG4(const Events& events, const CheckContext& context) {
    for (const auto& pointer : resurrected_pointers(events, context)) {
      if (pointer.across_session_change) resurrected_.emplace(pointer.path, pointer.at);
    }
    if (resurrected_.empty()) return;
    for (const auto& event : events) {
      if (is_flink(event, "job-restored")) recoveries_[job_key(event)].push_back({event.at, false});
      if (is_flink(event, "checkpoint-read-missing-file") && resurrected_.count(text_field(event, "path"))) {
        recoveries_[job_key(event)].push_back({event.at, true});
      }
    }
  }

  bool explains(const Violation& violation) const {
    if (violation.property == "no-lost-checkpoint"sv && violation.clause == "D"sv) {
      const auto it = resurrected_.find(violation.path);
      return it != resurrected_.end() && it->second <= violation.at;
    }
    const bool not_running = (violation.property == "no-lost-job"sv && violation.clause == "A"sv) ||
                             (violation.property == "liveness"sv && violation.clause == "B"sv);
    if (!not_running) return false;
    const auto it = recoveries_.find({violation.cluster, violation.job});
    if (it == recoveries_.end()) return false;
    const RecoveryOutcome* latest = nullptr;
    for (const auto& outcome : it->second) {
      if (outcome.at <= violation.at) latest = &outcome;
    }
    return latest && latest->failed_on_resurrected;
  }

 private:
  std::map<std::string, sim::Instant> resurrected_;  // pointer path -> when it was re-created
  std::map<JobKey, std::vector<RecoveryOutcome>> recoveries_;
};

// A checkpoint's metadata file left after the job's cleanup because the store shutdown could not
// remove the checkpoint at its one try (another store instance still locked the pointer, the
// file's discard failed, or ZooKeeper failed a release or delete) and the recursive delete of the
// job znode then took the pointer.
class ShutdownOnce {
 public:
  explicit ShutdownOnce(const Events& events) {
    std::map<JobKey, sim::Instant> terminal;
    for (const auto& event : events) {
      if ((is_flink(event, "job-terminal") || is_flink(event, "job-cleanup-resumed")) && !terminal.count(job_key(event))) {
        terminal[job_key(event)] = event.at;
      }
      const bool failed_removal = is_flink(event, "checkpoint-still-locked") || is_flink(event, "checkpoint-discard-failed") ||
                                  is_flink(event, "checkpoint-remove-failed") || is_flink(event, "checkpoint-release-failed");
      if (!failed_removal) continue;
      // The cleanup's own store events carry no job; the pointer path names it.
      const std::string path = text_field(event, "path");
      for (const auto& [key, at] : terminal) {
        if (path.find("/jobs/" + key.job + "/checkpoints/") != std::string::npos) failed_after_terminal_.insert(path);
      }
    }
  }

  bool explains(const Violation& violation) const {
    return violation.property == "ha-lifecycle"sv && violation.clause == "A"sv && failed_after_terminal_.count(violation.path);
  }

 private:
  std::set<std::string> failed_after_terminal_;  // pointer paths
};

// A checkpoint's metadata file left because releaseAndTryRemove could not read the pointer's state
// handle (ZooKeeper failed), logged it, and deleted the pointer anyway: nothing names the file.
class UnreadHandle {
 public:
  explicit UnreadHandle(const Events& events) {
    for (const auto& event : events) {
      if (is_flink(event, "checkpoint-removed") && text_field(event, "file").empty()) unread_.insert(text_field(event, "path"));
    }
  }
  bool explains(const Violation& violation) const {
    return violation.property == "ha-lifecycle"sv && violation.clause == "A"sv && unread_.count(violation.path);
  }

 private:
  std::set<std::string> unread_;  // pointer paths removed without their file
};

// A finished job run again because the JobResultStore entry that records its end landed after
// another leader term had listed the store and recovered the job: the write (Dispatcher
// registerGloballyTerminatedJobInJobResultStore -> createDirtyResultAsync on the ioExecutor) is
// not fenced by leadership, so a term deposed, or paused, while it was in flight still lands it.
class LateDirtyResult {
 public:
  explicit LateDirtyResult(const Events& events) {
    for (const auto& event : events) {
      if (is_flink(event, "job-recovered")) {
        recovered_[job_key(event)].push_back({event.at, text_field(event, "session_id")});
      }
      if (is_flink(event, "job-terminal") && !terminal_.count(job_key(event))) {
        terminal_[job_key(event)] = {event.at, text_field(event, "session_id")};
      }
    }
  }

  // no-lost-job C of a term that recovered the job before another term's entry landed.
  bool explains(const Violation& violation) const {
    if (violation.property != "no-lost-job"sv || violation.clause != "C"sv) return false;
    const JobKey key{violation.cluster, violation.job};
    const auto terminal = terminal_.find(key);
    const auto recovered = recovered_.find(key);
    if (terminal == terminal_.end() || recovered == recovered_.end()) return false;
    return std::any_of(recovered->second.begin(), recovered->second.end(), [&](const Term& recovery) {
      return recovery.at < terminal->second.at && recovery.session_id == violation.session &&
             recovery.session_id != terminal->second.session_id;
    });
  }

 private:
  struct Term {
    sim::Instant at;
    std::string session_id;
  };
  std::map<JobKey, std::vector<Term>> recovered_;
  std::map<JobKey, Term> terminal_;  // the first entry that landed
};

// A finished job run again because a deposed Dispatcher added its job graph after the job's end
// had been recorded (and its cleanup had deleted the graph): a submission queued on the
// Dispatcher's main thread before the revoke is still processed, and its putJobGraph (Curator's
// RetryLoop, across a new ZooKeeper session if need be) checks no leadership (FLINK-10333's fenced
// stores were never built). The next leader recovers the graph and runs the job again.
class LateJobGraph {
 public:
  explicit LateJobGraph(const Events& events) {
    std::map<std::string, bool> leading;  // JobManager process -> believes it leads
    std::map<JobKey, sim::Instant> terminal_at;
    for (const auto& event : events) {
      if (is_flink(event, "grant")) leading[event.process] = true;
      if (is_flink(event, "revoke") || is_proc(event, "crash")) leading[event.process] = false;
      if (is_flink(event, "job-terminal")) terminal_at.try_emplace(job_key(event), event.at);
      if (!is_flink(event, "job-graph-added") || leading[event.process]) continue;
      const std::string path = text_field(event, "path");
      const JobKey key{text_field(event, "cluster"), path.substr(path.rfind('/') + 1)};
      const auto ended = terminal_at.find(key);
      if (ended != terminal_at.end() && ended->second < event.at) resurrected_.try_emplace(key, event.at);
    }
  }

  bool explains(const Violation& violation) const {
    if (violation.property != "no-lost-job"sv || violation.clause != "C"sv) return false;
    const auto found = resurrected_.find({violation.cluster, violation.job});
    return found != resurrected_.end() && found->second <= violation.at;
  }

 private:
  std::map<JobKey, sim::Instant> resurrected_;  // job -> when a deposed Dispatcher re-added its graph
};

// A checkpoint's metadata file left after the job's cleanup because a deposed JobMaster's
// in-flight completion landed its pointer after another term had recovered the job: the
// coordinator finishes completePendingCheckpoint under its lock (addAndLock through Curator's
// RetryLoop, across a new ZooKeeper session if need be) and checks no leadership; the next term
// never lists that checkpoint, so it is neither subsumed nor discarded, and the cleanup deletes
// the pointer with the job znode but not the file.
class LateCheckpoint {
 public:
  explicit LateCheckpoint(const Events& events) {
    std::set<std::pair<std::string, std::string>> revoked;  // (cluster, leader session)
    std::map<JobKey, std::vector<std::pair<sim::Instant, std::string>>> recovered;  // job -> (when, session)
    for (const auto& event : events) {
      if (event.category != "flink"sv) continue;
      const std::string& session = text_field(event, "session_id");
      if (is_flink(event, "revoke")) revoked.insert({text_field(event, "cluster"), session});
      if (is_flink(event, "job-recovered")) recovered[job_key(event)].push_back({event.at, session});
      if (!is_flink(event, "checkpoint-added") || !revoked.count({text_field(event, "cluster"), session})) continue;
      const auto other = recovered.find(job_key(event));
      if (other == recovered.end()) continue;
      const bool behind_a_recovery = std::any_of(other->second.begin(), other->second.end(),
                                                 [&](const auto& recovery) { return recovery.second != session; });
      if (behind_a_recovery) late_.insert(text_field(event, "path"));
    }
  }

  bool explains(const Violation& violation) const {
    return violation.property == "ha-lifecycle"sv && violation.clause == "A"sv && late_.count(violation.path);
  }

 private:
  std::set<std::string> late_;  // pointer paths a deposed term added after another term recovered the job
};

// Kubernetes mode: a leader session is *deposed unaware* from the first `grant` of another
// JobManager of its cluster after its own grant until its own `revoke`. Lease-based election has
// no fencing: the holder learns of the loss only at its next renewal, Flink's defaults make the
// renew deadline as long as the lease, and fabric8's elector judges expiry by the holder's
// renewTime against the candidate's clock, so a candidate whose clock runs ahead takes a lease
// still being renewed. Recognised only in a Kubernetes run (`k8s-lock-holder`).
class KubernetesDeposedTerms {
 public:
  explicit KubernetesDeposedTerms(const Events& events) {
    bool kubernetes = false;
    for (const auto& event : events) kubernetes = kubernetes || is_flink(event, "k8s-lock-holder");
    if (!kubernetes) return;
    std::map<std::string, std::vector<std::pair<sim::Instant, std::string>>> grants;  // cluster -> (at, process)
    for (const auto& event : events) {
      if (event.category != "flink"sv) continue;
      const Key key{text_field(event, "cluster"), text_field(event, "session_id")};
      if (is_flink(event, "grant")) {
        terms_[key] = Term{event.process, event.at, std::nullopt, std::nullopt};
        grants[key.first].push_back({event.at, event.process});
        // Every term of the cluster still unrevoked and granted to another process is now deposed.
        for (auto& [other, term] : terms_) {
          if (other.first == key.first && term.process != event.process && !term.revoked && !term.deposed) {
            term.deposed = event.at;
          }
        }
      }
      if (is_flink(event, "revoke")) {
        const auto term = terms_.find(key);
        if (term != terms_.end() && !term->second.revoked) term->second.revoked = event.at;
      }
      if (is_flink(event, "checkpoint-completed") && deposed_at(key, event.at)) deposed_commits_[key].push_back(event.at);
    }
  }

  // FLINK-10333: the committer of the checkpoint a restore fell behind (A) or whose pointer or file
  // went (B) committed while deposed unaware: checkpoint writes are not validated against the lock.
  bool explains_unfenced_commit(const Violation& violation) const {
    if (violation.property != "no-lost-checkpoint"sv || (violation.clause != "A"sv && violation.clause != "B"sv)) return false;
    return std::any_of(violation.related_sessions.begin(), violation.related_sessions.end(), [&](const std::string& session) {
      const auto found = deposed_commits_.find({violation.cluster, session});
      return found != deposed_commits_.end() &&
             std::any_of(found->second.begin(), found->second.end(), [&](sim::Instant at) { return at <= violation.at; });
    });
  }

  // The double leader itself: single-leader B on an effect of a session deposed unaware (a
  // TaskManager accepts it until its watch delivers the new leader).
  bool explains_deposed_effect(const Violation& violation) const {
    return violation.property == "single-leader"sv && violation.clause == "B"sv &&
           deposed_at({violation.cluster, violation.session}, violation.at);
  }

 private:
  using Key = std::pair<std::string, std::string>;  // (cluster, session)
  struct Term {
    std::string process;
    sim::Instant granted;
    std::optional<sim::Instant> deposed;
    std::optional<sim::Instant> revoked;
  };
  bool deposed_at(const Key& key, sim::Instant at) const {
    const auto term = terms_.find(key);
    if (term == terms_.end() || !term->second.deposed || *term->second.deposed > at) return false;
    return !term->second.revoked || *term->second.revoked >= at;
  }

  std::map<Key, Term> terms_;
  std::map<Key, std::vector<sim::Instant>> deposed_commits_;
};

class Curator696 {
 public:
  Curator696(const Events& events, const CheckContext& context) {
    for (const auto& grant : zombie_grants(events, context)) zombie_sessions_.insert({grant.cluster, grant.session_id});
  }

  bool explains(const Violation& violation) const {
    if (zombie_sessions_.empty()) return false;
    if (is_zombie(violation.cluster, violation.session)) return true;
    return std::any_of(violation.related_sessions.begin(), violation.related_sessions.end(),
                       [&](const std::string& session) { return is_zombie(violation.cluster, session); });
  }

 private:
  bool is_zombie(const std::string& cluster, const std::string& session) const {
    return !session.empty() && zombie_sessions_.count({cluster, session});
  }
  std::set<std::pair<std::string, std::string>> zombie_sessions_;  // (cluster, leader session)
};

}  // namespace

const std::vector<KnownIssue>& known_issues() {
  static const std::vector<KnownIssue> issues = {
      {kCurator696, "Curator 5.4.0 LeaderLatch; fixed in 5.7.0", {"5.4"}},
      {kHasimG4, "Curator-retried addAndLock resurrects a removed checkpoint pointer; Flink 1.18-1.20, no fix",
       {"5.4", "5.7"}},
      {kShutdownOnce,
       "the store shutdown removes each checkpoint once; a locked or undeletable one keeps its metadata file after the "
       "job znode is deleted; Flink 1.18-1.20, no fix",
       {"5.4", "5.7"}},
      {kUnreadHandle,
       "releaseAndTryRemove deletes a pointer whose state handle it could not read, so its metadata file is never "
       "discarded; Flink 1.18-1.20, no fix",
       {"5.4", "5.7"}},
      {kLateDirtyResult,
       "a deposed or paused leader's JobResultStore entry lands after the next leader recovered the job, which then "
       "runs again; Flink 1.18-1.20, no fix",
       {"5.4", "5.7"}},
      {kLateJobGraph,
       "a deposed Dispatcher's queued submission re-adds a finished job's graph after its cleanup; the next leader "
       "runs the job again; Flink 1.18-1.20, no fix",
       {"5.4", "5.7"}},
      {kLateCheckpoint,
       "a deposed JobMaster's in-flight checkpoint lands after the next leader recovered the job; nobody lists it, so "
       "its metadata file outlives the job's cleanup; Flink 1.18-1.20, no fix",
       {"5.4", "5.7"}},
      {kFlink10333,
       "Kubernetes HA: fabric8's elector judges a lease by the holder's renewTime against the candidate's clock, so a "
       "candidate whose clock runs ahead takes a lease still being renewed; checkpoints are written "
       "withoutLeadershipValidation, so the deposed leader commits one after the new leader recovered; Flink "
       "1.15-1.20, no fix",
       {"5.4", "5.7"}},
      {kClientGo448,
       "Kubernetes HA: lease-based election has no fencing; a deposed holder acts until its next renewal (Flink's "
       "renew deadline equals the lease), and fabric8 judges expiry by the holder's renewTime against the "
       "candidate's clock, which client-go rejects for clock skew; TaskManagers accept the old leader until their "
       "watch delivers the new one; fabric8 6.x in Flink 1.18-1.20, no fix",
       {"5.4", "5.7"}},
  };
  return issues;
}

std::vector<std::string> known_issue_ids() {
  std::vector<std::string> ids;
  for (const auto& issue : known_issues()) ids.push_back(issue.id);
  return ids;
}

const KnownIssue* find_known_issue(const std::string& id) {
  for (const auto& issue : known_issues()) {
    if (issue.id == id) return &issue;
  }
  return nullptr;
}

void match_known_issues(const Events& events, const CheckContext& context, std::vector<Violation>& violations) {
  if (violations.empty()) return;
  const HasimG4 hasim_g4(events, context);
  const Curator696 curator_696(events, context);
  const ShutdownOnce shutdown_once(events);
  const UnreadHandle unread_handle(events);
  const LateDirtyResult late_dirty_result(events);
  const LateJobGraph late_job_graph(events);
  const LateCheckpoint late_checkpoint(events);
  const KubernetesDeposedTerms kubernetes_deposed(events);
  const bool g4_applies = affects(*find_known_issue(kHasimG4), context);
  const bool curator_696_applies = affects(*find_known_issue(kCurator696), context);
  for (auto& violation : violations) {
    if (g4_applies && hasim_g4.explains(violation)) {
      violation.known = kHasimG4;
    } else if (shutdown_once.explains(violation)) {
      violation.known = kShutdownOnce;
    } else if (unread_handle.explains(violation)) {
      violation.known = kUnreadHandle;
    } else if (curator_696_applies && curator_696.explains(violation)) {
      violation.known = kCurator696;
    } else if (late_dirty_result.explains(violation)) {
      violation.known = kLateDirtyResult;
    } else if (late_job_graph.explains(violation)) {
      violation.known = kLateJobGraph;
    } else if (late_checkpoint.explains(violation)) {
      violation.known = kLateCheckpoint;
    } else if (kubernetes_deposed.explains_unfenced_commit(violation)) {
      violation.known = kFlink10333;
    } else if (kubernetes_deposed.explains_deposed_effect(violation)) {
      violation.known = kClientGo448;
    }
  }
}

}  // namespace harness
