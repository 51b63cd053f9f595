#include "model/curator/leader_latch.hpp"

#include "model/curator/latch_order.hpp"
#include "model/probes.hpp"

namespace model::curator {

LeaderLatch::LeaderLatch(CuratorFramework& client, LeaderLatchOptions options, LeaderLatchListener listener)
    : client_(client), options_(std::move(options)), listener_(std::move(listener)) {
  SIM_ASSERT(!options_.latch_path.empty() && options_.latch_path.front() == '/');
}

void LeaderLatch::start() {
  sim::Simulation& sim = client_.sim();
  box_ = sim.mailbox_open(client_.owner());
  client_.add_connection_listener([this](ConnectionState state) { post(kStateChange, static_cast<std::uint64_t>(state)); });
  sim.spawn(client_.owner(), "leader-latch", [this] { run(); });
  // LeaderLatch.start -> AfterConnectionEstablished.execute(internalStart): the first reset waits
  // for the connection (blockUntilConnected); a CONNECTED that arrives later starts it.
  const auto state = client_.last_state();
  if (state && (*state == ConnectionState::kConnected || *state == ConnectionState::kReconnected)) {
    awaiting_connection_ = false;
    post(kReset);
  }
}

void LeaderLatch::post(Work work, std::uint64_t argument) {
  client_.sim().mailbox_post(box_, sim::Mail{work, argument, nullptr});
}

void LeaderLatch::run() {
  for (;;) {
    const auto work = client_.sim().receive(box_);
    switch (work->tag) {
      case kReset: reset(); break;
      case kGetChildren: get_children(); break;
      case kStateChange: on_state(static_cast<ConnectionState>(work->channel)); break;
      default: SIM_ASSERT_MSG(false, "unknown latch work");
    }
  }
}

// LeaderLatch.reset: give up leadership and any old node, then queue up again.
void LeaderLatch::reset() {
  set_leadership(false);
  if (!our_path_.empty()) {
    const std::string old = our_path_;
    our_path_.clear();
    our_session_ = 0;
    client_.remove(old);
  }
  zk::SessionId created_in = 0;
  const CreateResult created = client_.create(options_.latch_path + "/" + kLatchLockName, options_.id,
                                              zk::CreateMode::EphemeralSequential, CreateOptions{true, true}, &created_in);
  if (created.code != zk::Code::Ok) {
    client_.sim().record("curator", "latch-create-failed", client_.owner(), {{"code", std::int64_t{static_cast<int>(created.code)}}});
    return;  // the next RECONNECTED finds no node of ours and resets again
  }
  our_path_ = created.path;
  our_session_ = created_in;
  client_.sim().record("curator", "latch-node", client_.owner(), {{"path", our_path_}, {"session", our_session_}});
  get_children();
}

void LeaderLatch::get_children() {
  const ChildrenResult children = client_.get_children(options_.latch_path);
  if (children.code == zk::Code::Ok) check_leadership(children.children);
}

void LeaderLatch::check_leadership(const std::vector<std::string>& children) {
  const std::string ours = our_path_.empty() ? "" : our_path_.substr(our_path_.rfind('/') + 1);
  const LatchDecision decision = decide_latch(children, ours);
  switch (decision.kind) {
    case LatchDecision::Kind::kNodeMissing:
      model::probe(client_.sim(), model::Probe::kCuratorLatchNodeVanished);
      reset();
      return;
    case LatchDecision::Kind::kLead:
      // Curator 5.7 (CURATOR-696 fix): lead only on a node the current session owns.
      if (options_.version == CuratorVersion::k5_7 && !owned_by_current_session()) {
        reset();
        return;
      }
      set_leadership(true);
      return;
    case LatchDecision::Kind::kWatchPredecessor: {
      set_leadership(false);
      const DataResult watched = client_.get_data(options_.latch_path + "/" + decision.predecessor,
                                                  [this](zk::EventType type, const std::string&) {
                                                    if (type == zk::EventType::NodeDeleted) post(kGetChildren);
                                                  });
      // The predecessor went away between the two reads: look again.
      if (watched.code == zk::Code::NoNode) get_children();
      return;
    }
  }
}

// Curator 5.7 LeaderLatch.checkLeadership, ourIndex == 0: getData on our node; the owner is the
// stat's ephemeralOwner, or -1 when there is no stat (the node is gone, or the read failed after
// its retries), compared with the session id the client has when the answer arrives. Anything
// but our current session means the node is a leftover: reset() deletes it and queues up anew.
bool LeaderLatch::owned_by_current_session() {
  const DataResult ours = client_.get_data(our_path_);
  const zk::SessionId owner = ours.code == zk::Code::Ok ? ours.stat.ephemeral_owner : -1;
  const zk::SessionId session = client_.session_id();
  if (owner == session) return true;
  client_.sim().record("curator", "latch-reset-foreign-owner", client_.owner(),
                       {{"path", our_path_},
                        {"session", session},
                        {"owner", owner},
                        {"code", std::int64_t{static_cast<int>(ours.code)}}});
  return false;
}

void LeaderLatch::on_state(ConnectionState state) {
  if (awaiting_connection_) {
    if (state != ConnectionState::kConnected && state != ConnectionState::kReconnected) return;
    awaiting_connection_ = false;
    reset();
    return;
  }
  const ErrorPolicy policy = client_.error_policy();
  switch (state) {
    case ConnectionState::kReconnected:
      if (options_.requeue_on_reconnect) {
        reset();
      } else if (is_error_state(policy, ConnectionState::kSuspended) || !has_leadership_) {
        get_children();
      }
      return;
    case ConnectionState::kSuspended:
      if (is_error_state(policy, ConnectionState::kSuspended)) set_leadership(false);
      return;
    case ConnectionState::kLost: set_leadership(false); return;
    case ConnectionState::kConnected: return;
  }
}

void LeaderLatch::set_leadership(bool leading) {
  const bool was_leading = has_leadership_;
  has_leadership_ = leading;
  if (was_leading == leading) return;
  if (leading) {
    // node_session != session is a grant on a node of an earlier session: CURATOR-696.
    const zk::SessionId session = client_.session_id();
    if (our_session_ != 0 && session != 0 && our_session_ != session) {
      model::probe(client_.sim(), model::Probe::kCuratorZombieGrant);
    }
    client_.sim().record("curator", "latch-is-leader", client_.owner(),
                         {{"path", our_path_}, {"session", client_.session_id()}, {"node_session", our_session_}});
  } else {
    client_.sim().record("curator", "latch-not-leader", client_.owner(), {{"path", our_path_}});
  }
  if (leading && listener_.is_leader) listener_.is_leader();
  if (!leading && listener_.not_leader) listener_.not_leader();
}

}  // namespace model::curator
