#include "model/flink/leader_election.hpp"

#include <cstdio>

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
  for (const auto& contender : contenders_) contender.grant(*issued_);
}

void LeaderElectionService::on_not_leader() {
  if (!issued_) return;
  trace("revoke", {{"session_id", *issued_}});
  issued_.reset();
  for (const auto& contender : contenders_) contender.revoke();
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
  return outcome == PublishOutcome::kWritten;
}

}  // namespace model::flink
