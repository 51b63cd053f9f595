#include "harness/abstract_state.hpp"

#include <bit>
#include <set>
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

// The class of a `fault` event, coarse on purpose (with every kind the keys were so fine that
// nearly every run reached a new one, and the corpus was every run): what part of the system the
// last fault hit, or that faults were healed. "" for events that are no fault (watch-<kind>).
std::string_view fault_class(std::string_view name) {
  if (name.rfind("watch-", 0) == 0) return "";
  if (name.rfind("end-", 0) == 0 || name == "heal-all" || name == "heal") return "healed";
  if (name.find("jobmanager") != std::string_view::npos) return "jobmanager";
  if (name.find("taskmanager") != std::string_view::npos) return "taskmanager";
  if (name.find("zookeeper") != std::string_view::npos) return "zookeeper";
  if (name.rfind("storage-", 0) == 0) return "storage";
  return "network";  // isolate, partition, cut, latency-spike
}

// A JobManager as the trace has shown it so far: its abstract state, and the jobs whose cleanup
// it has begun and not finished (behind `cleaning`).
struct Tracked {
  JobManagerAbstractState state;
  std::set<std::string, std::less<>> cleaning_jobs;
};

// Applies one event to `tracked`; false when the event does not concern it.
bool apply(const sim::TraceEvent& event, Tracked& tracked) {
  JobManagerAbstractState& state = tracked.state;
  const std::string& name = event.name;
  if (event.category == "flink" && (name == "job-ended" || name == "job-terminal" || name == "job-cleanup-done")) {
    const std::string* job = event.string_field("job");
    if (job == nullptr) return false;
    if (name == "job-cleanup-done") {
      tracked.cleaning_jobs.erase(*job);
    } else {
      tracked.cleaning_jobs.insert(*job);
    }
    state.cleaning = !tracked.cleaning_jobs.empty();
    return true;
  }
  if (event.category == "proc") {
    if (name == "crash") {
      tracked = Tracked{};
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

std::uint32_t JobManagerAbstractState::control_code() const {
  return static_cast<std::uint32_t>(leader) | static_cast<std::uint32_t>(process) << 1 |
         static_cast<std::uint32_t>(session) << 3 | static_cast<std::uint32_t>(cleaning) << 5;
}

std::uint32_t JobManagerAbstractState::code() const {
  return static_cast<std::uint32_t>(leader) | static_cast<std::uint32_t>(process) << 1 |
         static_cast<std::uint32_t>(session) << 3 | static_cast<std::uint32_t>(store) << 5 |
         static_cast<std::uint32_t>(cleaning) << 9;
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
  std::map<std::string, Tracked, std::less<>> jobmanagers;
  std::string_view last_fault = "none";
  for (const auto& event : events) {
    if (event.category == "fault") {
      if (const std::string_view kind = fault_class(event.name); !kind.empty()) last_fault = kind;
      continue;
    }
    if (!is_jobmanager_name(event.process)) continue;
    Tracked& tracked = jobmanagers[event.process];
    const JobManagerAbstractState before = tracked.state;
    if (!apply(event, tracked) || tracked.state.code() == before.code()) continue;
    const JobManagerAbstractState& state = tracked.state;
    feedback.transitions++;
    if (state.store != before.store) {
      // Store outcomes change with every checkpoint: keyed apart, by leadership only, so they do
      // not multiply the leadership keys.
      std::uint64_t key = fnv(kFnvOffset, std::string_view("store"));
      key = fnv(key, static_cast<std::uint64_t>(before.store));
      key = fnv(key, static_cast<std::uint64_t>(state.store));
      key = fnv(key, static_cast<std::uint64_t>(state.leader));
      feedback.keys.insert(key);
      if (state.control_code() == before.control_code()) continue;
    }
    std::uint64_t leaders = 0;
    const std::string_view cluster = cluster_of(event.process);
    for (const auto& [process, other] : jobmanagers) {
      if (other.state.leader && cluster_of(process) == cluster) leaders++;
    }
    std::uint64_t key = fnv(kFnvOffset, std::string_view("transition"));
    key = fnv(key, before.control_code());
    key = fnv(key, state.control_code());
    key = fnv(key, std::min<std::uint64_t>(leaders, 2));
    key = fnv(key, last_fault);
    feedback.keys.insert(key);
  }
  for (const auto& [name, hits] : probes) {
    if (hits == 0) continue;
    std::uint64_t key = fnv(kFnvOffset, std::string_view("probe"));
    key = fnv(key, name);
    // 1, 2-3, 4-7, 8 or more: finer buckets made nearly every run new.
    key = fnv(key, static_cast<std::uint64_t>(std::min<std::uint64_t>(std::bit_width(hits), 4)));
    feedback.keys.insert(key);
  }
  return feedback;
}

}  // namespace harness
