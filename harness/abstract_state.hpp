#pragma once
// The feedback of guided exploration: a small abstract state of each JobManager, read from a
// run's trace (model/flink/TRACE.md), and the set of its transitions the run went through. Each
// leadership transition (leader, process, session, cleaning) is keyed by the JobManager's state
// before and after, how many JobManagers of its
// cluster believed they led, and the class of the last fault event before it (jobmanager,
// taskmanager, zookeeper, network, storage, or healed); a run that adds
// a key no earlier run had reached something new. A change of its checkpoint-store outcome is
// keyed apart (before, after, leading or not). Probe hits (model/probes.hpp) add keys too, in
// powers of two of their counts up to 8, as AFL buckets branch hits.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/trace.hpp"

namespace harness {

// One JobManager as guidance sees it. Small on purpose: a larger state makes every run "new".
struct JobManagerAbstractState {
  enum class Process : std::uint8_t { kUp, kPaused, kDown };
  enum class Session : std::uint8_t { kNone, kConnected, kSuspended, kLost };
  // The last checkpoint-store outcome the JobManager traced.
  enum class Store : std::uint8_t { kIdle, kCompleted, kTriggerFailed, kAddFailed, kAborted, kRestored,
                                    kRestoreFailed, kCleanupFailed, kRemoved };
  bool leader = false;
  Process process = Process::kUp;
  Session session = Session::kNone;
  Store store = Store::kIdle;
  // Some job of this JobManager ended and its HA cleanup has not finished: a fault then hits the
  // job-lifecycle code (FLINK-19816, -21979 and kin live there), which other states do not tell.
  bool cleaning = false;

  std::uint32_t code() const;          // the whole state
  std::uint32_t control_code() const;  // all but `store`
};

// The feedback keys of one run: transitions and probe buckets, as 64-bit FNV-1a hashes.
struct RunFeedback {
  std::set<std::uint64_t> keys;
  std::size_t transitions = 0;  // how many state changes the trace showed (not distinct)
};

// Whether a process name is a JobManager's ("jm1", "c2/jm3").
bool is_jobmanager_name(const std::string& process);

RunFeedback run_feedback(const std::vector<sim::TraceEvent>& events,
                         const std::map<std::string, std::uint64_t, std::less<>>& probes);

}  // namespace harness
