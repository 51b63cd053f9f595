#pragma once
// no-lost-job (harness/README.md), per job (cluster + job id), with the states of job_activity.hpp:
//  A. an acknowledged job that is not terminal runs again: it is running on some JobManager at
//     some instant of [max(faults end, acknowledged), that + job_running_within] (checked when
//     that window ends inside the run);
//  B. it never runs twice at once: at a `job-running` on one JobManager, no other term still runs
//     it, except a term whose JobManager is paused or crashed, or resumed from a pause no longer
//     ago than the ZooKeeper client's detection window (2/3 of the negotiated session timeout,
//     the read timeout, plus the 100 ms ClientCnxnSocketNIO.cleanup sleep): such a term has not
//     yet learned it lost leadership, and the TaskManagers already follow the new leader;
//  C. once terminal it never runs again: no job-recovered or job-running after its job-terminal;
//  D. a suspension is not an end: no `job-terminal` of a job by a term (JobManager and session)
//     that had suspended it (`job-suspended`). A suspended job belongs to the next leader; the
//     term that let go of it cannot declare it FINISHED, CANCELED or FAILED (FLINK-19154).
#include "harness/checkers/check_context.hpp"

namespace harness {

std::vector<Violation> check_no_lost_job(const Events& events, const CheckContext& context);

}  // namespace harness
