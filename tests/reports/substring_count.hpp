#pragma once
// How often a needle occurs in a report's text, without overlaps: the report writer tests count
// tags and rows this way.
#include <cstddef>
#include <string>

namespace reports::testing {

inline std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) n++;
  return n;
}

}  // namespace reports::testing
