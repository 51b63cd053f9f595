#pragma once
// Every run is bounded. Reaching a bound ends the run with an outcome that says which, never a
// hang and never a silent truncation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sim/time.hpp"

namespace sim {

struct Limits {
  std::uint64_t events_max = 200'000'000;
  Duration time_max = minutes(24 * 60);
  std::size_t events_pending_max = 1'000'000;
  // Events in a row at one simulated instant. A model that keeps scheduling work for "now" never
  // lets time advance: a livelock that would otherwise spin until events_max (about a minute).
  // A whole 10-minute standard run holds about 114,000 events, so no real instant comes near it.
  std::uint64_t events_per_instant_max = 1'000'000;
  std::size_t fibers_max = 100'000;
  std::size_t mailbox_capacity_default = 65'536;
  std::size_t fiber_stack_bytes = 256 * 1024;
};

enum class RunOutcome {
  kDeadline,       // reached the requested instant: the normal end
  kDrained,        // nothing left to do before the requested instant
  kStopped,        // a component asked the run to stop
  kEventLimit,     // Limits::events_max
  kTimeLimit,      // Limits::time_max
  kPendingLimit,   // Limits::events_pending_max: a runaway producer of events
  kTraceLimit,     // the trace's retained-event bound
  kStalled,        // Limits::events_per_instant_max: no progress in simulated time (a livelock)
};

constexpr bool is_limit(RunOutcome outcome) {
  return outcome == RunOutcome::kEventLimit || outcome == RunOutcome::kTimeLimit ||
         outcome == RunOutcome::kPendingLimit || outcome == RunOutcome::kTraceLimit;
}

// The run did not reach its end: a limit, or a stall. Its trace proves nothing.
constexpr bool is_incomplete(RunOutcome outcome) { return is_limit(outcome) || outcome == RunOutcome::kStalled; }

constexpr std::string_view to_string(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::kDeadline: return "deadline";
    case RunOutcome::kDrained: return "drained";
    case RunOutcome::kStopped: return "stopped";
    case RunOutcome::kEventLimit: return "limit reached: events_max";
    case RunOutcome::kTimeLimit: return "limit reached: time_max";
    case RunOutcome::kPendingLimit: return "limit reached: events_pending_max";
    case RunOutcome::kTraceLimit: return "limit reached: trace events_max";
    case RunOutcome::kStalled: return "stalled: events_per_instant_max events without simulated time advancing";
  }
  return "?";
}

}  // namespace sim
