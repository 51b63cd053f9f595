#pragma once
// The run's trace: every kernel event and every model event reported to it, folded into one
// running 64-bit hash. Same scenario + seed + binary must give the same hash; the hash is what
// replay and the determinism audit compare.
//
// Model events are also kept in memory (checkers read them after the run). Kernel events (fiber
// resumes, deliveries) are only hashed, and written to the optional JSON-lines file when the
// trace level asks for them: keeping millions of them would cost more than the simulation.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/time.hpp"

namespace sim {

using TraceValue = std::variant<std::int64_t, std::string>;

struct TraceField {
  std::string key;
  TraceValue value;
};

struct TraceEvent {
  Instant at;
  std::uint64_t seq = 0;        // position in the trace, 0-based
  std::string category;         // "net", "fs", "proc", "fault", "zk", "flink", ...
  std::string name;             // what happened: "crash", "deliver", "grant", ...
  std::string process;          // the process it concerns, or "" for none
  std::vector<TraceField> fields;

  // Field lookup for checkers. Returns nullptr when absent or of the other type.
  const std::int64_t* int_field(std::string_view key) const;
  const std::string* string_field(std::string_view key) const;
};

enum class TraceFileLevel { kModel, kAll };

class Trace {
 public:
  Trace() = default;
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;
  ~Trace();

  // Hot path: a kernel event reduced to integers. Hashed; written only at TraceFileLevel::kAll.
  void kernel(Instant at, std::uint32_t kind, std::uint64_t a, std::uint64_t b);
  void record(TraceEvent event);

  // Writes JSON lines to `path` from now on. Returns false when the file cannot be opened.
  bool open_file(const std::string& path, TraceFileLevel level);
  void close_file();

  std::uint64_t hash() const { return hash_; }
  std::uint64_t kernel_events() const { return kernel_events_; }
  const std::vector<TraceEvent>& events() const { return events_; }
  // A bound on retained model events; past it the run is stopped by the kernel as a limit.
  bool full() const { return events_.size() >= events_max_; }
  void set_events_max(std::size_t events_max) { events_max_ = events_max; }

  static std::string to_json_line(const TraceEvent& event);

 private:
  void mix(std::uint64_t word);

  std::uint64_t hash_ = 0x6a09e667f3bcc908ULL;
  std::uint64_t kernel_events_ = 0;
  std::vector<TraceEvent> events_;
  std::size_t events_max_ = 2'000'000;
  std::FILE* file_ = nullptr;
  TraceFileLevel file_level_ = TraceFileLevel::kModel;
};

}  // namespace sim
