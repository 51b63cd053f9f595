#include "harness/abstract_state.hpp"

#include <bit>
#include <string_view>

namespace harness {
namespace {

constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

std::uint64_t fnv(std::uint64_t hash, std::string_view bytes) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= kFnvPrime;
  }
  return hash;
}

std::uint64_t fnv(std::uint64_t hash, std::uint64_t value) {
  for (int i = 0; i < 8; i++) {
    hash ^= (value >> (8 * i)) & 0xff;
    hash *= kFnvPrime;
  }
  return hash;
}

using Store = JobManagerAbstractState::Store;
using Session = JobManagerAbstractState::Session;
using Process = JobManagerAbstractState::Process;

// The checkpoint-store outcome a `flink` event stands for, if any.
bool store_outcome(std::string_view name, Store& out) {
  struct Entry {
    std::string_view name;
    Store store;
  };
  static constexpr Entry kEntries[] = {
      {"checkpoint-completed", Store::kCompleted},        {"checkpoint-trigger-failed", Store::kTriggerFailed},
      {"checkpoint-add-failed", Store::kAddFailed},       {"checkpoint-aborted", Store::kAborted},
      {"job-restored", Store::kRestored},                 {"job-restore-failed", Store::kRestoreFailed},
      {"checkpoint-read-missing-file", Store::kRestoreFailed},
      {"checkpoint-remove-failed", Store::kCleanupFailed}, {"checkpoint-discard-failed", Store::kCleanupFailed},
      {"checkpoint-release-failed", Store::kCleanupFailed}, {"checkpoint-still-locked", Store::kCleanupFailed},
      {"checkpoint-removed", Store::kRemoved},            {"checkpoint-file-discarded", Store::kRemoved},
  };
  for (const auto& entry : kEntries) {
    if (entry.name == name) {
      out = entry.store;
      return true;
    }
  }
  return false;
}

// The cluster a JobManager belongs to: "" for a single cluster's "jm1", "c2" for "c2/jm1".
std::string_view cluster_of(const std::string& process) {
  const auto slash = process.find('/');
  return slash == std::string::npos ? std::string_view() : std::string_view(process).substr(0, slash);
}

// Applies one event to `state`; false when the event does not concern it.
bool apply(const sim::TraceEvent& event, JobManagerAbstractState& state) {
  const std::string& name = event.name;
  if (event.category == "proc") {
    if (name == "crash") {
      state = JobManagerAbstractState{};
      state.process = Process::kDown;
    } else if (name == "boot" || name == "resume") {
      state.process = Process::kUp;
    } else if (name == "pause") {
      state.process = Process::kPaused;
    } else {
      return false;
    }
    return true;
  }
  if (event.category == "curator") {
    if (name == "CONNECTED" || name == "RECONNECTED") state.session = Session::kConnected;
    else if (name == "SUSPENDED") state.session = Session::kSuspended;
    else if (name == "LOST") state.session = Session::kLost;
    else return false;
    return true;
  }
  if (event.category != "flink") return false;
  if (name == "grant") {
    state.leader = true;
    return true;
  }
  if (name == "revoke") {
    state.leader = false;
    return true;
  }
  return store_outcome(name, state.store);
}

}  // namespace

std::uint32_t JobManagerAbstractState::code() const {
  return static_cast<std::uint32_t>(leader) | static_cast<std::uint32_t>(process) << 1 |
         static_cast<std::uint32_t>(session) << 3 | static_cast<std::uint32_t>(store) << 5;
}

bool is_jobmanager_name(const std::string& process) {
  const auto slash = process.find('/');
  const std::size_t start = slash == std::string::npos ? 0 : slash + 1;
  return process.compare(start, 2, "jm") == 0;
}

RunFeedback run_feedback(const std::vector<sim::TraceEvent>& events,
                         const std::map<std::string, std::uint64_t, std::less<>>& probes) {
  RunFeedback feedback;
  // Ordered by name, never by address: the keys must not depend on the run's allocation.
  std::map<std::string, JobManagerAbstractState, std::less<>> jobmanagers;
  std::string last_fault = "none";
  for (const auto& event : events) {
    if (event.category == "fault") {
      last_fault = event.name;
      continue;
    }
    if (!is_jobmanager_name(event.process)) continue;
    JobManagerAbstractState& state = jobmanagers[event.process];
    const std::uint32_t before = state.code();
    if (!apply(event, state) || state.code() == before) continue;
    std::uint64_t leaders = 0;
    const std::string_view cluster = cluster_of(event.process);
    for (const auto& [process, other] : jobmanagers) {
      if (other.leader && cluster_of(process) == cluster) leaders++;
    }
    std::uint64_t key = fnv(kFnvOffset, std::string_view("transition"));
    key = fnv(key, before);
    key = fnv(key, state.code());
    key = fnv(key, std::min<std::uint64_t>(leaders, 2));
    key = fnv(key, last_fault);
    feedback.keys.insert(key);
    feedback.transitions++;
  }
  for (const auto& [name, hits] : probes) {
    if (hits == 0) continue;
    std::uint64_t key = fnv(kFnvOffset, std::string_view("probe"));
    key = fnv(key, name);
    key = fnv(key, static_cast<std::uint64_t>(std::bit_width(hits)));
    feedback.keys.insert(key);
  }
  return feedback;
}

}  // namespace harness
