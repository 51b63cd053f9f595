#include "model/zookeeper/zk_server.hpp"

#include <fmt/core.h>

namespace model::zk {
namespace {

constexpr std::uint32_t kTimerTag = 0x5a01;
constexpr std::uint32_t kFsyncTag = 0x5a02;

}  // namespace

namespace {
// Whole milliseconds, as Time.currentElapsedTime() reads them.
sim::Duration draw_tick_phase(const ServerEnvironment& env, int server_id) {
  SIM_ASSERT(env.sim != nullptr && env.config != nullptr);
  const auto tick_ms = static_cast<std::uint64_t>(env.config->tick.to_ms());
  if (tick_ms == 0) return sim::Duration{};
  sim::Prng rng = env.sim->rng_stream("zk-tick-phase/zk" + std::to_string(server_id));
  return sim::milliseconds(static_cast<std::int64_t>(rng.below(tick_ms)));
}
}  // namespace

ZkServer::ZkServer(const ServerEnvironment& env, int index, DurableLog& log)
    : env_(env),
      index_(index),
      id_(env.config->servers.at(static_cast<std::size_t>(index)).id),
      log_(log),
      tick_phase_(draw_tick_phase(env, id_)),
      pid_(env.server_pids.at(static_cast<std::size_t>(index))) {
  SIM_ASSERT(env_.sim != nullptr && env_.net != nullptr && env_.config != nullptr);
  SIM_ASSERT(server_count() == static_cast<int>(env_.config->servers.size()));
}

ServerView ZkServer::view() const {
  return ServerView{state_, serving_, leader_index_, log_.current_epoch,
                    applied_ == 0 ? 0 : log_.entries[applied_ - 1].header.zxid, clients_.size()};
}

void ZkServer::trace(const char* what, std::vector<sim::TraceField> fields) {
  env_.sim->record("zk", what, pid_, std::move(fields));
}

void ZkServer::run() {
  boot();
  for (;;) {
    const std::optional<sim::Mail> mail = env_.sim->receive(box_);
    SIM_ASSERT(mail.has_value());
    on_mail(*mail);
    drop_failed_links();
  }
}

// Links whose send failed are dropped once the current message is handled: dropping one inside
// a loop over followers_ or clients_ would invalidate that loop (a socket error is noticed
// asynchronously in ZooKeeper too).
void ZkServer::drop_failed_links() {
  while (!failed_links_.empty()) {
    const sim::EndpointId endpoint = failed_links_.back();
    failed_links_.pop_back();
    on_link_lost(endpoint);
  }
}

void ZkServer::boot() {
  box_ = env_.sim->mailbox_open(pid_);
  // The quorum port (kPeerPort) listens only while leading: start_leading.
  for (const std::uint16_t port : {kElectionPort, kClientPort}) env_.net->listen(pid_, port, box_);
  replay_log();
  trace("boot", {{"last_zxid", log_.last_zxid()}, {"epoch", log_.current_epoch}});
  start_election();
}

// ZooKeeper loads its snapshot and replays every logged txn, committed or not; a new leader's
// TRUNC removes what the quorum never agreed on.
void ZkServer::replay_log() { rebuild_tree(log_.last_zxid()); }

void ZkServer::rebuild_tree(Zxid through) {
  tree_ = DataTree();
  sessions_.clear();
  applied_ = 0;
  while (applied_ < log_.entries.size() && log_.entries[applied_].header.zxid <= through) {
    apply_entry(log_.entries[applied_++]);
  }
}

void ZkServer::apply_entry(const LogEntry& entry) {
  if (const auto* create = std::get_if<CreateSessionTxn>(&entry.txn)) {
    sessions_[create->session] = create->timeout;
    if (serving_) deliver_result(entry, TxnResult{});
    return;
  }
  const Txn& txn = std::get<Txn>(entry.txn);
  if (std::holds_alternative<CloseSessionTxn>(txn)) {
    sessions_.erase(entry.header.session);
    if (tracker_) tracker_->remove(entry.header.session);
  }
  TxnResult result = tree_.apply(entry.header, txn);
  if (serving_) deliver_result(entry, result);
}

void ZkServer::arm(Timer timer, sim::Duration delay) {
  const std::uint64_t generation = ++timer_generation_[timer];
  sim::Simulation* sim = env_.sim;
  const sim::MailboxId box = box_;
  const std::uint64_t channel = (static_cast<std::uint64_t>(timer) << 32) | (generation & 0xffffffffu);
  sim->after(delay, [sim, box, channel] { sim->mailbox_post(box, sim::Mail{kTimerTag, channel, nullptr}); }, pid_);
}

void ZkServer::send(sim::EndpointId endpoint, std::shared_ptr<const sim::Payload> payload) {
  if (!env_.net->send(endpoint, std::move(payload))) failed_links_.push_back(endpoint);
}

void ZkServer::on_mail(const sim::Mail& mail) {
  if (mail.tag == kTimerTag) {
    const auto timer = static_cast<Timer>(mail.channel >> 32);
    if ((timer_generation_[timer] & 0xffffffffu) == (mail.channel & 0xffffffffu)) on_timer(timer, mail.channel);
    return;
  }
  if (mail.tag == kFsyncTag) {
    fsync_done(static_cast<std::size_t>(mail.channel));
    return;
  }
  const sim::EndpointId endpoint = mail.channel;
  switch (mail.tag) {
    case sim::NetTag::kAccepted: links_[endpoint] = Link::kUnknown; return;
    case sim::NetTag::kConnected: {
      auto link = links_.find(endpoint);
      if (link == links_.end()) return;
      connected_.insert(endpoint);
      if (link->second == Link::kElectionOut) {
        for (const auto& [peer, out] : election_out_) {
          if (out == endpoint) send_vote(peer);
        }
      } else if (link->second == Link::kLeader) {
        auto info = std::make_shared<FollowerInfo>();
        info->from = index_;
        info->accepted_epoch = log_.accepted_epoch;
        info->last_zxid = log_.last_zxid();
        send(endpoint, info);
      }
      return;
    }
    case sim::NetTag::kRefused:
    case sim::NetTag::kReset:
    case sim::NetTag::kClosed: on_link_lost(endpoint); return;
    case sim::NetTag::kData: break;
    default: SIM_ASSERT_MSG(false, "unexpected mail tag at a ZooKeeper server");
  }
  auto link = links_.find(endpoint);
  if (link == links_.end()) return;  // a link we already dropped
  const sim::Payload* payload = mail.payload.get();
  // LearnerHandler: every packet read from a synced learner restarts its socket read timeout.
  if (link->second == Link::kLearner) {
    if (auto follower = followers_.find(endpoint); follower != followers_.end()) heard_from_learner(follower->second);
  }
  if (const auto* vote = sim::payload_as<Vote>(payload)) {
    if (link->second == Link::kUnknown) link->second = Link::kElectionIn;
    on_vote(endpoint, *vote);
  } else if (link->second == Link::kClient || sim::payload_as<ConnectRequest>(payload) != nullptr) {
    link->second = Link::kClient;
    on_client_mail(endpoint, mail);
  } else if (const auto* info = sim::payload_as<FollowerInfo>(payload)) {
    link->second = Link::kLearner;
    on_follower_info(endpoint, *info);
  } else if (sim::payload_as<AckNewLeader>(payload)) {
    on_ack_new_leader(endpoint);
  } else if (const auto* ack = sim::payload_as<Ack>(payload)) {
    on_ack(ack->from, ack->zxid);
  } else if (const auto* ping = sim::payload_as<FollowerPing>(payload)) {
    on_follower_ping(endpoint, *ping);
  } else if (const auto* request = sim::payload_as<ForwardedRequest>(payload)) {
    on_forwarded_request(endpoint, *request);
  } else if (endpoint == leader_link_) {
    leader_last_heard_ = env_.sim->now();
    if (const auto* message = sim::payload_as<NewLeader>(payload)) on_new_leader(*message);
    else if (const auto* ready = sim::payload_as<UpToDate>(payload)) on_up_to_date(*ready);
    else if (const auto* proposal = sim::payload_as<Proposal>(payload)) on_proposal(*proposal);
    else if (const auto* commit = sim::payload_as<Commit>(payload)) on_commit(commit->zxid);
    else if (sim::payload_as<LeaderPing>(payload)) on_leader_ping();
    else if (const auto* reply = sim::payload_as<ForwardedReply>(payload)) on_forwarded_reply(*reply);
  }
}

void ZkServer::on_timer(Timer timer, std::uint64_t) {
  switch (timer) {
    case Timer::kElectionResend:
      if (state_ != PeerState::kLooking) return;
      broadcast_vote();
      notification_interval_ = std::min(notification_interval_ * 2, env_.tuning.notification_interval_max);
      arm(Timer::kElectionResend, notification_interval_);
      return;
    case Timer::kFinalize: finalize_election(); return;
    case Timer::kTick: leader_tick(); return;
    case Timer::kSessionExpiry:
      if (state_ != PeerState::kLeading || !leader_established_ || !tracker_) return;
      expire_sessions();
      arm_session_expiry();
      return;
    case Timer::kSyncLimit: follower_check_leader(); return;
    case Timer::kLearnerTimeout: drop_silent_learners(); return;
    case Timer::kConnectLeader:
      if (state_ == PeerState::kFollowing && !follower_synced_) connect_to_leader();
      return;
    case Timer::kInitLimit:
      // Discovery or sync did not finish within initLimit ticks: look for a leader again.
      if ((state_ == PeerState::kLeading && !leader_established_) || (state_ == PeerState::kFollowing && !serving_)) {
        trace("init-limit-expired");
        become(PeerState::kLooking);
      }
      return;
  }
}

void ZkServer::on_link_lost(sim::EndpointId endpoint) {
  auto link = links_.find(endpoint);
  if (link == links_.end()) return;
  const Link kind = link->second;
  links_.erase(link);
  const bool was_connected = connected_.erase(endpoint) != 0;
  env_.net->close(endpoint);
  switch (kind) {
    case Link::kElectionOut:
      for (auto it = election_out_.begin(); it != election_out_.end(); ++it) {
        if (it->second == endpoint) {
          election_out_.erase(it);
          break;
        }
      }
      return;
    case Link::kLeader:
      if (endpoint == leader_link_) {
        if (retry_leader_connect(was_connected)) return;
        trace("leader-lost");
        become(PeerState::kLooking);
      }
      return;
    case Link::kLearner: followers_.erase(endpoint); return;
    case Link::kClient: close_client(endpoint); return;
    case Link::kElectionIn:
    case Link::kUnknown: return;
  }
}

// Leaving a role is ZooKeeper's QuorumPeer shutting its ZooKeeperServer down: clients are
// dropped, outstanding changes forgotten, and the peer looks for a leader again.
void ZkServer::become(PeerState state) {
  if (state_ == state && state != PeerState::kLooking) return;
  const PeerState previous = state_;
  close_all_clients();
  serving_ = false;
  tree_.drop_outstanding_changes();
  tracker_.reset();
  pending_.clear();
  for (auto& [endpoint, follower] : followers_) {
    env_.net->close(endpoint);
    links_.erase(endpoint);
  }
  followers_.clear();
  if (leader_link_ != sim::EndpointId{} && links_.count(leader_link_) != 0) {
    env_.net->close(leader_link_);
    links_.erase(leader_link_);
  }
  leader_link_ = sim::EndpointId{};
  leader_established_ = false;
  if (previous == PeerState::kLeading) env_.net->unlisten(pid_, kPeerPort);  // Leader.shutdown closes ss
  touched_.clear();
  syncs_waiting_.clear();
  state_ = state;
  trace("state", {{"from", std::string(to_string(previous))}, {"to", std::string(to_string(state))}});
  if (state == PeerState::kLooking) {
    leader_index_ = -1;
    // Anything logged but not applied is replayed, as a restarted ZooKeeperServer reloads its
    // database before it syncs with the next leader.
    while (applied_ < log_.entries.size()) apply_entry(log_.entries[applied_++]);
    start_election();
  }
}

void ZkServer::append_and_fsync(LogEntry entry) {
  log_.append(std::move(entry));
  sim::Simulation* sim = env_.sim;
  const sim::MailboxId box = box_;
  const std::uint64_t durable = log_.entries.size();
  sim->after(env_.tuning.fsync, [sim, box, durable] { sim->mailbox_post(box, sim::Mail{kFsyncTag, durable, nullptr}); },
             pid_);
}

void ZkServer::fsync_done(std::size_t durable_entries) {
  if (durable_entries > log_.entries.size()) durable_entries = log_.entries.size();
  if (durable_entries <= log_.synced) return;
  const std::size_t first_new = log_.synced;
  log_.synced = durable_entries;
  for (std::size_t i = first_new; i < durable_entries; i++) {
    const Zxid zxid = log_.entries[i].header.zxid;
    if (state_ == PeerState::kLeading && leader_established_) {
      on_ack(index_, zxid);
    } else if (state_ == PeerState::kFollowing && serving_ && links_.count(leader_link_) != 0) {
      auto ack = std::make_shared<Ack>();
      ack->from = index_;
      ack->zxid = zxid;
      send(leader_link_, ack);
    }
  }
}

}  // namespace model::zk
