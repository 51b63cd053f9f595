#pragma once
// The ZooKeeper leader's session tracker (SessionTrackerImpl): the only place where a session's
// expiry is decided. Clients never decide it; followers only forward touches to the leader.
// A new leader tracks every session it inherits afresh, which restarts their countdowns: that is
// why a session can outlive a quorum outage longer than its timeout.
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "model/zookeeper/expiry_queue.hpp"

namespace model::zk {

using SessionId = std::int64_t;
// Who carries a session at the leader (SessionImpl.owner): the LearnerHandler of the follower that
// last revalidated or created it, or the leader itself for its own connections (ServerCnxn.me).
using SessionOwner = std::uint64_t;
// The result of SessionTrackerImpl.checkSession.
enum class SessionCheck : std::uint8_t { kOk, kExpired, kMoved };

class SessionTracker {
 public:
  // `server_id` and the leader's start instant seed session ids as ZooKeeper does: the server id
  // in the top byte, a time-derived base below it, then a counter. `tick_phase` places the
  // server's expiry grid (see ExpiryQueue).
  SessionTracker(sim::Duration tick, sim::Instant now, std::int64_t server_id,
                 sim::Duration tick_phase = sim::Duration{});

  SessionId create_session(sim::Duration timeout, sim::Instant now);
  // Tracks a session known from the replicated state (a new leader inheriting it).
  void track(SessionId id, sim::Duration timeout, sim::Instant now);
  // Resets the countdown. False for an unknown or closing session: the caller treats it as expired.
  bool touch(SessionId id, sim::Instant now);
  // checkSession: unknown or closing -> kExpired; a session with no owner yet takes `owner` (as every
  // session inherited by a new leader does at its first request); another owner -> kMoved.
  SessionCheck check_session(SessionId id, SessionOwner owner);
  // setOwner, on session creation and revalidation. False for an unknown or closing session.
  bool set_owner(SessionId id, SessionOwner owner);
  std::optional<SessionOwner> owner_of(SessionId id) const;
  void set_closing(SessionId id);
  void remove(SessionId id);
  bool known(SessionId id) const { return sessions_.count(id) != 0; }
  bool closing(SessionId id) const;
  std::optional<sim::Duration> timeout_of(SessionId id) const;

  sim::Instant next_expiration() const { return expiry_.next_expiration(); }
  // Sessions whose bucket is due; they are marked closing (their close goes through the quorum).
  std::vector<SessionId> poll_expired(sim::Instant now);

 private:
  struct Session {
    sim::Duration timeout;
    bool closing = false;
    std::optional<SessionOwner> owner;  // none until set or first checked
  };
  ExpiryQueue<SessionId> expiry_;
  std::map<SessionId, Session> sessions_;
  std::int64_t next_session_id_;
};

// The negotiated session timeout: the request clamped to [min, max], which default to 2 and 20
// ticks (ZooKeeperServer.processConnectRequest).
struct SessionTimeoutBounds {
  sim::Duration min;
  sim::Duration max;
  static SessionTimeoutBounds from_ticks(sim::Duration tick) { return {tick * 2, tick * 20}; }
};
sim::Duration negotiate_session_timeout(sim::Duration requested, const SessionTimeoutBounds& bounds);

}  // namespace model::zk
