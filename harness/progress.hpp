#pragma once
// A progress line for long sweeps, on stderr, only when stderr is a terminal and CI is not set:
// seeds done of all, violations (unexplained and known), seeds/s and an ETA. It reads the wall
// clock, outside every simulation, and writes nothing a log or a pipe would keep.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

#include "harness/run_result.hpp"

namespace harness {

// Whether a progress line may be drawn: stderr is a TTY and the environment does not say CI.
bool progress_wanted();

class Progress {
 public:
  // `total` 0 means open-ended (a time budget): no ETA.
  Progress(std::uint64_t total, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // One seed is done; safe from any worker thread.
  void seed_done(const RunResult& run);
  // Clears the line, so the report that follows starts on a clean one.
  void finish();

 private:
  void draw_locked(bool force);

  const std::uint64_t total_;
  const bool enabled_;
  std::mutex mutex_;
  std::uint64_t done_ = 0;
  std::uint64_t unexplained_ = 0;
  std::uint64_t known_ = 0;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point started_;    // determinism-ok: wall time, outside simulations
  std::chrono::steady_clock::time_point last_draw_;  // determinism-ok: as above
};

// The line itself, for a test: "[1234/10000] 12% | 3 unexplained, 40 known | 27.1 seeds/s | ETA 5m23s".
std::string progress_line(std::uint64_t done, std::uint64_t total, std::uint64_t unexplained, std::uint64_t known,
                          double elapsed_s);

}  // namespace harness
