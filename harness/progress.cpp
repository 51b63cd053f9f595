#include "harness/progress.hpp"

#include <cstdio>
#include <cstdlib>
#include <fmt/core.h>
#include <unistd.h>

namespace harness {
namespace {

constexpr auto kRedrawEvery = std::chrono::milliseconds(250);  // determinism-ok: wall time, display only

std::string format_eta(double seconds) {
  const auto whole = static_cast<std::int64_t>(seconds + 0.5);
  if (whole >= 3600) return fmt::format("{}h{:02}m", whole / 3600, whole % 3600 / 60);
  if (whole >= 60) return fmt::format("{}m{:02}s", whole / 60, whole % 60);
  return fmt::format("{}s", whole);
}

}  // namespace

bool progress_wanted() {
  const char* ci = std::getenv("CI");
  if (ci != nullptr && *ci != '\0' && std::string(ci) != "false" && std::string(ci) != "0") return false;
  return isatty(STDERR_FILENO) == 1;
}

std::string progress_line(std::uint64_t done, std::uint64_t total, std::uint64_t unexplained, std::uint64_t known,
                          double elapsed_s) {
  const double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
  std::string line = total > 0 ? fmt::format("[{}/{}] {}%", done, total, done * 100 / total) : fmt::format("[{}]", done);
  line += fmt::format(" | {} unexplained, {} known | {:.1f} seeds/s", unexplained, known, rate);
  if (total > 0 && rate > 0 && done < total) line += " | ETA " + format_eta(static_cast<double>(total - done) / rate);
  return line;
}

Progress::Progress(std::uint64_t total, bool enabled)
    : total_(total),
      enabled_(enabled),
      started_(std::chrono::steady_clock::now()),  // determinism-ok: display only
      last_draw_(started_) {}

Progress::~Progress() { finish(); }

void Progress::seed_done(const RunResult& run) {
  if (!enabled_) return;
  const std::lock_guard<std::mutex> lock(mutex_);
  done_++;
  for (const auto& violation : run.violations) (violation.known.empty() ? unexplained_ : known_)++;
  draw_locked(done_ == total_);
}

void Progress::finish() {
  if (!enabled_) return;
  const std::lock_guard<std::mutex> lock(mutex_);
  if (!drawn_) return;
  std::fputs("\r\033[2K", stderr);  // erase the line: the report follows on a clean one
  std::fflush(stderr);
  drawn_ = false;
}

void Progress::draw_locked(bool force) {
  const auto now = std::chrono::steady_clock::now();  // determinism-ok: display only
  if (!force && drawn_ && now - last_draw_ < kRedrawEvery) return;
  last_draw_ = now;
  const double elapsed_s = std::chrono::duration<double>(now - started_).count();
  std::fprintf(stderr, "\r\033[2K%s", progress_line(done_, total_, unexplained_, known_, elapsed_s).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace harness
