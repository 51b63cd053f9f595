#include "sim/trace.hpp"

#include <algorithm>
#include <cinttypes>

#include "sim/assert.hpp"
#include "sim/prng.hpp"

namespace sim {
namespace {

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
          out += buffer;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

const std::int64_t* TraceEvent::int_field(std::string_view key) const {
  for (const auto& field : fields) {
    if (field.key == key) return std::get_if<std::int64_t>(&field.value);
  }
  return nullptr;
}

const std::string* TraceEvent::string_field(std::string_view key) const {
  for (const auto& field : fields) {
    if (field.key == key) return std::get_if<std::string>(&field.value);
  }
  return nullptr;
}

Trace::~Trace() { close_file(); }

void Trace::mix(std::uint64_t word) {
  // A multiply-xorshift round per word: cheap enough for the per-event hot path, and any change
  // in any word changes the final value with overwhelming probability.
  hash_ ^= word + 0x9e3779b97f4a7c15ULL + (hash_ << 6) + (hash_ >> 2);
  hash_ *= 0xff51afd7ed558ccdULL;
  hash_ ^= hash_ >> 32;
}

void Trace::kernel(Instant at, std::uint32_t kind, std::uint64_t a, std::uint64_t b) {
  kernel_events_++;
  mix(static_cast<std::uint64_t>(at.ns));
  mix((static_cast<std::uint64_t>(kind) << 56) ^ a);
  mix(b);
  if (file_ != nullptr && file_level_ == TraceFileLevel::kAll) {
    std::fprintf(file_, "{\"at_ns\":%" PRId64 ",\"kernel\":%u,\"a\":%" PRIu64 ",\"b\":%" PRIu64 "}\n", at.ns, kind, a,
                 b);
  }
}

void Trace::record(TraceEvent event) {
  // A standard seed records about 8,500 events; growing from empty moved each one about twice.
  if (events_.capacity() == 0) events_.reserve(std::min<std::size_t>(events_max_, 16'384));
  event.seq = events_.size();
  mix(static_cast<std::uint64_t>(event.at.ns));
  mix(stable_hash(event.category));
  mix(stable_hash(event.name));
  mix(stable_hash(event.process));
  for (const auto& field : event.fields) {
    mix(stable_hash(field.key));
    if (const auto* number = std::get_if<std::int64_t>(&field.value)) {
      mix(static_cast<std::uint64_t>(*number));
    } else {
      mix(stable_hash(std::get<std::string>(field.value)));
    }
  }
  if (file_ != nullptr) {
    const std::string line = to_json_line(event);
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fputc('\n', file_);
  }
  events_.push_back(std::move(event));
}

std::string Trace::to_json_line(const TraceEvent& event) {
  std::string out;
  out.reserve(128);
  out += "{\"at_ns\":" + std::to_string(event.at.ns) + ",\"seq\":" + std::to_string(event.seq) + ",\"cat\":";
  append_json_string(out, event.category);
  out += ",\"name\":";
  append_json_string(out, event.name);
  if (!event.process.empty()) {
    out += ",\"process\":";
    append_json_string(out, event.process);
  }
  for (const auto& field : event.fields) {
    out.push_back(',');
    append_json_string(out, field.key);
    out.push_back(':');
    if (const auto* number = std::get_if<std::int64_t>(&field.value)) {
      out += std::to_string(*number);
    } else {
      append_json_string(out, std::get<std::string>(field.value));
    }
  }
  out.push_back('}');
  return out;
}

bool Trace::open_file(const std::string& path, TraceFileLevel level) {
  close_file();
  file_ = std::fopen(path.c_str(), "w");
  file_level_ = level;
  return file_ != nullptr;
}

void Trace::close_file() {
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
}

}  // namespace sim
