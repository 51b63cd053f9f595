// FastLeaderElection, reduced to what decides outcomes: votes ordered by (epoch, zxid, server id),
// rounds, a quorum of matching votes confirmed after finalizeWait, and joining an established
// leader reported by a quorum of peers that are no longer looking.
#include "model/zookeeper/zk_server.hpp"

namespace model::zk {
namespace {

// FastLeaderElection.totalOrderPredicate.
bool proposal_beats(std::int64_t epoch_a, Zxid zxid_a, int id_a, std::int64_t epoch_b, Zxid zxid_b, int id_b) {
  if (epoch_a != epoch_b) return epoch_a > epoch_b;
  if (zxid_a != zxid_b) return zxid_a > zxid_b;
  return id_a > id_b;
}

}  // namespace

Vote ZkServer::my_vote() const {
  Vote vote;
  vote.from = index_;
  vote.state = state_;
  vote.round = round_;
  if (state_ == PeerState::kLooking) {
    vote.leader = vote_leader_;
    vote.zxid = vote_zxid_;
    vote.epoch = vote_epoch_;
  } else {
    vote.leader = leader_index_;
    vote.zxid = log_.last_zxid();
    vote.epoch = log_.current_epoch;
  }
  return vote;
}

void ZkServer::start_election() {
  SIM_ASSERT(state_ == PeerState::kLooking);
  round_++;
  vote_leader_ = index_;
  vote_zxid_ = log_.last_zxid();
  vote_epoch_ = log_.current_epoch;
  received_votes_.clear();
  out_of_election_.clear();
  finalize_armed_ = false;
  timer_generation_[Timer::kFinalize]++;
  notification_interval_ = env_.tuning.notification_interval_min;
  trace("looking", {{"round", round_}, {"last_zxid", vote_zxid_}});
  broadcast_vote();
  arm(Timer::kElectionResend, notification_interval_);
  check_election_quorum();
}

void ZkServer::broadcast_vote() {
  for (int peer = 0; peer < server_count(); peer++) {
    if (peer != index_) send_vote(peer);
  }
}

void ZkServer::send_vote(int peer) {
  auto out = election_out_.find(peer);
  if (out == election_out_.end()) {
    // The vote goes out when the connection is up (see kConnected).
    const sim::EndpointId endpoint =
        env_.net->connect(pid_, env_.server_pids[static_cast<std::size_t>(peer)], kElectionPort, box_);
    election_out_[peer] = endpoint;
    links_[endpoint] = Link::kElectionOut;
    return;
  }
  if (connected_.count(out->second) == 0) return;
  send(out->second, std::make_shared<Vote>(my_vote()));
}

bool ZkServer::better_than_current(const Vote& vote) const {
  const int id_new = env_.config->servers[static_cast<std::size_t>(vote.leader)].id;
  const int id_current = env_.config->servers[static_cast<std::size_t>(vote_leader_)].id;
  return proposal_beats(vote.epoch, vote.zxid, id_new, vote_epoch_, vote_zxid_, id_current);
}

void ZkServer::on_vote(sim::EndpointId, const Vote& vote) {
  SIM_ASSERT(vote.from >= 0 && vote.from < server_count());
  if (state_ != PeerState::kLooking) {
    // A looking peer learns who leads from us.
    if (vote.state == PeerState::kLooking) send_vote(vote.from);
    return;
  }
  if (vote.state != PeerState::kLooking) {
    out_of_election_[vote.from] = vote;
    int agreeing = 0;
    for (const auto& [from, other] : out_of_election_) agreeing += other.leader == vote.leader;
    const auto leader_report = out_of_election_.find(vote.leader);
    if (agreeing >= quorum() && leader_report != out_of_election_.end() &&
        leader_report->second.state == PeerState::kLeading) {
      trace("join-established-leader", {{"leader", std::int64_t{vote.leader}}});
      start_following(vote.leader);
    }
    return;
  }
  if (vote.round > round_) {
    round_ = vote.round;
    received_votes_.clear();
    vote_leader_ = index_;
    vote_zxid_ = log_.last_zxid();
    vote_epoch_ = log_.current_epoch;
    if (better_than_current(vote)) {
      vote_leader_ = vote.leader;
      vote_zxid_ = vote.zxid;
      vote_epoch_ = vote.epoch;
    }
    broadcast_vote();
  } else if (vote.round < round_) {
    send_vote(vote.from);
    return;
  } else if (better_than_current(vote)) {
    vote_leader_ = vote.leader;
    vote_zxid_ = vote.zxid;
    vote_epoch_ = vote.epoch;
    broadcast_vote();
  }
  received_votes_[vote.from] = vote;
  check_election_quorum();
}

void ZkServer::check_election_quorum() {
  int agreeing = 1;  // our own vote
  for (const auto& [from, vote] : received_votes_) {
    agreeing += vote.leader == vote_leader_ && vote.zxid == vote_zxid_ && vote.epoch == vote_epoch_;
  }
  if (agreeing >= quorum() && !finalize_armed_) {
    finalize_armed_ = true;
    arm(Timer::kFinalize, env_.tuning.finalize_wait);
  }
}

void ZkServer::finalize_election() {
  if (state_ != PeerState::kLooking) return;
  finalize_armed_ = false;
  int agreeing = 1;
  for (const auto& [from, vote] : received_votes_) {
    agreeing += vote.leader == vote_leader_ && vote.zxid == vote_zxid_ && vote.epoch == vote_epoch_;
  }
  if (agreeing < quorum()) return;  // a better vote arrived and the quorum has not formed again yet
  trace("elected", {{"leader", std::int64_t{vote_leader_}}, {"round", round_}});
  if (vote_leader_ == index_) {
    start_leading();
  } else {
    start_following(vote_leader_);
  }
}

}  // namespace model::zk
