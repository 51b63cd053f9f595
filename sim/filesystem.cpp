#include "sim/filesystem.hpp"

#include <set>
#include <utility>

#include "sim/assert.hpp"
#include "sim/simulation.hpp"

namespace sim {
namespace {

std::int64_t as_int(std::uint64_t value) { return static_cast<std::int64_t>(value); }

}  // namespace

std::string_view to_string(FsStatus status) {
  switch (status) {
    case FsStatus::kOk: return "ok";
    case FsStatus::kNotFound: return "not_found";
    case FsStatus::kAlreadyExists: return "already_exists";
    case FsStatus::kUnavailable: return "unavailable";
    case FsStatus::kIoError: return "io_error";
  }
  return "?";
}

bool fs_path_valid(std::string_view path) {
  if (path.size() < 2 || path.front() != '/' || path.back() == '/') return false;
  return path.find("//") == std::string_view::npos;
}

Filesystem::Filesystem(Simulation& sim, FilesystemConfig config)
    : sim_(sim), config_(config), rng_(sim.rng_stream("filesystem")), self_(std::make_shared<Filesystem*>(this)) {
  SIM_ASSERT(config_.unavailable_timeout.ns >= 0);
  SIM_ASSERT(config_.open_handles_max > 0);
  sim_.on_crash([weak = std::weak_ptr<Filesystem*>(self_)](ProcessId process) {
    if (const auto self = weak.lock()) (*self)->discard_handles_of(process);
  });
}

Filesystem::~Filesystem() = default;

// --- internals ---

Duration Filesystem::sample_latency() { return config_.latency.sample(rng_) * slow_multiplier_ + slow_extra_; }

bool Filesystem::reach_commit_point() {
  SIM_ASSERT_MSG(sim_.in_fiber(), "filesystem operations block: call them from a simulated fiber");
  const Instant start = sim_.now();
  // Drawn even for a doomed operation, so that a fault never shifts the latencies of the
  // operations after it: runs with and without a fault stay comparable draw for draw.
  const Duration latency = sample_latency();
  if (!unavailable_) {
    sim_.sleep(latency);
    if (!unavailable_) return true;
  }
  // The request went into the void; the caller learns it only from its own timeout.
  const Instant give_up = start + config_.unavailable_timeout;
  if (sim_.now() < give_up) sim_.sleep(give_up - sim_.now());
  return false;
}

bool Filesystem::take_write_error() {
  if (write_errors_until_cleared_) return true;
  if (write_errors_left_ == 0) return false;
  write_errors_left_--;
  return true;
}

void Filesystem::discard_handles_of(ProcessId process) {
  for (auto it = handles_.begin(); it != handles_.end();) {
    if (it->second.owner != process) {
      ++it;
      continue;
    }
    buffered_bytes_ -= it->second.buffer.size();
    sim_.record("fs", "discard", process,
                {{"path", it->second.path},
                 {"bytes", as_int(it->second.buffer.size())},
                 {"handle", as_int(it->first)}});
    it = handles_.erase(it);
  }
}

void Filesystem::trace_op(std::string_view op, Instant start, const std::string& path, FsStatus status,
                          std::uint64_t bytes, std::vector<TraceField> extra) {
  std::vector<TraceField> fields{{"path", path},
                                 {"status", std::string(to_string(status))},
                                 {"bytes", as_int(bytes)},
                                 {"start_ns", start.ns}};
  for (auto& field : extra) fields.push_back(std::move(field));
  sim_.record("fs", std::string(op), sim_.current_process(), std::move(fields));
}

void Filesystem::trace_fault(std::string_view name, std::vector<TraceField> fields) {
  sim_.record("fs", std::string(name), kNoProcess, std::move(fields));
}

// --- operations ---

FsCreate Filesystem::create(const std::string& path, FsWriteMode mode) {
  SIM_ASSERT_MSG(fs_path_valid(path), "malformed filesystem path");
  const Instant start = sim_.now();
  FsCreate result;
  std::vector<TraceField> extra{{"overwrite", std::int64_t{mode == FsWriteMode::kOverwrite}}};
  if (!reach_commit_point()) {
    result.status = FsStatus::kUnavailable;
  } else if (mode == FsWriteMode::kNoOverwrite && files_.contains(path)) {
    result.status = FsStatus::kAlreadyExists;
  } else if (handles_.size() >= config_.open_handles_max) {
    result.status = FsStatus::kIoError;
    extra.push_back({"reason", std::string("open_handles_max")});
  } else {
    result.handle = FsHandle{++handle_id_last_};
    handles_.emplace(result.handle.id, OpenFile{path, mode, sim_.current_process(), {}, false});
    extra.push_back({"handle", as_int(result.handle.id)});
  }
  trace_op("create", start, path, result.status, 0, std::move(extra));
  return result;
}

FsStatus Filesystem::write(FsHandle handle, std::string_view bytes) {
  const Instant start = sim_.now();
  const bool committed = reach_commit_point();
  const auto it = handles_.find(handle.id);
  const std::string path = it == handles_.end() ? std::string() : it->second.path;
  std::vector<TraceField> extra{{"handle", as_int(handle.id)}};
  FsStatus status = FsStatus::kOk;
  if (it == handles_.end()) {
    status = committed ? FsStatus::kNotFound : FsStatus::kUnavailable;
  } else if (!committed) {
    status = FsStatus::kUnavailable;
  } else if (it->second.poisoned) {
    status = FsStatus::kIoError;
    extra.push_back({"reason", std::string("poisoned")});
  } else if (take_write_error()) {
    status = FsStatus::kIoError;
    extra.push_back({"reason", std::string("injected")});
  } else if (file_bytes_ + buffered_bytes_ + bytes.size() > config_.bytes_max) {
    status = FsStatus::kIoError;
    extra.push_back({"reason", std::string("bytes_max")});
  } else {
    it->second.buffer.append(bytes);
    buffered_bytes_ += bytes.size();
  }
  if (status != FsStatus::kOk && it != handles_.end()) it->second.poisoned = true;
  trace_op("write", start, path, status, bytes.size(), std::move(extra));
  return status;
}

FsStatus Filesystem::close(FsHandle handle) {
  const Instant start = sim_.now();
  const bool committed = reach_commit_point();
  const auto it = handles_.find(handle.id);
  std::vector<TraceField> extra{{"handle", as_int(handle.id)}};
  if (it == handles_.end()) {
    const FsStatus status = committed ? FsStatus::kNotFound : FsStatus::kUnavailable;
    trace_op("close", start, std::string(), status, 0, std::move(extra));
    return status;
  }
  OpenFile file = std::move(it->second);
  handles_.erase(it);
  buffered_bytes_ -= file.buffer.size();
  const auto existing = files_.find(file.path);
  FsStatus status = FsStatus::kOk;
  if (!committed) {
    status = FsStatus::kUnavailable;
  } else if (file.poisoned) {
    status = FsStatus::kIoError;
    extra.push_back({"reason", std::string("poisoned")});
  } else if (take_write_error()) {
    status = FsStatus::kIoError;
    extra.push_back({"reason", std::string("injected")});
  } else if (existing != files_.end() && file.mode == FsWriteMode::kNoOverwrite) {
    status = FsStatus::kAlreadyExists;
  } else if (existing == files_.end() && files_.size() >= config_.files_max) {
    status = FsStatus::kIoError;
    extra.push_back({"reason", std::string("files_max")});
  } else if (existing != files_.end()) {
    file_bytes_ -= existing->second.size();
    file_bytes_ += file.buffer.size();
    existing->second = file.buffer;
  } else {
    file_bytes_ += file.buffer.size();
    files_.emplace(file.path, file.buffer);
  }
  trace_op("close", start, file.path, status, file.buffer.size(), std::move(extra));
  return status;
}

FsRead Filesystem::read(const std::string& path) {
  SIM_ASSERT_MSG(fs_path_valid(path), "malformed filesystem path");
  const Instant start = sim_.now();
  FsRead result;
  if (!reach_commit_point()) {
    result.status = FsStatus::kUnavailable;
  } else if (const auto it = files_.find(path); it == files_.end()) {
    result.status = FsStatus::kNotFound;
  } else {
    result.bytes = it->second;
  }
  trace_op("read", start, path, result.status, result.bytes.size());
  return result;
}

FsList Filesystem::list(const std::string& dir) {
  SIM_ASSERT_MSG(dir == "/" || fs_path_valid(dir), "malformed filesystem path");
  const Instant start = sim_.now();
  FsList result;
  if (!reach_commit_point()) {
    result.status = FsStatus::kUnavailable;
  } else {
    const std::string prefix = dir == "/" ? dir : dir + "/";
    // A set, not adjacent-dedup over the map: "/d/a-b/x" sorts before "/d/a/y" ('-' < '/'), so
    // the same child name can recur after another one.
    std::set<std::string> names;
    for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.starts_with(prefix); ++it) {
      const std::string_view rest = std::string_view(it->first).substr(prefix.size());
      names.emplace(rest.substr(0, rest.find('/')));
    }
    result.names.assign(names.begin(), names.end());
  }
  trace_op("list", start, dir, result.status, 0, {{"entries", as_int(result.names.size())}});
  return result;
}

FsStatus Filesystem::rename(const std::string& from, const std::string& to) {
  SIM_ASSERT_MSG(fs_path_valid(from) && fs_path_valid(to), "malformed filesystem path");
  const Instant start = sim_.now();
  FsStatus status = FsStatus::kOk;
  std::uint64_t bytes = 0;
  if (!reach_commit_point()) {
    status = FsStatus::kUnavailable;
  } else if (const auto source = files_.find(from); source == files_.end()) {
    status = FsStatus::kNotFound;
  } else if (files_.contains(to)) {
    status = FsStatus::kAlreadyExists;
  } else {
    bytes = source->second.size();
    auto node = files_.extract(source);
    node.key() = to;
    files_.insert(std::move(node));
  }
  trace_op("rename", start, from, status, bytes, {{"to", to}});
  return status;
}

FsStatus Filesystem::remove(const std::string& path) {
  SIM_ASSERT_MSG(fs_path_valid(path), "malformed filesystem path");
  const Instant start = sim_.now();
  FsStatus status = FsStatus::kOk;
  std::uint64_t bytes = 0;
  if (!reach_commit_point()) {
    status = FsStatus::kUnavailable;
  } else if (const auto it = files_.find(path); it == files_.end()) {
    status = FsStatus::kNotFound;
  } else {
    bytes = it->second.size();
    file_bytes_ -= bytes;
    files_.erase(it);
  }
  trace_op("delete", start, path, status, bytes);
  return status;
}

FsStatus Filesystem::exists(const std::string& path) {
  SIM_ASSERT_MSG(fs_path_valid(path), "malformed filesystem path");
  const Instant start = sim_.now();
  FsStatus status = FsStatus::kOk;
  if (!reach_commit_point()) {
    status = FsStatus::kUnavailable;
  } else if (!files_.contains(path)) {
    status = FsStatus::kNotFound;
  }
  trace_op("exists", start, path, status, 0);
  return status;
}

FsStatus Filesystem::put(const std::string& path, std::string_view bytes, FsWriteMode mode) {
  const FsCreate created = create(path, mode);
  if (created.status != FsStatus::kOk) return created.status;
  const FsStatus written = write(created.handle, bytes);
  // Closed even after a failed write: the close releases the handle, and the poisoned handle
  // guarantees nothing becomes visible.
  const FsStatus closed = close(created.handle);
  return written != FsStatus::kOk ? written : closed;
}

// --- faults ---

void Filesystem::set_unavailable() {
  unavailable_ = true;
  trace_fault("unavailable_set");
}

void Filesystem::clear_unavailable() {
  unavailable_ = false;
  trace_fault("unavailable_cleared");
}

void Filesystem::set_slow(Duration extra, std::int64_t multiplier) {
  SIM_ASSERT(extra.ns >= 0);
  SIM_ASSERT(multiplier >= 1);
  slow_extra_ = extra;
  slow_multiplier_ = multiplier;
  trace_fault("slow_set", {{"extra_ns", extra.ns}, {"multiplier", multiplier}});
}

void Filesystem::clear_slow() {
  slow_extra_ = Duration{};
  slow_multiplier_ = 1;
  trace_fault("slow_cleared");
}

void Filesystem::fail_next_writes(std::uint64_t count) {
  write_errors_left_ = count;
  trace_fault("write_errors_set", {{"count", as_int(count)}});
}

void Filesystem::fail_writes_until_cleared() {
  write_errors_until_cleared_ = true;
  trace_fault("write_errors_set", {{"count", std::int64_t{-1}}});
}

void Filesystem::clear_write_errors() {
  write_errors_until_cleared_ = false;
  write_errors_left_ = 0;
  trace_fault("write_errors_cleared");
}

bool Filesystem::lose(const std::string& path) {
  const auto it = files_.find(path);
  const bool found = it != files_.end();
  std::uint64_t bytes = 0;
  if (found) {
    bytes = it->second.size();
    file_bytes_ -= bytes;
    files_.erase(it);
  }
  trace_fault("lose", {{"path", path},
                       {"status", std::string(to_string(found ? FsStatus::kOk : FsStatus::kNotFound))},
                       {"bytes", as_int(bytes)}});
  return found;
}

std::size_t Filesystem::lose_matching(const std::string& prefix) {
  std::vector<std::string> doomed;
  for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.starts_with(prefix); ++it) {
    doomed.push_back(it->first);
  }
  for (const auto& path : doomed) lose(path);
  trace_fault("lose_matching", {{"path", prefix}, {"count", as_int(doomed.size())}});
  return doomed.size();
}

// --- inspection ---

bool Filesystem::exists_now(const std::string& path) const { return files_.contains(path); }

std::optional<std::string> Filesystem::contents_now(const std::string& path) const {
  const auto it = files_.find(path);
  if (it == files_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Filesystem::paths() const {
  std::vector<std::string> result;
  result.reserve(files_.size());
  for (const auto& [path, bytes] : files_) result.push_back(path);
  return result;
}

}  // namespace sim
