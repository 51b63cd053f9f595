#pragma once
// Reading user-written JSON with errors that name the JSON path ("$.faults.schedule[2].at") and
// reject unknown keys: a scenario that silently ignored a misspelt key would test something
// other than what it says. Every accessor throws InputError; the CLI turns it into one line and
// exit code 2.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace harness {

// Control characters (a newline in a JSON key, say) shown as \n, \t or \xNN, so that an error
// about hostile input still prints as one line.
std::string printable_one_line(const std::string& text);

struct InputError : std::runtime_error {
  InputError(std::string path_, const std::string& message)
      : std::runtime_error(printable_one_line(path_ + ": " + message)), path(std::move(path_)) {}
  std::string path;
};

class JsonReader {
 public:
  JsonReader(const nlohmann::json& value, std::string path) : value_(value), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  const nlohmann::json& raw() const { return value_; }

  // Object access. `finish()` rejects every key that was never asked for.
  JsonReader object_field(const std::string& key);
  std::optional<JsonReader> optional_field(const std::string& key);
  bool has(const std::string& key) const;
  void finish() const;

  std::vector<JsonReader> array_items() const;
  std::string as_string() const;
  std::int64_t as_int(std::int64_t low, std::int64_t high) const;
  bool as_bool() const;
  // A Flink duration string ("60 s", "500 ms"); zero allowed only when `allow_zero`.
  sim::Duration as_duration(bool allow_zero = false) const;
  std::string as_enum(const std::vector<std::string>& allowed) const;

  [[noreturn]] void fail(const std::string& message) const { throw InputError(path_, message); }

 private:
  void expect_object() const;
  const nlohmann::json& value_;
  std::string path_;
  mutable std::set<std::string> used_;
};

// Parses `text` as JSON, naming the line and column of a syntax error.
nlohmann::json parse_json_text(const std::string& text, const std::string& source);

}  // namespace harness
