#pragma once
// Always-on assertions. A simulator that silently continues past a broken invariant produces
// traces that look plausible and mean nothing, so these stay enabled in Release builds.
//
// A failed assertion throws AssertionFailed rather than aborting: inside a simulated fiber the
// kernel catches it like any exception and run_until rethrows it, so the harness reports that
// seed as `run-error` and a sweep goes on with the next seed. The simulation that threw is shut
// down and discarded, never run further. (In a destructor or other noexcept code it still ends
// the process, through std::terminate.)
#include <stdexcept>
#include <string>

namespace sim {

struct AssertionFailed : std::logic_error {
  using std::logic_error::logic_error;
};

namespace detail {
[[noreturn]] inline void assert_failed(const char* expr, const char* file, int line, const char* msg) {
  std::string what = std::string("assertion failed: ") + expr;
  if (msg[0] != '\0') what += std::string(" (") + msg + ")";
  throw AssertionFailed(what + " at " + file + ":" + std::to_string(line));
}
}  // namespace detail

}  // namespace sim

#define SIM_ASSERT(expr) \
  ((expr) ? static_cast<void>(0) : ::sim::detail::assert_failed(#expr, __FILE__, __LINE__, ""))
#define SIM_ASSERT_MSG(expr, msg) \
  ((expr) ? static_cast<void>(0) : ::sim::detail::assert_failed(#expr, __FILE__, __LINE__, (msg)))
