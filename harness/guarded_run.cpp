#include "harness/guarded_run.hpp"

#include <exception>

namespace harness {

void run_guarded(sim::Simulation& sim, sim::Instant end, RunResult& result) {
  try {
    result.outcome = sim.run_until(end);
  } catch (const std::exception& error) {
    result.error = error.what();
  } catch (...) {
    result.error = "an exception that is not a std::exception";
  }
  result.ended_at = sim.now();
  result.trace_hash = sim.trace().hash();
  result.kernel_events = sim.stats().events_processed;
  sim.shutdown();
}

}  // namespace harness
