#include "harness/checkers/zombie_leadership.hpp"

#include <map>
#include <optional>

namespace harness {
namespace {

bool is_curator(const sim::TraceEvent& event, std::string_view name) {
  return event.category == "curator"sv && event.name == name;
}

// The events that move a latch view below; most of the trace (storage, the TaskManagers) does not.
bool moves_latch_view(const sim::TraceEvent& event) {
  if (event.category == "curator"sv) return true;
  if (event.category == "proc"sv) return event.name == "crash"sv || event.name == "boot"sv;
  return is_flink(event, "grant");
}

// One JobManager process's view: its current ZooKeeper session and where its latch nodes came from.
struct LatchView {
  std::int64_t session = 0;                       // of the latest CONNECTED / RECONNECTED
  std::map<std::string, std::int64_t> node_session;  // latch node path -> creating session
  std::optional<ZombieGrant> pending;             // a zombie latch-is-leader waiting for its `grant`
};

}  // namespace

std::vector<ZombieGrant> zombie_grants(const Events& events, const CheckContext& context) {
  std::map<std::string, LatchView> views;
  std::vector<ZombieGrant> grants;
  for (const auto& event : events) {
    if (!moves_latch_view(event)) continue;
    const ClusterFacts* cluster = cluster_of_jobmanager(context, event.process);
    if (!cluster) continue;
    LatchView& view = views[event.process];
    if (is_proc(event, "crash") || is_proc(event, "boot")) {
      view = LatchView{};
    } else if (is_curator(event, "CONNECTED") || is_curator(event, "RECONNECTED")) {
      view.session = int_field_or(event, "session", 0);
    } else if (is_curator(event, "latch-node")) {
      view.node_session[text_field(event, "path")] = int_field_or(event, "session", view.session);
    } else if (is_curator(event, "latch-is-leader")) {
      const std::string path = text_field(event, "path");
      const auto known = view.node_session.find(path);
      const std::int64_t fallback = known == view.node_session.end() ? view.session : known->second;
      const std::int64_t node_session = int_field_or(event, "node_session", fallback);
      const std::int64_t client_session = int_field_or(event, "session", view.session);
      view.pending.reset();
      if (node_session != 0 && client_session != 0 && node_session != client_session) {
        view.pending = ZombieGrant{cluster->trace_name, event.process, "", event.at, node_session, client_session};
      }
    } else if (is_curator(event, "latch-not-leader")) {
      view.pending.reset();
    } else if (is_flink(event, "grant") && view.pending) {
      // LeaderLatch -> isLeader() -> the driver issues a fresh leader session: this grant.
      view.pending->session_id = text_field(event, "session_id");
      grants.push_back(std::move(*view.pending));
      view.pending.reset();
    }
  }
  return grants;
}

}  // namespace harness
