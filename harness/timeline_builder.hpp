#pragma once
// The per-seed timeline (reports/timeline.hpp) from a run's trace: one lane per JobManager (believed
// and confirmed leadership, paused, down), per ZooKeeper server (leading, following, looking, down),
// per JobManager's ZooKeeper session (connected, suspended, lost), the faults, storage faults, and
// each job's checkpoints, restores and lifecycle; the run's violations with the events near them.
#include <string>

#include "harness/run_result.hpp"
#include "reports/timeline.hpp"

namespace harness {

// `run` must have kept its events (RunOptions::keep_events).
reports::Timeline build_timeline(const std::string& scenario, const RunResult& run, const std::string& replay);

}  // namespace harness
