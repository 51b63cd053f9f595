#include "harness/checkers/cluster_end.hpp"

namespace harness {

ClusterEnds::ClusterEnds(const Events& events) {
  for (const auto& event : events) {
    if (event.category == "yarn"sv && event.name == "application-failed"sv) {
      ended_at_.emplace(text_field(event, "cluster"), event.at);  // the first: an application fails once
    }
  }
}

std::optional<sim::Instant> ClusterEnds::ended_at(const std::string& cluster) const {
  const auto found = ended_at_.find(cluster);
  if (found == ended_at_.end()) return std::nullopt;
  return found->second;
}

bool ClusterEnds::ended_by(const std::string& cluster, sim::Instant deadline) const {
  const auto at = ended_at(cluster);
  return at && *at <= deadline;
}

}  // namespace harness
