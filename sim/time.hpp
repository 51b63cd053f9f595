#pragma once
// Virtual time: integer nanoseconds. Duration and Instant are distinct types so that adding two
// instants, or passing a duration where a deadline is expected, does not compile.
#include <compare>
#include <cstdint>
#include <limits>
#include <string>

namespace sim {

struct Duration {
  std::int64_t ns = 0;

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration other) const { return {ns + other.ns}; }
  constexpr Duration operator-(Duration other) const { return {ns - other.ns}; }
  constexpr Duration operator*(std::int64_t factor) const { return {ns * factor}; }
  constexpr Duration operator/(std::int64_t divisor) const { return {ns / divisor}; }
  constexpr Duration& operator+=(Duration other) { ns += other.ns; return *this; }
  constexpr std::int64_t to_ms() const { return ns / 1'000'000; }
  constexpr std::int64_t to_us() const { return ns / 1'000; }
  static constexpr Duration max() { return {std::numeric_limits<std::int64_t>::max() / 4}; }
};

constexpr Duration nanoseconds(std::int64_t n) { return {n}; }
constexpr Duration microseconds(std::int64_t n) { return {n * 1'000}; }
constexpr Duration milliseconds(std::int64_t n) { return {n * 1'000'000}; }
constexpr Duration seconds(std::int64_t n) { return {n * 1'000'000'000}; }
constexpr Duration minutes(std::int64_t n) { return seconds(n * 60); }

// A point on the simulated timeline, measured from the start of the run.
struct Instant {
  std::int64_t ns = 0;

  constexpr auto operator<=>(const Instant&) const = default;
  constexpr Instant operator+(Duration d) const { return {ns + d.ns}; }
  constexpr Instant operator-(Duration d) const { return {ns - d.ns}; }
  constexpr Duration operator-(Instant other) const { return {ns - other.ns}; }
  constexpr std::int64_t to_ms() const { return ns / 1'000'000; }
};

// "12.345s": the form used in traces and reports.
std::string format_instant(Instant at);
std::string format_duration(Duration d);

}  // namespace sim
