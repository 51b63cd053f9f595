#pragma once
// What one assess run measured, from its trace alone (the definitions are the report's):
//  - failover: from the fault instant to the first `job-running` of the job that follows a
//    `confirm` of component `dispatcher` recorded at or after the fault instant, i.e. a leader
//    session confirmed after the fault and the job running again under a leader. None when no
//    dispatcher confirm followed the fault (the leader kept its session throughout).
//  - job downtime: the time within [fault instant, end of run] in which no JobManager that is
//    not paused had the job running (running as no-lost-job defines it: from job-running until
//    job-suspended, job-restarting, job-ended, job-terminal or the JobManager's crash). A paused
//    JobManager's tasks may run on, but nothing checkpoints or recovers them: that is downtime.
//    It is the JobMasters' view: a TaskManager lost but not yet noticed (heartbeat.timeout)
//    still counts as running, which is why the next figure exists.
//  - checkpoint gap: from the fault instant to the job's first `checkpoint-completed` at or
//    after it, i.e. how long the job made no durable progress. None when no checkpoint
//    completed before the end of the run.
#include <optional>
#include <vector>

#include "harness/checkers/check_context.hpp"
#include "sim/trace.hpp"

namespace harness::assess {

struct RunFigures {
  std::optional<sim::Duration> failover;
  sim::Duration job_downtime{};
  std::optional<sim::Duration> checkpoint_gap;
};

RunFigures measure_figures(const std::vector<sim::TraceEvent>& events, const CheckContext& context, const JobKey& job,
                           sim::Instant fault_at, sim::Instant end);

}  // namespace harness::assess
