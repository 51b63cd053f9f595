#include "model/flink/leader_retrieval.hpp"

namespace model::flink {

LeaderRetrieval::LeaderRetrieval(curator::CuratorFramework& client, LeaderRetrievalOptions options, Listener listener)
    : client_(client), options_(std::move(options)), listener_(std::move(listener)) {}

void LeaderRetrieval::start() {
  sim::Simulation& sim = client_.sim();
  box_ = sim.mailbox_open(client_.owner());
  sim::Simulation* simulation = &sim;
  const sim::MailboxId box = box_;
  client_.add_connection_listener([simulation, box](curator::ConnectionState state) {
    simulation->mailbox_post(box, sim::Mail{kState, static_cast<std::uint64_t>(state), nullptr});
  });
  sim.spawn(client_.owner(), "leader-retrieval", [this] { run(); });
  sim.mailbox_post(box_, sim::Mail{kRead, 0, nullptr});
}

void LeaderRetrieval::run() {
  for (;;) {
    const auto event = client_.sim().receive(box_);
    if (event->tag == kRead) {
      read_and_watch();
      continue;
    }
    switch (static_cast<curator::ConnectionState>(event->channel)) {
      case curator::ConnectionState::kSuspended:
        if (!options_.tolerate_suspended_connections) notify({});
        break;
      case curator::ConnectionState::kLost: notify({}); break;
      case curator::ConnectionState::kReconnected:
        if (!options_.mutant_flink_19557) read_and_watch();
        break;
      // Curator 5.4 TreeCache.handleStateChange: CONNECTED -> root.wasCreated() reads the node
      // again. A read that failed earlier (its retries exhausted while ZooKeeper was unreachable)
      // is therefore repaired by the first connection: nothing else would ever read it.
      case curator::ConnectionState::kConnected: read_and_watch(); break;
    }
  }
}

// The cache's view: read with a watch (an exists watch when the node is missing), so the next
// change of the node brings us back here.
void LeaderRetrieval::read_and_watch() {
  sim::Simulation* simulation = &client_.sim();
  const sim::MailboxId box = box_;
  const curator::Watcher again = [simulation, box](model::zk::EventType, const std::string&) {
    simulation->mailbox_post(box, sim::Mail{kRead, 0, nullptr});
  };
  const auto read = client_.get_data(options_.path, again);
  if (read.code == model::zk::Code::Ok) {
    notify(decode_leader_information(read.data));
  } else if (read.code == model::zk::Code::NoNode) {
    const auto watched = client_.exists(options_.path, again);
    if (watched.code == model::zk::Code::Ok) simulation->mailbox_post(box, sim::Mail{kRead, 0, nullptr});
    notify({});
  }
  // Any other code (ConnectionLoss, SessionExpired after Curator's retries) leaves the cache as it
  // was, as a failed background read does in TreeCache: the connection event that must follow a
  // lost connection (CONNECTED on the first one, RECONNECTED after) reads again.
}

// DefaultLeaderRetrievalService.notifyLeaderAddress: only a changed pair reaches the listener.
void LeaderRetrieval::notify(const LeaderInformation& info) {
  if (info == last_) return;
  last_ = info;
  std::vector<sim::TraceField> fields = options_.trace_tags;
  fields.insert(fields.end(), {{"path", options_.path}, {"session_id", info.session_id}, {"address", info.address}});
  client_.sim().record("flink", "leader-retrieved", client_.owner(), std::move(fields));
  if (listener_) listener_(info);
}

}  // namespace model::flink
