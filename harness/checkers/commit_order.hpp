#pragma once
// ZooKeeper's commit order of a checkpoint pointer's add and removal, from the store's `zxid`
// fields (model/flink/TRACE.md). A client hears back late (a paused JobManager reads its reply on
// resume), so an add can be traced after another JobManager's removal of the same pointer although
// ZooKeeper committed it before: such an add re-created nothing. Without zxids (0) the trace order
// decides, as it did before the store traced them.
#include <map>
#include <string>

#include "harness/checkers/check_context.hpp"

namespace harness {

class PointerCommitOrder {
 public:
  // Call for every event, in trace order, before judging it.
  void observe(const sim::TraceEvent& event) {
    if (event.category != "flink") return;
    const bool removal = event.name == "checkpoint-file-discarded" || event.name == "checkpoint-pointer-deleted" ||
                         event.name == "checkpoint-removed";
    if (!removal) return;
    const std::int64_t zxid = int_field_or(event, "zxid", 0);
    if (zxid == 0) return;
    std::int64_t& first = removal_zxid_[text_field(event, "path")];
    if (first == 0 || zxid < first) first = zxid;  // the removal's first committed step
  }

  // A `checkpoint-added` whose commit ZooKeeper ordered before a removal of its pointer already seen.
  bool committed_before_removal(const sim::TraceEvent& added) const {
    const std::int64_t zxid = int_field_or(added, "zxid", 0);
    const auto removal = removal_zxid_.find(text_field(added, "path"));
    return zxid != 0 && removal != removal_zxid_.end() && zxid < removal->second;
  }

 private:
  std::map<std::string, std::int64_t> removal_zxid_;  // pointer path -> zxid of its removal's first step
};

}  // namespace harness
