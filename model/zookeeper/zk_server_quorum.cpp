// The leader and follower roles: discovery and sync (Leader.lead, LearnerHandler, Learner),
// broadcast with quorum commit, pings, and the quorum and sync-limit checks that make a server
// give up its role.
#include <algorithm>

#include "model/zookeeper/zk_server.hpp"
#include "model/probes.hpp"

namespace model::zk {

// ---- following ----------------------------------------------------------------------------

void ZkServer::start_following(int leader) {
  SIM_ASSERT(leader != index_);
  timer_generation_[Timer::kElectionResend]++;
  timer_generation_[Timer::kFinalize]++;
  timer_generation_[Timer::kConnectLeader]++;
  state_ = PeerState::kFollowing;
  leader_index_ = leader;
  follower_synced_ = false;
  commit_target_ = 0;
  trace("state", {{"to", std::string("FOLLOWING")}, {"leader", std::int64_t{leader}}});
  leader_connect_tries_ = 0;
  connect_to_leader();
  leader_last_heard_ = env_.sim->now();
  arm(Timer::kInitLimit, env_.config->tick * env_.config->init_limit);
}

// Learner.connectToLeader: the elected leader may not listen yet (it decides up to the finalize
// wait later than its followers), so a refused connect is retried, 5 tries 100 ms apart.
void ZkServer::connect_to_leader() {
  leader_connect_tries_++;
  leader_link_ = env_.net->connect(pid_, env_.server_pids[static_cast<std::size_t>(leader_index_)], kPeerPort, box_);
  links_[leader_link_] = Link::kLeader;
}

bool ZkServer::retry_leader_connect(bool was_connected) {
  constexpr int kTriesMax = 5;
  if (was_connected || follower_synced_ || state_ != PeerState::kFollowing || leader_connect_tries_ >= kTriesMax) {
    return false;
  }
  arm(Timer::kConnectLeader, sim::milliseconds(100));
  return true;
}

void ZkServer::on_new_leader(const NewLeader& message) {
  if (state_ != PeerState::kFollowing || follower_synced_) return;
  const bool truncates = log_.last_zxid() > message.truncate_to;
  if (truncates) {
    trace("truncate", {{"from", log_.last_zxid()}, {"to", message.truncate_to}});
    model::probe(*env_.sim, model::Probe::kZkFollowerTruncated);
    log_.truncate_after(message.truncate_to);
  }
  for (const LogEntry& entry : message.entries) {
    if (entry.header.zxid > log_.last_zxid()) log_.append(entry);
  }
  log_.accepted_epoch = message.epoch;
  log_.current_epoch = message.epoch;
  log_.sync_all();
  // Whatever was applied from a truncated tail is not the quorum's state: reload, as ZooKeeper
  // reloads its database after a TRUNC.
  if (truncates) rebuild_tree(message.truncate_to);
  follower_synced_ = true;
  auto ack = std::make_shared<AckNewLeader>();
  ack->from = index_;
  send(leader_link_, ack);
}

void ZkServer::on_up_to_date(const UpToDate& message) {
  if (state_ != PeerState::kFollowing || !follower_synced_ || serving_) return;
  commit_target_ = std::max(commit_target_, message.committed);
  serving_ = true;
  timer_generation_[Timer::kInitLimit]++;
  apply_committed();
  trace("following", {{"leader", std::int64_t{leader_index_}}, {"epoch", log_.current_epoch}});
  arm_leader_read_timeout();
}

void ZkServer::on_proposal(const Proposal& proposal) {
  if (state_ != PeerState::kFollowing || !follower_synced_) return;
  if (proposal.entry.header.zxid <= log_.last_zxid()) return;  // already had it from the sync
  append_and_fsync(proposal.entry);
}

void ZkServer::on_commit(Zxid zxid) {
  if (state_ != PeerState::kFollowing) return;
  commit_target_ = std::max(commit_target_, zxid);
  if (serving_) apply_committed();
}

void ZkServer::apply_committed() {
  while (applied_ < log_.entries.size() && log_.entries[applied_].header.zxid <= commit_target_) {
    apply_entry(log_.entries[applied_++]);
  }
  answer_syncs();
}

void ZkServer::on_leader_ping() {
  if (state_ != PeerState::kFollowing) return;
  auto ping = std::make_shared<FollowerPing>();
  ping->from = index_;
  ping->touched.assign(touched_.begin(), touched_.end());
  touched_.clear();
  send(leader_link_, ping);
}

// Learner's socket read timeout (Learner.syncWithLeader: sock.setSoTimeout(tickTime * syncLimit)
// once synced): the read fails syncLimit ticks after the last packet from the leader, to the
// millisecond, not on a tick grid. The timer is re-armed lazily for the latest packet's deadline.
void ZkServer::arm_leader_read_timeout() {
  const sim::Instant deadline = leader_last_heard_ + sync_timeout();
  const sim::Instant now = env_.sim->now();
  leader_read_due_ = deadline > now ? deadline : now;
  arm(Timer::kSyncLimit, leader_read_due_ - now);
}

// A socket read timeout is a thread blocked in a timed read. If this process was paused through
// the deadline (the simulator runs the timer late, at the resume), the silence it saw is its own
// stop, not the peer's: the reader restarts from the resume, and whatever the peer sends once it
// runs again (a co-paused leader's ping, a co-paused learner's reply) is read in time. Calibrated
// on a real 3.8 ensemble, where a leader paused together with one follower past syncLimit keeps
// leading with it; a peer that went away meanwhile closed its socket, which is read first.
sim::Instant ZkServer::read_silence_start(sim::Instant last_heard, sim::Instant due) const {
  const sim::Instant now = env_.sim->now();
  return now > due && now > last_heard ? now : last_heard;
}

void ZkServer::follower_check_leader() {
  if (state_ != PeerState::kFollowing || !serving_) return;
  leader_last_heard_ = read_silence_start(leader_last_heard_, leader_read_due_);
  if (env_.sim->now() - leader_last_heard_ >= sync_timeout()) {
    trace("leader-silent", {{"silent_ms", (env_.sim->now() - leader_last_heard_).to_ms()}});
    become(PeerState::kLooking);
    return;
  }
  arm_leader_read_timeout();
}

void ZkServer::on_forwarded_reply(const ForwardedReply& reply) {
  if (reply.kind == ForwardedReply::Kind::kRevalidate) {
    finish_connect(reply.origin.connection, reply.session, reply.timeout, reply.session_valid);
    return;
  }
  auto client = clients_.find(reply.origin.connection);
  if (client == clients_.end()) return;
  syncs_waiting_.push_back(SyncWaiting{reply.zxid, reply.origin.connection, reply.origin.xid, reply.path});
  answer_syncs();
}

// ---- leading ------------------------------------------------------------------------------

void ZkServer::start_leading() {
  timer_generation_[Timer::kElectionResend]++;
  timer_generation_[Timer::kFinalize]++;
  state_ = PeerState::kLeading;
  leader_index_ = index_;
  leader_established_ = false;
  epoch_decided_ = false;
  tick_ = 0;  // Leader.lead: self.tick.set(0)
  tick_skip_ = true;
  trace("state", {{"to", std::string("LEADING")}});
  // QuorumPeer.makeLeader: the Leader binds the quorum port only now, so a follower that decided
  // first is refused and retries (Learner.connectToLeader) until it listens.
  env_.net->listen(pid_, kPeerPort, box_);
  arm(Timer::kInitLimit, env_.config->tick * env_.config->init_limit);
  if (quorum() == 1) decide_epoch();
}

void ZkServer::on_follower_info(sim::EndpointId endpoint, const FollowerInfo& info) {
  if (state_ != PeerState::kLeading) {
    on_link_lost(endpoint);
    return;
  }
  Follower& follower = followers_[endpoint];
  follower.index = info.from;
  follower.accepted_epoch = info.accepted_epoch;
  follower.last_zxid = info.last_zxid;
  heard_from_learner(follower);
  if (epoch_decided_) {
    sync_follower(endpoint, follower);
    return;
  }
  if (static_cast<int>(followers_.size()) + 1 >= quorum()) decide_epoch();
}

// Leader.getEpochToPropose: one more than every accepted epoch in the quorum.
void ZkServer::decide_epoch() {
  std::int64_t max_epoch = log_.accepted_epoch;
  for (const auto& [endpoint, follower] : followers_) max_epoch = std::max(max_epoch, follower.accepted_epoch);
  new_epoch_ = max_epoch + 1;
  log_.accepted_epoch = new_epoch_;
  epoch_decided_ = true;
  trace("new-epoch", {{"epoch", new_epoch_}});
  for (auto& [endpoint, follower] : followers_) sync_follower(endpoint, follower);
  if (quorum() == 1) establish_leadership();
}

// LearnerHandler.syncFollower: truncate the follower to the newest zxid both logs hold, then send
// the rest of the leader's log.
void ZkServer::sync_follower(sim::EndpointId endpoint, Follower& follower) {
  Zxid truncate_to = 0;
  for (const LogEntry& entry : log_.entries) {
    if (entry.header.zxid <= follower.last_zxid) truncate_to = entry.header.zxid;
  }
  auto message = std::make_shared<NewLeader>();
  message->epoch = new_epoch_;
  message->truncate_to = truncate_to;
  for (const LogEntry& entry : log_.entries) {
    if (entry.header.zxid > truncate_to) message->entries.push_back(entry);
  }
  follower.sent_new_leader = true;
  send(endpoint, message);
}

void ZkServer::on_ack_new_leader(sim::EndpointId endpoint) {
  auto found = followers_.find(endpoint);
  if (state_ != PeerState::kLeading || found == followers_.end()) return;
  found->second.synced = true;
  heard_from_learner(found->second);
  if (leader_established_) {
    arm_learner_timeout();
    // It logged everything we had, pending proposals included.
    for (PendingProposal& pending : pending_) pending.acks.insert(found->second.index);
    auto ready = std::make_shared<UpToDate>();
    ready->committed = applied_ == 0 ? 0 : log_.entries[applied_ - 1].header.zxid;
    send(endpoint, ready);
    commit_ready();
    return;
  }
  int synced = 1;
  for (const auto& [ep, follower] : followers_) synced += follower.synced;
  if (synced >= quorum()) establish_leadership();
}

// A quorum holds the leader's whole history, so all of it is committed.
void ZkServer::establish_leadership() {
  leader_established_ = true;
  log_.current_epoch = new_epoch_;
  log_.sync_all();
  zxid_counter_ = 0;
  timer_generation_[Timer::kInitLimit]++;
  while (applied_ < log_.entries.size()) apply_entry(log_.entries[applied_++]);
  tracker_.emplace(env_.config->tick, env_.sim->now(), id_, tick_phase_);
  for (const auto& [session, timeout] : sessions_) tracker_->track(session, timeout, env_.sim->now());
  serving_ = true;
  trace("leading", {{"epoch", new_epoch_},
                   {"sessions", static_cast<std::int64_t>(sessions_.size())},
                   {"tick_phase_ms", tick_phase_.to_ms()}});
  for (auto& [endpoint, follower] : followers_) {
    if (!follower.synced) continue;
    auto ready = std::make_shared<UpToDate>();
    ready->committed = log_.last_zxid();
    send(endpoint, ready);
  }
  arm(Timer::kTick, env_.config->tick / 2);
  arm_session_expiry();
  arm_learner_timeout();
}

// LearnerHandler: once a learner acknowledged NEWLEADER its socket gets a read timeout of
// syncLimit ticks (sock.setSoTimeout(learnerMaster.syncTimeout())). A learner silent that long (a
// paused or cut-off follower; a live one answers every ping sent each tick/2) fails the read and
// its handler closes the socket: the follower must connect and sync again before it can forward
// anything. One timer serves all learners, armed for the earliest deadline.
void ZkServer::arm_learner_timeout() {
  std::optional<sim::Instant> earliest;
  for (const auto& [endpoint, follower] : followers_) {
    if (!follower.synced) continue;
    const sim::Instant deadline = follower.last_heard + sync_timeout();
    if (!earliest || deadline < *earliest) earliest = deadline;
  }
  if (!earliest) return;
  const sim::Instant now = env_.sim->now();
  learner_timeout_due_ = *earliest > now ? *earliest : now;
  arm(Timer::kLearnerTimeout, learner_timeout_due_ - now);
}

void ZkServer::drop_silent_learners() {
  if (state_ != PeerState::kLeading || !leader_established_) return;
  const sim::Instant now = env_.sim->now();
  std::vector<sim::EndpointId> silent;
  for (auto& [endpoint, follower] : followers_) {
    if (!follower.synced) continue;
    follower.last_heard = read_silence_start(follower.last_heard, learner_timeout_due_);
    if (now - follower.last_heard >= sync_timeout()) silent.push_back(endpoint);
  }
  for (const sim::EndpointId endpoint : silent) {
    trace("learner-timeout", {{"follower", std::int64_t{followers_[endpoint].index}},
                              {"silent_ms", (now - followers_[endpoint].last_heard).to_ms()}});
    on_link_lost(endpoint);
  }
  arm_learner_timeout();
}

// SessionTrackerImpl.run is a thread of its own: it sleeps until the ExpiryQueue's next
// expiration time, expires that bucket, and sleeps again (a bucket every tick, empty or not).
void ZkServer::arm_session_expiry() {
  const sim::Instant now = env_.sim->now();
  const sim::Instant due = tracker_->next_expiration();
  arm(Timer::kSessionExpiry, due > now ? due - now : sim::Duration{});
}

void ZkServer::propose(LogEntry entry) {
  SIM_ASSERT(state_ == PeerState::kLeading && leader_established_);
  SIM_ASSERT(entry.header.zxid > log_.last_zxid());
  pending_.push_back(PendingProposal{entry.header.zxid, {}});
  auto proposal = std::make_shared<Proposal>();
  proposal->entry = entry;
  append_and_fsync(std::move(entry));
  // A follower being synced gets it too, after its NewLeader on the same FIFO link, as a
  // LearnerHandler queues packets behind the sync: otherwise a proposal made between the NewLeader
  // and its ack is a hole in that follower's log, and its tree diverges.
  for (const auto& [endpoint, follower] : followers_) {
    if (follower.sent_new_leader) send(endpoint, proposal);
  }
}

void ZkServer::on_ack(int from, Zxid zxid) {
  if (state_ != PeerState::kLeading || !leader_established_) return;
  for (PendingProposal& pending : pending_) {
    if (pending.zxid == zxid) pending.acks.insert(from);
  }
  commit_ready();
}

// Commits strictly in zxid order: a later proposal with a quorum waits for the earlier ones.
void ZkServer::commit_ready() {
  while (!pending_.empty() && static_cast<int>(pending_.front().acks.size()) >= quorum()) {
    const Zxid zxid = pending_.front().zxid;
    pending_.erase(pending_.begin());
    while (applied_ < log_.entries.size() && log_.entries[applied_].header.zxid <= zxid) {
      apply_entry(log_.entries[applied_++]);
    }
    for (const auto& [endpoint, follower] : followers_) {
      if (!follower.sent_new_leader) continue;
      auto commit = std::make_shared<Commit>();
      commit->zxid = zxid;
      send(endpoint, commit);
    }
    answer_syncs();
  }
}

// LearnerHandler main loop: every packet read sets tickOfNextAckDeadline to the leader's tick +
// syncLimit (Leader.getTickOfNextAckDeadline), and restarts the socket read timeout.
void ZkServer::heard_from_learner(Follower& follower) {
  follower.last_heard = env_.sim->now();
  follower.ack_deadline_tick = tick_ + env_.config->sync_limit;
}

// LearnerHandler.synced: alive and the leader's tick has not passed the learner's ack deadline.
bool ZkServer::learner_synced(const Follower& follower) const {
  return follower.synced && tick_ <= follower.ack_deadline_tick;
}

// Leader.lead's loop, woken every tick/2: every other wake advances the leader's own tick and
// steps down unless a quorum is synced by that tick count; every wake pings the learners. The
// quorum is judged in the leader's ticks, not elapsed time: a leader paused with a follower has
// not ticked meanwhile, so on resume that follower still counts. (Sessions expire on their own
// timer, on elapsed time: arm_session_expiry.)
void ZkServer::leader_tick() {
  if (state_ != PeerState::kLeading || !leader_established_) return;
  if (!tick_skip_) tick_++;
  int synced = 1;
  for (const auto& [endpoint, follower] : followers_) synced += learner_synced(follower);
  if (!tick_skip_ && synced < quorum()) {
    trace("quorum-lost", {{"in_touch", std::int64_t{synced}}, {"tick", tick_}});
    if (uncommitted_checkpoint_pointer_create()) model::probe(*env_.sim, model::Probe::kZkQuorumLostDuringCheckpointWrite);
    become(PeerState::kLooking);
    return;
  }
  tick_skip_ = !tick_skip_;
  for (const auto& [endpoint, follower] : followers_) {
    if (follower.synced) send(endpoint, std::make_shared<LeaderPing>());
  }
  arm(Timer::kTick, env_.config->tick / 2);
}

// For a probe only: whether a proposed, not yet committed transaction of this leader creates a
// checkpoint pointer (Flink's addAndLock multi). The leader applies in commit order, so every
// entry from `applied_` on is uncommitted.
bool ZkServer::uncommitted_checkpoint_pointer_create() const {
  for (std::size_t i = applied_; i < log_.entries.size(); i++) {
    const auto* txn = std::get_if<Txn>(&log_.entries[i].txn);
    const auto* multi = txn == nullptr ? nullptr : std::get_if<MultiTxn>(txn);
    if (multi == nullptr) continue;
    for (const SubTxn& sub : multi->txns) {
      const auto* create = std::get_if<CreateTxn>(&sub);
      if (create != nullptr && model::is_checkpoint_pointer_path(create->path)) return true;
    }
  }
  return false;
}

void ZkServer::expire_sessions() {
  for (const SessionId session : tracker_->poll_expired(env_.sim->now())) {
    trace("session-expired", {{"session", session}});
    const Zxid zxid = next_zxid();
    const TxnHeader header{session, zxid, env_.sim->now().to_ms()};
    propose(LogEntry{header, Txn{tree_.prepare(session, CloseSessionRequest{}, zxid, header.time)}, RequestOrigin{}});
  }
}

void ZkServer::on_follower_ping(sim::EndpointId endpoint, const FollowerPing& ping) {
  auto found = followers_.find(endpoint);
  if (found == followers_.end() || !tracker_) return;
  heard_from_learner(found->second);
  for (const SessionId session : ping.touched) tracker_->touch(session, env_.sim->now());
}

// LearnerHandler: a forwarded request is owned by the handler it arrived on (si.setOwner(this)).
void ZkServer::on_forwarded_request(sim::EndpointId endpoint, const ForwardedRequest& request) {
  if (state_ != PeerState::kLeading || !leader_established_) return;  // the follower's client times out
  if (followers_.count(endpoint) == 0) return;  // not a learner of ours (any more)
  leader_accept(request.session, request.origin, request, SessionOwner{endpoint});
}

void ZkServer::leader_accept(SessionId session, const RequestOrigin& origin, const ForwardedRequest& request,
                             SessionOwner owner) {
  const sim::Instant now = env_.sim->now();
  if (const auto* create = std::get_if<ForwardedRequest::CreateSession>(&request.request)) {
    const SessionId id = tracker_->create_session(create->timeout, now);
    tracker_->set_owner(id, owner);  // PrepRequestProcessor createSession: zks.setOwner
    const Zxid zxid = next_zxid();
    propose(LogEntry{TxnHeader{id, zxid, now.to_ms()}, CreateSessionTxn{id, create->timeout}, origin});
    return;
  }
  auto reply = std::make_shared<ForwardedReply>();
  reply->origin = origin;
  reply->session = session;
  if (const auto* revalidate = std::get_if<ForwardedRequest::Revalidate>(&request.request)) {
    reply->kind = ForwardedReply::Kind::kRevalidate;
    reply->session = revalidate->session;
    reply->session_valid = tracker_->touch(revalidate->session, now);
    // Leader.revalidateSession / LeaderZooKeeperServer.revalidateSession: the session now belongs to
    // the server the client reconnected through.
    if (reply->session_valid) tracker_->set_owner(revalidate->session, owner);
    reply->timeout = tracker_->timeout_of(revalidate->session).value_or(sim::Duration{});
    reply_to_origin(reply);
    return;
  }
  if (const auto* sync = std::get_if<ForwardedRequest::Sync>(&request.request)) {
    reply->kind = ForwardedReply::Kind::kSync;
    reply->zxid = log_.last_zxid();
    reply->path = sync->path;
    reply_to_origin(reply);
    return;
  }
  const WriteRequest& write = std::get<WriteRequest>(request.request);
  const Zxid zxid = next_zxid();
  const TxnHeader header{session, zxid, now.to_ms()};
  propose(LogEntry{header, prepare_write(session, write, header, owner), origin});
}

// PrepRequestProcessor checks the session first: a request of an expired session becomes an error
// txn carrying SessionExpired; one whose session is owned by another server or connection
// (checkSession(sessionId, owner)) carries SessionMoved. In a multi the check fails its first op,
// so it stays a multi: [SessionMoved, RuntimeInconsistency...]. An empty multi checks nothing.
Txn ZkServer::prepare_write(SessionId session, const WriteRequest& write, const TxnHeader& header, SessionOwner owner) {
  if (!tracker_->touch(session, env_.sim->now())) return ErrorTxn{Code::SessionExpired};
  const auto* multi = std::get_if<MultiRequest>(&write);
  if (multi != nullptr && multi->ops.empty()) return tree_.prepare(session, write, header.zxid, header.time);
  switch (tracker_->check_session(session, owner)) {
    case SessionCheck::kOk: break;
    case SessionCheck::kExpired: return ErrorTxn{Code::SessionExpired};
    case SessionCheck::kMoved: {
      trace("session-moved", {{"session", session}, {"zxid", header.zxid}});
      if (multi == nullptr) return ErrorTxn{Code::SessionMoved};
      MultiTxn txn;
      txn.txns.emplace_back(ErrorTxn{Code::SessionMoved});
      while (txn.txns.size() < multi->ops.size()) txn.txns.emplace_back(ErrorTxn{Code::RuntimeInconsistency});
      return txn;
    }
  }
  return tree_.prepare(session, write, header.zxid, header.time);
}

void ZkServer::reply_to_origin(std::shared_ptr<ForwardedReply> reply) {
  if (reply->origin.server == index_) {
    on_forwarded_reply(*reply);
    return;
  }
  for (const auto& [endpoint, follower] : followers_) {
    if (follower.index == reply->origin.server && follower.synced) {
      send(endpoint, reply);
      return;
    }
  }
}

}  // namespace model::zk
