#pragma once
// Hand-built traces for checker tests: events at given milliseconds, in the vocabulary of
// model/flink/TRACE.md.
#include <string>
#include <vector>

#include "harness/checkers/check_context.hpp"

namespace harness::testing {

class TraceBuilder {
 public:
  TraceBuilder& flink(std::int64_t ms, const std::string& name, const std::string& process,
                      std::vector<sim::TraceField> fields = {}) {
    fields.insert(fields.begin(), {"cluster", std::string()});
    return add(ms, "flink", name, process, std::move(fields));
  }
  TraceBuilder& proc(std::int64_t ms, const std::string& name, const std::string& process) {
    return add(ms, "proc", name, process, {});
  }
  TraceBuilder& fs(std::int64_t ms, const std::string& name, const std::string& process, const std::string& path,
                   const std::string& status = "ok") {
    return add(ms, "fs", name, process, {{"path", path}, {"status", status}});
  }
  TraceBuilder& add(std::int64_t ms, const std::string& category, const std::string& name, const std::string& process,
                    std::vector<sim::TraceField> fields) {
    events_.push_back({sim::Instant{} + sim::milliseconds(ms), events_.size(), category, name, process, std::move(fields)});
    return *this;
  }
  const Events& events() const { return events_; }

 private:
  Events events_;
};

// One cluster of jm1..jm3 with checkpointing; faults end at 100 s, the run at 300 s.
inline CheckContext one_cluster() {
  CheckContext context;
  context.clusters.push_back({"", "/flink/default", {"jm1", "jm2", "jm3"}, true});
  context.faults_end = sim::Instant{} + sim::seconds(100);
  context.run_end = sim::Instant{} + sim::seconds(300);
  context.bounds.leader_within = sim::seconds(30);
  context.bounds.checkpoint_within = sim::seconds(30);
  context.bounds.cleanup_within = sim::seconds(30);
  context.bounds.job_running_within = sim::seconds(30);
  return context;
}

inline std::vector<sim::TraceField> job(const std::string& session, std::vector<sim::TraceField> more = {}) {
  more.insert(more.begin(), {{"job", std::string("job-1")}, {"session_id", session}});
  return more;
}

}  // namespace harness::testing
