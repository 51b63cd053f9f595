#pragma once
// The ResourceManager's count of an application's failed attempts (RMAppImpl.getNumFailedAppAttempts
// and RMAppAttemptImpl.shouldCountTowardsMaxAttemptRetry): an attempt counts unless its AM container
// ended ABORTED (node lost, NodeManager resync), PREEMPTED, DISKS_FAILED or KILLED_BY_RESOURCEMANAGER,
// and, with a validity interval, unless it ended longer ago than that. After a failure the RM starts
// another attempt while the count (the new failure included) is below the maximum; otherwise the
// application FAILS. Pure bookkeeping, no simulation: the tests pin attempt counts on it directly.
#include <cstdint>
#include <vector>

#include "model/flink/yarn/yarn_site.hpp"
#include "sim/time.hpp"

namespace model::flink::yarn {

// Hadoop's ContainerExitStatus for the cases the model produces.
enum class AmExit : std::int32_t {
  kKilled = 137,     // the AM process was killed (SIGKILL): a non-zero exit, an ordinary failure
  kAborted = -100,   // ABORTED: the container's node was lost or its NodeManager resynced
  kPreempted = -102, // PREEMPTED
};

bool counts_toward_max_attempts(AmExit exit);

struct AttemptVerdict {
  int attempt = 0;           // the attempt that failed, 1-based
  bool counted = false;      // this failure counts toward the maximum
  int failures_counted = 0;  // failures that count at this instant, this one included
  bool restart = false;      // a new attempt follows; false: the application FAILED
};

class AttemptLedger {
 public:
  explicit AttemptLedger(AttemptRules rules);

  // The current attempt's AM container ended with `exit`, as the RM learned at `now`.
  AttemptVerdict attempt_failed(sim::Instant now, AmExit exit);
  // The RM launched the next attempt (only after a verdict with restart).
  void next_attempt();

  int attempt() const { return attempt_; }
  bool failed() const { return failed_; }
  const AttemptRules& rules() const { return rules_; }
  int failures_counted(sim::Instant now) const;

 private:
  struct Ended {
    sim::Instant at;
    bool counted = false;
  };
  AttemptRules rules_;
  int attempt_ = 1;
  bool awaiting_next_ = false;
  bool failed_ = false;
  std::vector<Ended> ended_;
};

}  // namespace model::flink::yarn
