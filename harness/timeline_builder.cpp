#include "harness/timeline_builder.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <fmt/core.h>

namespace harness {
namespace {

constexpr sim::Duration kNearby = sim::seconds(2);  // trace events shown around a violation
constexpr std::size_t kMaxNearby = 40;

double seconds_of(sim::Instant at) { return static_cast<double>(at.ns) / 1e9; }

const std::string* text(const sim::TraceEvent& event, const char* key) { return event.string_field(key); }
std::string text_or(const sim::TraceEvent& event, const char* key) {
  const std::string* value = text(event, key);
  return value ? *value : "";
}

std::string describe(const sim::TraceEvent& event) {
  std::string line = fmt::format("{:.6f} {} {}", seconds_of(event.at), event.category, event.name);
  if (!event.process.empty()) line += " [" + event.process + "]";
  for (const auto& field : event.fields) {
    line += " " + field.key + "=";
    if (const auto* s = std::get_if<std::string>(&field.value)) {
      line += *s;
    } else if (const auto* i = std::get_if<std::int64_t>(&field.value)) {
      line += std::to_string(*i);
    }
  }
  return line;
}

// Lanes by name, in the order first asked for within each group.
class Lanes {
 public:
  std::size_t lane(int group, const std::string& name) {
    const auto found = index_.find(name);
    if (found != index_.end()) return found->second;
    groups_[group].push_back(name);
    return index_[name] = next_++;
  }
  // Final order: by group, then first use; returns the remap from provisional indices.
  std::vector<std::size_t> order(std::vector<std::string>& names) const {
    std::vector<std::size_t> remap(next_);
    for (const auto& [group, members] : groups_) {
      for (const auto& name : members) {
        remap[index_.at(name)] = names.size();
        names.push_back(name);
      }
    }
    return remap;
  }

 private:
  std::map<std::string, std::size_t> index_;
  std::map<int, std::vector<std::string>> groups_;
  std::size_t next_ = 0;
};

enum Group { kJobManagers = 0, kSessions = 1, kServers = 2, kFaults = 3, kJobs = 4 };

// An open span per (lane, key): closed by the next state of the lane, or at the run's end.
struct Open {
  double from_s = 0;
  std::string kind;
  std::string label;
};

class Builder {
 public:
  explicit Builder(reports::Timeline& t) : t_(t) {}

  void open(std::size_t lane, const std::string& slot, double at, std::string kind, std::string label) {
    close(lane, slot, at);
    open_[{lane, slot}] = Open{at, std::move(kind), std::move(label)};
  }
  void close(std::size_t lane, const std::string& slot, double at) {
    const auto found = open_.find({lane, slot});
    if (found == open_.end()) return;
    if (at > found->second.from_s) t_.spans.push_back({lane, found->second.from_s, at, found->second.kind, found->second.label});
    open_.erase(found);
  }
  void close_lane(std::size_t lane, double at) {
    std::vector<std::string> slots;
    for (const auto& [key, span] : open_) {
      if (key.first == lane) slots.push_back(key.second);
    }
    for (const auto& slot : slots) close(lane, slot, at);
  }
  void close_all(double at) {
    while (!open_.empty()) close(open_.begin()->first.first, open_.begin()->first.second, at);
  }

 private:
  reports::Timeline& t_;
  std::map<std::pair<std::size_t, std::string>, Open> open_;
};

bool is_jobmanager(const std::string& process) { return process.find("jm") != std::string::npos; }
bool is_zookeeper(const std::string& process) { return process.rfind("zk", 0) == 0 || process.find("/zk") != std::string::npos; }

std::optional<double> duration_s(const std::string& detail) {
  const auto ms = detail.find(" ms");
  if (ms == std::string::npos || ms == 0) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(detail.c_str(), &end);
  if (end != detail.c_str() + ms) return std::nullopt;
  return value / 1000.0;
}

}  // namespace

reports::Timeline build_timeline(const std::string& scenario, const RunResult& run, const std::string& replay) {
  reports::Timeline t;
  t.scenario = scenario;
  t.seed = run.seed;
  t.replay = replay;
  t.end_s = seconds_of(run.ended_at);
  Lanes lanes;
  Builder spans(t);
  for (const auto& event : run.events) {
    const double at = seconds_of(event.at);
    const std::string& p = event.process;
    if (event.category == "proc" && (is_jobmanager(p) || is_zookeeper(p))) {
      const std::size_t lane = lanes.lane(is_jobmanager(p) ? kJobManagers : kServers, p);
      if (event.name == "crash") {
        spans.close_lane(lane, at);
        spans.open(lane, "down", at, "down", p + " down");
      } else if (event.name == "boot") {
        spans.close(lane, "down", at);
      } else if (event.name == "pause") {
        spans.open(lane, "paused", at, "paused", p + " paused");
      } else if (event.name == "resume") {
        spans.close(lane, "paused", at);
      }
    } else if (event.category == "flink" && is_jobmanager(p) && (event.name == "grant" || event.name == "revoke")) {
      const std::size_t lane = lanes.lane(kJobManagers, p);
      if (event.name == "grant") {
        spans.open(lane, "leader", at, "leader", p + " believes it leads, session " + text_or(event, "session_id"));
      } else {
        spans.close(lane, "leader", at);
        spans.close(lane, "confirmed", at);
      }
    } else if (event.category == "flink" && event.name == "confirm" && text_or(event, "component") == "dispatcher") {
      const std::size_t lane = lanes.lane(kJobManagers, p);
      spans.open(lane, "confirmed", at, "confirmed", p + " confirmed leader session " + text_or(event, "session_id"));
    } else if (event.category == "zk" && event.name == "state" && is_zookeeper(p)) {
      const std::size_t lane = lanes.lane(kServers, p);
      const std::string to = text_or(event, "to");
      const std::string kind = to == "LEADING" ? "zk-leading" : to == "FOLLOWING" ? "zk-following" : "zk-looking";
      spans.open(lane, "state", at, kind, p + " " + to);
    } else if (event.category == "curator" && is_jobmanager(p) &&
               (event.name == "CONNECTED" || event.name == "RECONNECTED" || event.name == "SUSPENDED" || event.name == "LOST")) {
      const std::size_t lane = lanes.lane(kSessions, p + " session");
      const bool up = event.name == "CONNECTED" || event.name == "RECONNECTED";
      const std::int64_t* session = event.int_field("session");
      spans.open(lane, "state", at, up ? "connected" : event.name == "SUSPENDED" ? "suspended" : "lost",
                 p + " " + event.name + (session && *session ? fmt::format(" (session 0x{:x})", *session) : ""));
    } else if (event.category == "fault" && event.name.rfind("end-", 0) != 0) {
      const bool storage = event.name.find("storage") != std::string::npos;
      const std::size_t lane = lanes.lane(kFaults, storage ? "storage faults" : "faults");
      const std::string label = event.name + " " + text_or(event, "node") + " " + text_or(event, "detail");
      if (const auto length = duration_s(text_or(event, "detail"))) {
        t.spans.push_back({lane, at, std::min(at + *length, t.end_s), storage ? "storage" : "fault", label});
      } else {
        t.marks.push_back({lane, at, "fault", label});
      }
    } else if (event.category == "flink" && text(event, "job") != nullptr) {
      const std::string job = text_or(event, "job");
      const std::string cluster = text_or(event, "cluster");
      const std::string name = (cluster.empty() ? "" : cluster + "/") + job;
      const char* kind = event.name == "checkpoint-completed" ? "checkpoint"
                         : event.name == "job-restored"       ? "restore"
                         : (event.name == "job-running" || event.name == "job-suspended" || event.name == "job-ended" ||
                            event.name == "job-terminal" || event.name == "job-cleanup-done")
                             ? "job"
                             : nullptr;
      if (kind == nullptr) continue;
      const std::int64_t* id = event.int_field("checkpoint_id");
      t.marks.push_back({lanes.lane(kJobs, name), at, kind,
                         event.name + " on " + p + (id ? " checkpoint " + std::to_string(*id) : "") + " " +
                             text_or(event, "status")});
    }
  }
  spans.close_all(t.end_s);
  const std::vector<std::size_t> remap = lanes.order(t.lanes);
  for (auto& span : t.spans) span.lane = remap[span.lane];
  for (auto& mark : t.marks) mark.lane = remap[mark.lane];

  for (const auto& v : run.violations) {
    reports::TimelineViolation out;
    out.at_s = seconds_of(v.at);
    out.title = v.property + (v.clause.empty() ? "" : " " + v.clause) + ": " + v.message +
                (v.known.empty() ? "" : " [known: " + v.known + "]");
    for (const auto& event : run.events) {
      if (event.at < v.at - kNearby || event.category == "net" || event.category == "fs") continue;
      if (event.at > v.at + kNearby || out.nearby.size() >= kMaxNearby) break;
      out.nearby.push_back(describe(event));
    }
    t.violations.push_back(std::move(out));
  }
  return t;
}

}  // namespace harness
