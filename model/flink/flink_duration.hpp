#pragma once
// Flink's duration syntax (TimeUtils.parseDuration): leading digits, optional whitespace, an
// optional unit label; no unit means milliseconds. "60 s", "500 ms", "1 min", "2h", "100".
// No sign is accepted, so a negative duration is a syntax error, as in Flink.
#include <optional>
#include <string>
#include <string_view>

#include "sim/time.hpp"

namespace model::flink {

struct DurationParse {
  std::optional<sim::Duration> value;
  std::string error;  // set when value is empty
};

DurationParse parse_flink_duration(std::string_view text);

}  // namespace model::flink
