#pragma once
// Always-on assertions. A simulator that silently continues past a broken invariant produces
// traces that look plausible and mean nothing, so these stay enabled in Release builds.
#include <cstdio>
#include <cstdlib>

namespace sim::detail {
[[noreturn]] inline void assert_failed(const char* expr, const char* file, int line, const char* msg) {
  std::fprintf(stderr, "hasim: assertion failed: %s (%s) at %s:%d\n", expr, msg, file, line);
  std::abort();
}
}  // namespace sim::detail

#define SIM_ASSERT(expr) \
  ((expr) ? static_cast<void>(0) : ::sim::detail::assert_failed(#expr, __FILE__, __LINE__, ""))
#define SIM_ASSERT_MSG(expr, msg) \
  ((expr) ? static_cast<void>(0) : ::sim::detail::assert_failed(#expr, __FILE__, __LINE__, (msg)))
