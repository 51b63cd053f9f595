#include "model/curator/latch_order.hpp"

#include <algorithm>
#include <string_view>

namespace model::curator {
namespace {

// StandardLockInternalsDriver.fixForSorting: the part after the lock name, or the whole name.
std::string_view sort_key(std::string_view child) {
  const std::string_view lock_name = kLatchLockName;
  const auto at = child.rfind(lock_name);
  return at == std::string_view::npos ? child : child.substr(at + lock_name.size());
}

}  // namespace

std::vector<std::string> sorted_latch_children(const std::vector<std::string>& children) {
  std::vector<std::string> sorted = children;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const std::string& a, const std::string& b) { return sort_key(a) < sort_key(b); });
  return sorted;
}

LatchDecision decide_latch(const std::vector<std::string>& children, const std::string& our_node) {
  const std::vector<std::string> sorted = sorted_latch_children(children);
  const auto ours = std::find(sorted.begin(), sorted.end(), our_node);
  if (our_node.empty() || ours == sorted.end()) return {LatchDecision::Kind::kNodeMissing, ""};
  if (ours == sorted.begin()) return {LatchDecision::Kind::kLead, ""};
  return {LatchDecision::Kind::kWatchPredecessor, *(ours - 1)};
}

}  // namespace model::curator
