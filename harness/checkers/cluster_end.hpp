#pragma once
// The end of a cluster: a YARN application whose attempts ran out FAILED (`yarn`
// `application-failed`, model/flink/TRACE.md), and the ResourceManager killed every container of
// it. Nothing of that cluster runs afterwards, by design, so the progress it owed (a leader, a
// checkpoint, a running job, a finished cleanup) is not owed past that instant: a deadline that
// falls after the end is not checked. Everything that happened before the end is judged as usual,
// and a standalone cluster never ends.
#include <map>
#include <optional>
#include <string>

#include "harness/checkers/check_context.hpp"

namespace harness {

class ClusterEnds {
 public:
  explicit ClusterEnds(const Events& events);
  // When the cluster (its trace name) ended; nullopt: it runs to the end of the trace.
  std::optional<sim::Instant> ended_at(const std::string& cluster) const;
  // The cluster had ended by `deadline`, so nothing owed at `deadline` is owed.
  bool ended_by(const std::string& cluster, sim::Instant deadline) const;

 private:
  std::map<std::string, sim::Instant, std::less<>> ended_at_;
};

}  // namespace harness
