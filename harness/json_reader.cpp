#include "harness/json_reader.hpp"

#include "model/flink/flink_duration.hpp"

namespace harness {

std::string printable_one_line(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      static const char* const kHex = "0123456789abcdef";
      out += std::string("\\x") + kHex[byte >> 4] + kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

std::string type_name(const nlohmann::json& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_number()) return "a number";
  return "null";
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : ", ") + word;
  return out;
}

}  // namespace

void JsonReader::expect_object() const {
  if (!value_.is_object()) fail("expected an object, got " + type_name(value_));
}

bool JsonReader::has(const std::string& key) const {
  expect_object();
  return value_.contains(key);
}

JsonReader JsonReader::object_field(const std::string& key) {
  expect_object();
  used_.insert(key);
  if (!value_.contains(key)) fail("missing required key \"" + key + "\"");
  return JsonReader(value_.at(key), path_ + "." + key);
}

std::optional<JsonReader> JsonReader::optional_field(const std::string& key) {
  expect_object();
  used_.insert(key);
  if (!value_.contains(key) || value_.at(key).is_null()) return std::nullopt;
  return JsonReader(value_.at(key), path_ + "." + key);
}

void JsonReader::finish() const {
  expect_object();
  for (const auto& [key, value] : value_.items()) {
    if (used_.count(key) == 0) {
      std::vector<std::string> known(used_.begin(), used_.end());
      throw InputError(path_ + "." + key, "unknown key (known here: " + join(known) + ")");
    }
  }
}

std::vector<JsonReader> JsonReader::array_items() const {
  if (!value_.is_array()) fail("expected an array, got " + type_name(value_));
  std::vector<JsonReader> items;
  for (std::size_t i = 0; i < value_.size(); i++) items.emplace_back(value_[i], path_ + "[" + std::to_string(i) + "]");
  return items;
}

std::string JsonReader::as_string() const {
  if (!value_.is_string()) fail("expected a string, got " + type_name(value_));
  return value_.get<std::string>();
}

std::int64_t JsonReader::as_int(std::int64_t low, std::int64_t high) const {
  if (!value_.is_number_integer()) fail("expected a whole number, got " + type_name(value_));
  const auto number = value_.get<std::int64_t>();
  if (number < low || number > high) {
    fail("expected a whole number from " + std::to_string(low) + " to " + std::to_string(high) + ", got " +
         std::to_string(number));
  }
  return number;
}

bool JsonReader::as_bool() const {
  if (!value_.is_boolean()) fail("expected true or false, got " + type_name(value_));
  return value_.get<bool>();
}

sim::Duration JsonReader::as_duration(bool allow_zero) const {
  if (!value_.is_string()) fail("expected a duration string such as \"60 s\", got " + type_name(value_));
  const auto parsed = model::flink::parse_flink_duration(value_.get<std::string>());
  if (!parsed.value) fail(parsed.error);
  if (!allow_zero && parsed.value->ns == 0) fail("must be longer than zero");
  return *parsed.value;
}

std::string JsonReader::as_enum(const std::vector<std::string>& allowed) const {
  const std::string text = as_string();
  for (const auto& option : allowed) {
    if (option == text) return text;
  }
  fail("unknown value \"" + text + "\" (expected one of: " + join(allowed) + ")");
}

namespace {

// A SAX pass that only tracks where it is, so a parse failure (a syntax error, or a number too
// large for a double) can name the JSON path it happened at.
class PathTracker final : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::string path() const {
    std::string out = "$";
    for (const Frame& frame : frames_) {
      if (out.size() > kMaxPathChars) return out + "... (" + std::to_string(frames_.size()) + " levels deep)";
      if (frame.array) {
        out += "[" + std::to_string(frame.index) + "]";
      } else if (!frame.key.empty()) {
        out += "." + frame.key;
      }
    }
    return out;
  }
  std::string error;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(false); }
  bool key(string_t& key) override {
    if (!frames_.empty()) frames_.back().key = key;
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    next_element();  // the element that failed to parse is the next one of its array
    error = e.what();
    return false;
  }

 private:
  struct Frame {
    bool array = false;
    std::size_t index = 0;
    std::string key;
    bool started = false;  // an array's first element has begun
  };
  // A new value in an array moves its index on (the first one is index 0).
  void next_element() {
    if (frames_.empty() || !frames_.back().array) return;
    Frame& frame = frames_.back();
    if (frame.started) frame.index++;
    frame.started = true;
  }
  bool value() {
    next_element();
    return true;
  }
  bool open(bool array) {
    next_element();
    if (frames_.size() >= kMaxDepth) return false;
    frames_.push_back(Frame{array, 0, "", false});
    return true;
  }
  bool close() {
    if (!frames_.empty()) frames_.pop_back();
    return true;
  }
  static constexpr std::size_t kMaxDepth = 10'000;
  static constexpr std::size_t kMaxPathChars = 160;  // the error stays one readable line
  std::vector<Frame> frames_;
};

}  // namespace

nlohmann::json parse_json_text(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // parse_error, or out_of_range for a number beyond a double: one line naming where.
    PathTracker tracker;
    try {
      nlohmann::json::sax_parse(text, &tracker);
    } catch (const nlohmann::json::exception&) {
      // the first pass's message stands
    }
    throw InputError(source + ": " + tracker.path(), std::string("invalid JSON: ") + e.what());
  }
}

}  // namespace harness
