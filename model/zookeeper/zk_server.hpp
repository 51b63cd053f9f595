#pragma once
// One simulated ZooKeeper 3.8 server: election, discovery/sync, broadcast, sessions and client
// connections (see README.md in this folder for what each part follows). It runs as one fiber of
// its process; everything it knows is in this object except its DurableLog, which the ensemble
// keeps across crashes. All input arrives as mail in one mailbox: network events and its own
// timers, so a paused server handles nothing and its timers fire late, as a stopped JVM would.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/zookeeper/data_tree.hpp"
#include "model/zookeeper/durable_log.hpp"
#include "model/zookeeper/ensemble_config.hpp"
#include "model/zookeeper/protocol.hpp"
#include "model/zookeeper/session_tracker.hpp"
#include "sim/network.hpp"
#include "sim/simulation.hpp"

namespace model::zk {

inline constexpr std::uint16_t kClientPort = 2181;
inline constexpr std::uint16_t kPeerPort = 2888;
inline constexpr std::uint16_t kElectionPort = 3888;
// The session owner of the leader's own client connections (ServerCnxn.me); a follower's owner is
// its learner link at the leader (the LearnerHandler), which no endpoint id can equal.
inline constexpr SessionOwner kLeaderOwnConnections = sim::kNoEndpoint;

struct ServerTuning {
  sim::Duration fsync = sim::milliseconds(2);
  sim::Duration finalize_wait = sim::milliseconds(200);        // FastLeaderElection.finalizeWait
  sim::Duration notification_interval_min = sim::milliseconds(200);
  sim::Duration notification_interval_max = sim::seconds(2);   // capped well below FLE's 60 s
};

struct ServerEnvironment {
  sim::Simulation* sim = nullptr;
  sim::Network* net = nullptr;
  const EnsembleConfig* config = nullptr;
  std::vector<sim::ProcessId> server_pids;  // by position in config->servers
  ServerTuning tuning;
};

// What the harness and checkers may read of a live server, without touching the simulation.
struct ServerView {
  PeerState state = PeerState::kLooking;
  bool serving = false;
  int leader_index = -1;
  std::int64_t epoch = 0;
  Zxid last_applied = 0;
  std::size_t client_connections = 0;
};

class ZkServer {
 public:
  ZkServer(const ServerEnvironment& env, int index, DurableLog& log);
  ZkServer(const ZkServer&) = delete;
  ZkServer& operator=(const ZkServer&) = delete;

  void run();  // the process's main fiber
  ServerView view() const;
  // Fault hook: the next write this server answers is committed and applied, but its reply is
  // lost with the connection, so the client sees only ConnectionLoss for a write that happened.
  void drop_next_write_reply() { drop_next_write_reply_ = true; }
  const DataTree& tree() const { return tree_; }
  // Whether the applied log holds this session open (created, not closed).
  bool session_live(SessionId session) const { return sessions_.count(session) != 0; }

 private:
  enum class Timer : std::uint32_t { kElectionResend = 1, kFinalize, kTick, kSyncLimit, kInitLimit, kSessionExpiry, kConnectLeader,
                                     kLearnerTimeout };
  // An accepted connection is kUnknown until its first message says what it is.
  enum class Link : std::uint8_t { kUnknown, kElectionIn, kElectionOut, kLearner, kLeader, kClient };

  struct ClientConnection {
    SessionId session = 0;
    bool established = false;
    std::int32_t writes_pending = 0;
    std::vector<ClientRequest> waiting;  // reads queued behind this session's writes
  };
  struct Follower {
    int index = -1;
    std::int64_t accepted_epoch = 0;
    Zxid last_zxid = 0;
    bool sent_new_leader = false;
    bool synced = false;  // acknowledged NEWLEADER: counts for quorums and gets proposals
    sim::Instant last_heard;
    // LearnerHandler.tickOfNextAckDeadline: the leader's tick + syncLimit when the learner's last
    // packet was read. The quorum check compares it with the leader's own tick count.
    std::int64_t ack_deadline_tick = 0;
  };
  struct PendingProposal {
    Zxid zxid = 0;
    std::set<int> acks;
  };

  // --- main loop and plumbing (zk_server.cpp)
  void boot();
  void on_mail(const sim::Mail& mail);
  void on_timer(Timer timer, std::uint64_t generation);
  void arm(Timer timer, sim::Duration delay);
  void connect_to_leader();
  void drop_failed_links();
  bool retry_leader_connect(bool was_connected);
  void send(sim::EndpointId endpoint, std::shared_ptr<const sim::Payload> payload);
  void on_link_lost(sim::EndpointId endpoint);
  void become(PeerState state);
  void replay_log();
  void apply_entry(const LogEntry& entry);
  void trace(const char* what, std::vector<sim::TraceField> fields = {});
  int quorum() const { return env_.config->quorum_size(); }
  int server_count() const { return static_cast<int>(env_.server_pids.size()); }

  // --- election (zk_server_election.cpp)
  void start_election();
  void on_vote(sim::EndpointId endpoint, const Vote& vote);
  void broadcast_vote();
  void send_vote(int peer);
  bool better_than_current(const Vote& vote) const;
  void check_election_quorum();
  void finalize_election();
  Vote my_vote() const;

  // --- quorum roles (zk_server_quorum.cpp)
  void start_following(int leader);
  void start_leading();
  void on_follower_info(sim::EndpointId endpoint, const FollowerInfo& info);
  void sync_follower(sim::EndpointId endpoint, Follower& follower);
  void on_ack_new_leader(sim::EndpointId endpoint);
  void on_new_leader(const NewLeader& message);
  bool uncommitted_checkpoint_pointer_create() const;
  void on_up_to_date(const UpToDate& message);
  void on_proposal(const Proposal& proposal);
  void on_ack(int from, Zxid zxid);
  void on_commit(Zxid zxid);
  void apply_committed();
  void rebuild_tree(Zxid through);
  void answer_syncs();
  void on_leader_ping();
  void follower_check_leader();
  void on_follower_ping(sim::EndpointId endpoint, const FollowerPing& ping);
  void on_forwarded_request(sim::EndpointId endpoint, const ForwardedRequest& request);
  void on_forwarded_reply(const ForwardedReply& reply);
  void leader_accept(SessionId session, const RequestOrigin& origin, const ForwardedRequest& request,
                     SessionOwner owner);
  Txn prepare_write(SessionId session, const WriteRequest& write, const TxnHeader& header, SessionOwner owner);
  void reply_to_origin(std::shared_ptr<ForwardedReply> reply);
  Zxid next_zxid() { return make_zxid(new_epoch_, ++zxid_counter_); }
  void decide_epoch();
  void establish_leadership();
  void propose(LogEntry entry);
  void commit_ready();
  void leader_tick();
  sim::Duration sync_timeout() const { return env_.config->tick * env_.config->sync_limit; }
  void arm_learner_timeout();
  void drop_silent_learners();
  void arm_leader_read_timeout();
  void heard_from_learner(Follower& follower);
  bool learner_synced(const Follower& follower) const;
  // A read timeout that comes due while this process is paused is judged at the resume.
  sim::Instant read_silence_start(sim::Instant last_heard, sim::Instant due) const;
  void expire_sessions();
  void arm_session_expiry();
  void append_and_fsync(LogEntry entry);
  void fsync_done(std::size_t durable_entries);

  // --- client connections (zk_server_clients.cpp)
  void on_client_mail(sim::EndpointId endpoint, const sim::Mail& mail);
  void on_connect_request(sim::EndpointId endpoint, const ConnectRequest& request);
  void on_client_request(sim::EndpointId endpoint, const ClientRequest& request);
  void answer_read(sim::EndpointId endpoint, const ClientRequest& request);
  void route_to_leader(SessionId session, const RequestOrigin& origin, ForwardedRequest::Body body);
  void finish_connect(sim::EndpointId endpoint, SessionId session, sim::Duration timeout, bool valid);
  void deliver_result(const LogEntry& entry, const TxnResult& result);
  void notify_watchers(const std::vector<WatchEvent>& events);
  void touch_session(SessionId session);
  void close_client(sim::EndpointId endpoint);
  void close_all_clients();
  void drain_waiting(sim::EndpointId endpoint);

  ServerEnvironment env_;
  int index_;
  int id_;
  DurableLog& log_;
  // Where this server's session-expiry grid sits (ExpiryQueue): drawn per server, not per
  // incarnation, because nanoTime's origin is the machine's boot and survives a restart.
  sim::Duration tick_phase_;
  sim::ProcessId pid_;
  sim::MailboxId box_;
  DataTree tree_;
  std::map<SessionId, sim::Duration> sessions_;  // live sessions, from the applied log
  std::size_t applied_ = 0;                      // log_.entries[0, applied_) are in tree_
  std::map<sim::EndpointId, Link> links_;
  std::map<Timer, std::uint64_t> timer_generation_;

  PeerState state_ = PeerState::kLooking;
  bool serving_ = false;
  int leader_index_ = -1;

  // election
  std::int64_t round_ = 0;
  int vote_leader_ = 0;
  Zxid vote_zxid_ = 0;
  std::int64_t vote_epoch_ = 0;
  std::map<int, Vote> received_votes_;
  std::map<int, Vote> out_of_election_;
  std::map<int, sim::EndpointId> election_out_;
  std::set<sim::EndpointId> connected_;  // outbound links that have seen kConnected
  std::vector<sim::EndpointId> failed_links_;  // sends that failed while handling the current message
  int leader_connect_tries_ = 0;         // Learner.connectToLeader attempts of this FOLLOWING turn
  sim::Duration notification_interval_{};
  bool finalize_armed_ = false;

  // following
  sim::EndpointId leader_link_{};
  sim::Instant leader_last_heard_{};
  sim::Instant leader_read_due_{};  // when the armed kSyncLimit timer should fire
  std::set<SessionId> touched_;
  Zxid commit_target_ = 0;  // applied up to here once logged

  // leading
  std::map<sim::EndpointId, Follower> followers_;
  // Leader.lead: QuorumPeer.tick counts the leader's own full ticks, advanced only by its lead loop
  // waking every tick/2 (tickSkip alternates), so a paused leader's tick stands still.
  std::int64_t tick_ = 0;
  bool tick_skip_ = true;
  sim::Instant learner_timeout_due_{};  // when the armed kLearnerTimeout timer should fire
  bool leader_established_ = false;
  bool epoch_decided_ = false;
  bool follower_synced_ = false;  // following: NEWLEADER handled, so proposals are acknowledged
  std::int64_t new_epoch_ = 0;
  std::int64_t zxid_counter_ = 0;
  std::vector<PendingProposal> pending_;   // proposed, not yet committed, in zxid order
  std::optional<SessionTracker> tracker_;

  // clients
  bool drop_next_write_reply_ = false;
  std::map<sim::EndpointId, ClientConnection> clients_;
  // Syncs answered by the leader, waiting for this server to apply up to the leader's zxid.
  struct SyncWaiting {
    Zxid zxid = 0;
    sim::EndpointId endpoint = sim::kNoEndpoint;
    std::int32_t xid = 0;
    std::string path;
  };
  std::vector<SyncWaiting> syncs_waiting_;
  std::uint64_t next_origin_tag_ = 1;
};

}  // namespace model::zk
