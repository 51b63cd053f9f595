#include "model/flink/yarn/attempt_ledger.hpp"

#include "sim/assert.hpp"

namespace model::flink::yarn {

bool counts_toward_max_attempts(AmExit exit) { return exit != AmExit::kAborted && exit != AmExit::kPreempted; }

AttemptLedger::AttemptLedger(AttemptRules rules) : rules_(rules) { SIM_ASSERT(rules_.max_attempts >= 1); }

int AttemptLedger::failures_counted(sim::Instant now) const {
  int count = 0;
  for (const Ended& ended : ended_) {
    if (!ended.counted) continue;
    // RMAppAttemptImpl: outside the window when finishTime < now - interval.
    if (rules_.validity_interval && ended.at < now - *rules_.validity_interval) continue;
    count++;
  }
  return count;
}

AttemptVerdict AttemptLedger::attempt_failed(sim::Instant now, AmExit exit) {
  SIM_ASSERT(!failed_ && !awaiting_next_);
  SIM_ASSERT(ended_.empty() || ended_.back().at <= now);
  ended_.push_back({now, counts_toward_max_attempts(exit)});
  AttemptVerdict verdict;
  verdict.attempt = attempt_;
  verdict.counted = ended_.back().counted;
  verdict.failures_counted = failures_counted(now);
  verdict.restart = verdict.failures_counted < rules_.max_attempts;
  if (verdict.restart) {
    awaiting_next_ = true;
  } else {
    failed_ = true;
  }
  return verdict;
}

void AttemptLedger::next_attempt() {
  SIM_ASSERT(awaiting_next_ && !failed_);
  awaiting_next_ = false;
  attempt_++;
}

}  // namespace model::flink::yarn
