#pragma once
// The simulated storage directory: a flat, object-store-like namespace of files (HDFS/S3 as seen
// through Flink's high-availability.storageDir). Directories are implicit: "/a/b" lives under "/a"
// because of its name alone, and nothing needs creating first.
//
// Every operation is a blocking call from a simulated fiber. It draws one latency from the
// filesystem's own PRNG stream, sleeps for it, and takes effect at the end of that sleep: its
// commit point. A fiber whose process crashes before the commit point unwinds with FiberKilled
// and its operation has no effect; a paused process reaches the commit point only after it
// resumes, as a client stalled mid-request would.
//
// Writes go to a handle's private buffer; the file becomes visible, whole, only when the handle
// closes successfully. Handles of a crashed process are discarded, never committed.
//
// Outcomes are FsStatus values, never exceptions. Misuse (a malformed path) is an assertion.
//
// Faults are set from the event loop (harness callbacks): unavailable, slow, write errors and
// silently lost files. Every operation, fault change and loss is recorded under trace category
// "fs". The *_now() inspection calls are for checkers: free, untraced and usable anywhere.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/ids.hpp"
#include "sim/latency.hpp"
#include "sim/prng.hpp"
#include "sim/time.hpp"
#include "sim/trace.hpp"

namespace sim {

class Simulation;

enum class FsStatus { kOk, kNotFound, kAlreadyExists, kUnavailable, kIoError };
// "ok", "not_found", "already_exists", "unavailable", "io_error": the trace's "status" field.
std::string_view to_string(FsStatus status);

// As Flink's FileSystem.WriteMode.
enum class FsWriteMode { kNoOverwrite, kOverwrite };

// An open write handle. Ids are never reused, so a handle kept after it was closed or discarded
// gets kNotFound instead of reaching someone else's file.
struct FsHandle {
  std::uint64_t id = 0;
  bool valid() const { return id != 0; }
  bool operator==(const FsHandle&) const = default;
};

struct FsCreate {
  FsStatus status = FsStatus::kOk;
  FsHandle handle;  // valid only when status is kOk
};

struct FsRead {
  FsStatus status = FsStatus::kOk;
  std::string bytes;
};

struct FsList {
  FsStatus status = FsStatus::kOk;
  std::vector<std::string> names;  // sorted, distinct
};

struct FilesystemConfig {
  LatencyModel latency = LatencyModel::uniform(milliseconds(1), milliseconds(10));
  // How long a caller waits, from the start of its operation, before an unavailable filesystem
  // is reported to it: the client's request timeout.
  Duration unavailable_timeout = seconds(10);
  // Bounds on what the store may hold. Bytes count committed files and open handles' buffers.
  std::size_t files_max = 100'000;
  std::uint64_t bytes_max = std::uint64_t{1} << 30;
  std::size_t open_handles_max = 10'000;
};

// A path is absolute, '/'-separated, with no empty component and no trailing '/': "/ha/job-1/x".
// list() also accepts "/" itself.
bool fs_path_valid(std::string_view path);

class Filesystem {
 public:
  explicit Filesystem(Simulation& sim, FilesystemConfig config = {});
  Filesystem(const Filesystem&) = delete;
  Filesystem& operator=(const Filesystem&) = delete;
  ~Filesystem();

  // --- operations: blocking, only from inside a simulated fiber ---

  // Opens a handle for `path`. kAlreadyExists when a visible file is there and mode is
  // kNoOverwrite; kIoError when open_handles_max handles are open. Nothing is visible yet.
  FsCreate create(const std::string& path, FsWriteMode mode = FsWriteMode::kNoOverwrite);
  // Appends to the handle's buffer. Any failure poisons the handle: later writes and the close
  // fail kIoError, so a file with a hole can never become visible.
  FsStatus write(FsHandle handle, std::string_view bytes);
  // Publishes the buffer as the file's whole contents. The handle is consumed whatever the
  // outcome, and on failure nothing becomes visible. kNoOverwrite is checked again here, so a
  // file another writer published in the meantime is never replaced (kAlreadyExists).
  FsStatus close(FsHandle handle);
  FsRead read(const std::string& path);
  // Names directly under `dir`: files and implicit subdirectories. A directory with nothing
  // under it lists empty with kOk, as in an object store.
  FsList list(const std::string& dir);
  // Files only. kNotFound when `from` is missing, kAlreadyExists when `to` exists.
  FsStatus rename(const std::string& from, const std::string& to);
  // Traced as "delete".
  FsStatus remove(const std::string& path);
  // kOk when the file is visible, kNotFound when not.
  FsStatus exists(const std::string& path);

  // Convenience for whole-file writes: create, write, close, each with its own latency.
  FsStatus put(const std::string& path, std::string_view bytes, FsWriteMode mode = FsWriteMode::kNoOverwrite);

  // --- faults: from the event loop; each change is traced ---

  // Operations whose start or commit point falls while unavailable have no effect and return
  // kUnavailable, unavailable_timeout after they started (or at the commit point if later).
  void set_unavailable();
  void clear_unavailable();
  // Each operation's latency becomes sample * multiplier + extra.
  void set_slow(Duration extra, std::int64_t multiplier = 1);
  void clear_slow();
  // The next `count` writes and closes of healthy handles fail kIoError at their commit point.
  void fail_next_writes(std::uint64_t count);
  void fail_writes_until_cleared();
  void clear_write_errors();
  // The file vanishes at once, without any caller noticing. Open handles are unaffected.
  bool lose(const std::string& path);
  // Every visible file whose path starts with `prefix` (a plain string prefix). Returns how many.
  std::size_t lose_matching(const std::string& prefix);

  // --- inspection for checkers: no simulated time, not traced ---

  bool exists_now(const std::string& path) const;
  std::optional<std::string> contents_now(const std::string& path) const;
  std::vector<std::string> paths() const;  // sorted
  std::size_t file_count() const { return files_.size(); }
  std::uint64_t file_bytes() const { return file_bytes_; }          // committed files only
  std::uint64_t buffered_bytes() const { return buffered_bytes_; }  // open handles' buffers
  std::size_t open_handle_count() const { return handles_.size(); }
  bool unavailable() const { return unavailable_; }
  const FilesystemConfig& config() const { return config_; }

 private:
  struct OpenFile {
    std::string path;
    FsWriteMode mode = FsWriteMode::kNoOverwrite;
    ProcessId owner = kNoProcess;
    std::string buffer;
    bool poisoned = false;
  };

  // Sleeps until the commit point. False when the operation must fail kUnavailable, after the
  // caller has waited out the timeout.
  bool reach_commit_point();
  Duration sample_latency();
  // True, consuming one error when counted, when this commit must fail as a write error.
  bool take_write_error();
  void discard_handles_of(ProcessId process);
  void trace_op(std::string_view op, Instant start, const std::string& path, FsStatus status, std::uint64_t bytes,
                std::vector<TraceField> extra = {});
  void trace_fault(std::string_view name, std::vector<TraceField> fields = {});

  Simulation& sim_;
  FilesystemConfig config_;
  Prng rng_;
  std::map<std::string, std::string> files_;
  std::map<std::uint64_t, OpenFile> handles_;
  std::uint64_t handle_id_last_ = 0;
  std::uint64_t file_bytes_ = 0;
  std::uint64_t buffered_bytes_ = 0;

  bool unavailable_ = false;
  Duration slow_extra_{};
  std::int64_t slow_multiplier_ = 1;
  bool write_errors_until_cleared_ = false;
  std::uint64_t write_errors_left_ = 0;

  // The kernel keeps crash listeners for its whole life; this lets one outlive the filesystem.
  std::shared_ptr<Filesystem*> self_;
};

}  // namespace sim
