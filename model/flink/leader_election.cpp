#include "model/flink/leader_election.hpp"

#include <cstdio>

#include "model/probes.hpp"

namespace model::flink {

LeaderElectionService::LeaderElectionService(curator::CuratorFramework& client, LeaderElectionOptions options)
    : client_(client),
      options_(std::move(options)),
      rng_(client.sim().rng_stream("leader-election/" + options_.participant + "/" +
                                   std::to_string(client.sim().incarnation(client.owner())))) {}

void LeaderElectionService::add_contender(LeaderContender contender) {
  contenders_.push_back(std::move(contender));
  if (issued_) contenders_.back().grant(*issued_);
}

void LeaderElectionService::remove_contender(const std::string& component) {
  std::erase_if(contenders_, [&](const LeaderContender& c) { return c.component == component; });
  for (Published& entry : published_) {
    if (entry.component == component) entry.confirmed.reset();
  }
}

void LeaderElectionService::trace(const char* name, std::vector<sim::TraceField> fields) {
  fields.insert(fields.begin(), options_.trace_tags.begin(), options_.trace_tags.end());
  client_.sim().record("flink", name, client_.owner(), std::move(fields));
}

void LeaderElectionService::start() {
  sim::Simulation& sim = client_.sim();
  box_ = sim.mailbox_open(client_.owner());
  sim::MailboxId box = box_;
  sim::Simulation* simulation = &sim;
  latch_ = std::make_unique<curator::LeaderLatch>(
      client_, curator::LeaderLatchOptions{options_.zk_namespace + "/leader/latch", options_.participant, options_.requeue_on_reconnect,
                                    options_.curator_version},
      curator::LeaderLatchListener{[simulation, box] { simulation->mailbox_post(box, sim::Mail{kIsLeader, 0, nullptr}); },
                                   [simulation, box] { simulation->mailbox_post(box, sim::Mail{kNotLeader, 0, nullptr}); }});
  sim.spawn(client_.owner(), "leader-election", [this] { run(); });
  cache_box_ = sim.mailbox_open(client_.owner());
  const sim::MailboxId cache_box = cache_box_;
  // TreeCache.handleStateChange: RECONNECTED -> root.wasReconnected() reads everything again.
  client_.add_connection_listener([simulation, cache_box](curator::ConnectionState state) {
    if (state == curator::ConnectionState::kReconnected) simulation->mailbox_post(cache_box, sim::Mail{kResync, 0, nullptr});
  });
  sim.spawn(client_.owner(), "leader-information-cache", [this] { run_leader_information_cache(); });
  latch_->start();
}

void LeaderElectionService::run() {
  for (;;) {
    const auto event = client_.sim().receive(box_);
    if (event->tag == kIsLeader) {
      on_is_leader();
    } else {
      on_not_leader();
    }
  }
}

std::string LeaderElectionService::new_session_id() {
  char uuid[40];
  const std::uint64_t a = rng_.next_u64(), b = rng_.next_u64();
  std::snprintf(uuid, sizeof uuid, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)), static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return uuid;
}

void LeaderElectionService::on_is_leader() {
  // The latch may have flipped back while this event waited in the queue.
  if (!latch_->has_leadership()) return;
  issued_ = new_session_id();
  trace("grant", {{"session_id", *issued_}});
  probe_grant();
  for (const auto& contender : contenders_) contender.grant(*issued_);
}

void LeaderElectionService::on_not_leader() {
  if (!issued_) return;
  trace("revoke", {{"session_id", *issued_}});
  probe_revoke();
  issued_.reset();
  for (Published& entry : published_) entry.confirmed.reset();  // notifyLeaderContenderOfLeadershipLoss
  for (const auto& contender : contenders_) contender.revoke();
}

void LeaderElectionService::probe_grant() {
  granted_zk_session_ = client_.session_id();
  if (options_.observer != nullptr && options_.observer->other_leader_paused(client_.owner())) {
    model::probe(client_.sim(), model::Probe::kFlinkStandbyGrantedWhileLeaderPaused);
  }
}

// Revoked only now, while the quorum had already closed the session of the grant: for a while
// this JobManager believed it led with no session behind its latch node.
void LeaderElectionService::probe_revoke() {
  if (options_.observer != nullptr && granted_zk_session_ != 0 && options_.observer->session_closed(granted_zk_session_)) {
    model::probe(client_.sim(), model::Probe::kFlinkLeaderBelievedPastSessionExpiry);
  }
}

bool LeaderElectionService::confirm(const std::string& component, const std::string& session_id,
                                    const std::string& address) {
  if (!latch_->has_leadership() || !issued_ || *issued_ != session_id) {
    trace("confirm-rejected", {{"component", component}, {"session_id", session_id}});
    return false;
  }
  const PublishOutcome outcome =
      write_leader_information(client_, connection_info_path(options_.zk_namespace, component), {session_id, address},
                               [this] { return latch_->has_leadership(); });
  trace(outcome == PublishOutcome::kWritten ? "confirm" : "confirm-unpublished",
        {{"component", component}, {"session_id", session_id}, {"address", address}});
  if (outcome != PublishOutcome::kWritten) {
    model::probe(client_.sim(), model::Probe::kFlinkConfirmUnpublished);
    return false;
  }
  // Flink records the confirmed information under its lock before publishing, and its cache
  // events wait for that lock; recording it once written keeps the two writers of this process
  // (this fiber and the cache's) from interleaving on one node. Revoked meanwhile: nothing to keep.
  if (issued_ && *issued_ == session_id) {
    const std::size_t index = component_index(component);
    published_[index].confirmed = LeaderInformation{session_id, address};
    post_check(index);
  }
  return true;
}

std::size_t LeaderElectionService::component_index(const std::string& component) {
  for (std::size_t i = 0; i < published_.size(); i++) {
    if (published_[i].component == component) return i;
  }
  published_.push_back(Published{component, std::nullopt, 0});
  return published_.size() - 1;
}

void LeaderElectionService::post_check(std::size_t index) {
  Published& entry = published_[index];
  entry.watch_generation++;
  const std::uint64_t channel = (static_cast<std::uint64_t>(entry.watch_generation) << 32) | index;
  client_.sim().mailbox_post(cache_box_, sim::Mail{kCheck, channel, nullptr});
}

void LeaderElectionService::run_leader_information_cache() {
  for (;;) {
    const auto event = client_.sim().receive(cache_box_);
    if (event->tag == kResync) {
      for (std::size_t i = 0; i < published_.size(); i++) {
        if (published_[i].confirmed) post_check(i);
      }
      continue;
    }
    check_published(static_cast<std::size_t>(event->channel & 0xffffffffULL),
                    static_cast<std::uint32_t>(event->channel >> 32));
  }
}

// Reads a confirmed component's connection_info with a watch and, while the latch says leader and
// the node differs from what we confirmed (or is gone), publishes ours again.
// (published_ may grow while this fiber blocks: entries are re-read by index after each call.)
void LeaderElectionService::check_published(std::size_t index, std::uint32_t generation) {
  if (generation != published_[index].watch_generation) return;  // a newer watch superseded this one
  // ZooKeeperLeaderElectionDriver.shouldHandleLeaderInformationEvent: only while leading.
  if (!published_[index].confirmed || !latch_->has_leadership()) return;
  const std::string component = published_[index].component;
  const std::string path = connection_info_path(options_.zk_namespace, component);
  const std::uint32_t armed = ++published_[index].watch_generation;
  const std::uint64_t channel = (static_cast<std::uint64_t>(armed) << 32) | index;
  sim::Simulation* simulation = &client_.sim();
  const sim::MailboxId box = cache_box_;
  const curator::Watcher again = [simulation, box, channel](model::zk::EventType, const std::string&) {
    simulation->mailbox_post(box, sim::Mail{kCheck, channel, nullptr});
  };
  LeaderInformation seen;
  const auto read = client_.get_data(path, again);
  if (read.code == model::zk::Code::Ok) {
    seen = decode_leader_information(read.data);
  } else if (read.code == model::zk::Code::NoNode) {
    const auto watched = client_.exists(path, again);
    if (watched.code == model::zk::Code::Ok) {  // created in between: read it through the watch
      simulation->mailbox_post(box, sim::Mail{kCheck, channel, nullptr});
      return;
    }
  } else {
    return;  // not read (connection loss): RECONNECTED reads again
  }
  // The blocking read may have outlived the leadership or the confirmation.
  const std::optional<LeaderInformation> confirmed = published_[index].confirmed;
  if (!confirmed || !latch_->has_leadership() || seen == *confirmed) return;
  const LeaderInformation ours = *confirmed;
  model::probe(client_.sim(), model::Probe::kFlinkLeaderInformationCorrected);
  trace("leader-information-corrected", {{"component", component},
                                         {"session_id", ours.session_id},
                                         {"address", ours.address},
                                         {"found_session_id", seen.session_id},
                                         {"found_address", seen.address}});
  write_leader_information(client_, path, ours, [this] { return latch_->has_leadership(); });
}

}  // namespace model::flink
