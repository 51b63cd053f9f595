#include "model/zookeeper/session_tracker.hpp"

namespace model::zk {

SessionTracker::SessionTracker(sim::Duration tick, sim::Instant now, std::int64_t server_id,
                               sim::Duration tick_phase)
    : expiry_(tick, now, tick_phase) {
  SIM_ASSERT(server_id >= 0 && server_id < 256);
  const auto base = static_cast<std::int64_t>((static_cast<std::uint64_t>(now.to_ms()) << 24) >> 8);
  next_session_id_ = base | (server_id << 56);
}

SessionId SessionTracker::create_session(sim::Duration timeout, sim::Instant now) {
  const SessionId id = next_session_id_++;
  track(id, timeout, now);
  return id;
}

void SessionTracker::track(SessionId id, sim::Duration timeout, sim::Instant now) {
  SIM_ASSERT(timeout.ns > 0);
  sessions_[id] = Session{timeout, false, std::nullopt};
  expiry_.update(id, timeout, now);
}

bool SessionTracker::touch(SessionId id, sim::Instant now) {
  auto found = sessions_.find(id);
  if (found == sessions_.end() || found->second.closing) return false;
  expiry_.update(id, found->second.timeout, now);
  return true;
}

SessionCheck SessionTracker::check_session(SessionId id, SessionOwner owner) {
  auto found = sessions_.find(id);
  if (found == sessions_.end() || found->second.closing) return SessionCheck::kExpired;
  if (!found->second.owner) found->second.owner = owner;
  return *found->second.owner == owner ? SessionCheck::kOk : SessionCheck::kMoved;
}

bool SessionTracker::set_owner(SessionId id, SessionOwner owner) {
  auto found = sessions_.find(id);
  if (found == sessions_.end() || found->second.closing) return false;
  found->second.owner = owner;
  return true;
}

std::optional<SessionOwner> SessionTracker::owner_of(SessionId id) const {
  auto found = sessions_.find(id);
  if (found == sessions_.end()) return std::nullopt;
  return found->second.owner;
}

void SessionTracker::set_closing(SessionId id) {
  auto found = sessions_.find(id);
  if (found != sessions_.end()) found->second.closing = true;
}

void SessionTracker::remove(SessionId id) {
  sessions_.erase(id);
  expiry_.remove(id);
}

bool SessionTracker::closing(SessionId id) const {
  auto found = sessions_.find(id);
  return found != sessions_.end() && found->second.closing;
}

std::optional<sim::Duration> SessionTracker::timeout_of(SessionId id) const {
  auto found = sessions_.find(id);
  if (found == sessions_.end()) return std::nullopt;
  return found->second.timeout;
}

std::vector<SessionId> SessionTracker::poll_expired(sim::Instant now) {
  std::vector<SessionId> expired = expiry_.poll(now);
  for (const SessionId id : expired) set_closing(id);
  return expired;
}

sim::Duration negotiate_session_timeout(sim::Duration requested, const SessionTimeoutBounds& bounds) {
  SIM_ASSERT(bounds.min <= bounds.max);
  if (requested < bounds.min) return bounds.min;
  if (requested > bounds.max) return bounds.max;
  return requested;
}

}  // namespace model::zk
