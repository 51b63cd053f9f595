#include "sim/time.hpp"

#include <cinttypes>
#include <cstdio>

namespace sim {

std::string format_duration(Duration d) {
  char buffer[48];
  const char* sign = d.ns < 0 ? "-" : "";
  const std::int64_t abs_ns = d.ns < 0 ? -d.ns : d.ns;
  std::snprintf(buffer, sizeof buffer, "%s%" PRId64 ".%06" PRId64 "s", sign, abs_ns / 1'000'000'000,
                (abs_ns % 1'000'000'000) / 1'000);
  return buffer;
}

std::string format_instant(Instant at) { return format_duration(Duration{at.ns}); }

}  // namespace sim
