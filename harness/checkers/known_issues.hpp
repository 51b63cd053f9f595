#pragma once
// Known upstream issues (harness/KNOWN_ISSUES.md) and the matcher that recognises them in a run.
// A violation is matched by the mechanism its trace shows, never by its property alone:
//  - CURATOR-696 (only when the scenario runs Curator 5.4): a leader session issued on a zombie
//    grant (zombie_leadership.hpp) is the offending session of the violation, or one of the
//    sessions it rests on (Violation::related_sessions: the newer confirmed session of
//    single-leader B, the sessions believed when the overlap bound of single-leader C was passed,
//    the committer of the checkpoint a restore fell behind in no-lost-checkpoint A, the committer
//    of the deleted checkpoint in no-lost-checkpoint B, the other running term of no-lost-job B).
//  - HASIM-G4: no-lost-checkpoint D on a pointer that a Curator-retried addAndLock re-created
//    across a ZooKeeper session change (resurrected_pointer.hpp); and no-lost-job A or liveness B
//    of a job whose latest store recovery before the deadline failed on such a pointer
//    (`checkpoint-read-missing-file` naming it, no successful `job-restored` since).
//  - HASIM-LATE-DIRTY-RESULT: no-lost-job C whose re-running term recovered the job (`job-recovered`)
//    before another term's `job-terminal` (its JobResultStore entry landing).
//  - HASIM-LATE-JOB-GRAPH: no-lost-job C of a job whose graph a process that no longer led added
//    (`job-graph-added`) after the job's `job-terminal`.
//  - HASIM-LATE-CHECKPOINT: ha-lifecycle A on a pointer a revoked term added (`checkpoint-added`
//    with a leader session that has a `revoke`) after another term's `job-recovered` of the job.
//  - HASIM-K8S-UNFENCED-CHECKPOINT (Kubernetes mode; related FLINK-10333): no-lost-checkpoint A or B whose committer session committed a
//    checkpoint while deposed unaware: after another JobManager's `grant`, before its own `revoke`
//    (checkpoint writes are not validated against the lock).
//  - HASIM-K8S-SKEWED-LEASE (Kubernetes mode; related kubernetes/client-go#448): single-leader B on an effect of a session deposed
//    unaware (lease-based election has no fencing; fabric8 compares the holder's renewTime with
//    the candidate's clock).
#include <string>
#include <vector>

#include "harness/checkers/check_context.hpp"

namespace harness {

struct KnownIssue {
  std::string id;
  std::string summary;                        // one line, for reports
  std::vector<std::string> curator_versions;  // the scenario "curator" values it affects
};

const std::vector<KnownIssue>& known_issues();
std::vector<std::string> known_issue_ids();
const KnownIssue* find_known_issue(const std::string& id);

// Sets `known` on every violation the trace explains by a known issue.
void match_known_issues(const Events& events, const CheckContext& context, std::vector<Violation>& violations);

}  // namespace harness
