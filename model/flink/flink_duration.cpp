#include "model/flink/flink_duration.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <limits>

namespace model::flink {
namespace {

struct UnitLabel {
  std::string_view label;
  std::int64_t ns;
};

// Flink's TimeUnit labels: each unit's singular forms, then its plural forms.
constexpr std::array<UnitLabel, 30> kUnits{{
    {"d", 86'400'000'000'000}, {"day", 86'400'000'000'000}, {"days", 86'400'000'000'000},
    {"h", 3'600'000'000'000}, {"hour", 3'600'000'000'000}, {"hours", 3'600'000'000'000},
    {"min", 60'000'000'000}, {"m", 60'000'000'000}, {"minute", 60'000'000'000}, {"minutes", 60'000'000'000},
    {"s", 1'000'000'000}, {"sec", 1'000'000'000}, {"secs", 1'000'000'000}, {"second", 1'000'000'000},
    {"seconds", 1'000'000'000},
    {"ms", 1'000'000}, {"milli", 1'000'000}, {"millis", 1'000'000}, {"millisecond", 1'000'000},
    {"milliseconds", 1'000'000},
    {"\xc2\xb5s", 1'000}, {"micro", 1'000}, {"micros", 1'000}, {"microsecond", 1'000}, {"microseconds", 1'000},
    {"ns", 1}, {"nano", 1}, {"nanos", 1}, {"nanosecond", 1}, {"nanoseconds", 1},
}};

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

DurationParse parse_flink_duration(std::string_view raw) {
  const std::string_view text = trim(raw);
  if (text.empty()) return {std::nullopt, "empty duration"};
  if (text.front() == '-') return {std::nullopt, "negative duration '" + std::string(raw) + "'"};
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) digits++;
  if (digits == 0) return {std::nullopt, "'" + std::string(raw) + "' does not start with a number (e.g. \"60 s\")"};
  std::int64_t number = 0;
  for (std::size_t i = 0; i < digits; i++) {
    const int digit = text[i] - '0';
    if (number > (std::numeric_limits<std::int64_t>::max() - digit) / 10) {
      return {std::nullopt, "'" + std::string(raw) + "' is too large"};
    }
    number = number * 10 + digit;
  }
  const std::string unit = lower(trim(text.substr(digits)));
  std::int64_t unit_ns = 1'000'000;  // no unit: milliseconds
  if (!unit.empty()) {
    unit_ns = 0;
    for (const auto& candidate : kUnits) {
      if (candidate.label == unit) unit_ns = candidate.ns;
    }
    if (unit_ns == 0) return {std::nullopt, "unknown time unit '" + unit + "' in '" + std::string(raw) + "'"};
  }
  if (number > sim::Duration::max().ns / unit_ns) return {std::nullopt, "'" + std::string(raw) + "' is too large"};
  return {sim::Duration{number * unit_ns}, ""};
}

}  // namespace model::flink
