#pragma once
// ZooKeeper's commit order of a checkpoint pointer's add and removal, from the store's `zxid`
// fields (model/flink/TRACE.md). A client hears back late (a paused JobManager reads its reply on
// resume), so an add can be traced after another JobManager's removal of the same pointer although
// ZooKeeper committed it before: such an add re-created nothing. Without zxids (0) the trace order
// decides, as it did before the store traced them.
#include <string>
#include <unordered_map>

#include "harness/checkers/check_context.hpp"

namespace harness {

class PointerCommitOrder {
 public:
  // Call for every event, in trace order, before judging it.
  void observe(const sim::TraceEvent& event) {
    if (event.category != "flink"sv) return;
    const bool removal = event.name == "checkpoint-file-discarded"sv || event.name == "checkpoint-pointer-deleted"sv ||
                         event.name == "checkpoint-removed"sv;
    if (!removal) return;
    const std::int64_t zxid = int_field_or(event, "zxid", 0);
    if (zxid == 0) return;
    std::int64_t& first = removal_zxid_.try_emplace(text_field(event, "path"), 0).first->second;
    if (first == 0 || zxid < first) first = zxid;  // the removal's first committed step
  }

  // A `checkpoint-added` whose commit ZooKeeper ordered before a removal of its pointer already seen.
  bool committed_before_removal(const sim::TraceEvent& added) const {
    const std::int64_t zxid = int_field_or(added, "zxid", 0);
    if (zxid == 0) return false;
    const auto removal = removal_zxid_.find(text_field(added, "path"));
    return removal != removal_zxid_.end() && zxid < removal->second;
  }

 private:
  // pointer path -> zxid of its removal's first step. Hashed: the paths share a long prefix, which a
  // tree would compare again at every level.
  std::unordered_map<std::string, std::int64_t> removal_zxid_;
};

}  // namespace harness
