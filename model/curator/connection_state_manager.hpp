#pragma once
// Curator 5's ConnectionStateManager rules, as pure logic with time passed in:
//   - SyncConnected posts RECONNECTED, turned into CONNECTED the first time a positive state is
//     posted; Disconnected posts SUSPENDED unless already SUSPENDED or LOST (setToSuspended);
//     Expired posts LOST; a state equal to the current one is not posted again.
//   - After a full (negotiated session timeout x sessionExpirationPercent) in SUSPENDED, Curator
//     injects a session expiration into the ZooKeeper client, which comes back as Expired and so as
//     LOST; the SUSPENDED epoch restarts then so it does not spin (CURATOR-405).
#include <optional>

#include "model/curator/connection_state.hpp"
#include "sim/time.hpp"

namespace model::curator {

enum class ZkConnectionEvent { kSyncConnected, kDisconnected, kExpired };

class ConnectionStateManager {
 public:
  // The Curator state to post to listeners, if any.
  std::optional<ConnectionState> on_zk_event(ZkConnectionEvent event, sim::Instant now) {
    switch (event) {
      case ZkConnectionEvent::kSyncConnected: return add_state_change(ConnectionState::kReconnected, now);
      case ZkConnectionEvent::kExpired: return add_state_change(ConnectionState::kLost, now);
      case ZkConnectionEvent::kDisconnected:
        if (current_ == ConnectionState::kLost || current_ == ConnectionState::kSuspended) return std::nullopt;
        return add_state_change(ConnectionState::kSuspended, now);
    }
    return std::nullopt;
  }

  // When a session expiration must be injected; nullopt while not SUSPENDED or when disabled.
  std::optional<sim::Instant> expiration_due(sim::Duration negotiated_timeout, int percent) const {
    if (current_ != ConnectionState::kSuspended || percent <= 0) return std::nullopt;
    return suspended_since_ + negotiated_timeout * percent / 100;
  }

  void expiration_injected(sim::Instant now) { suspended_since_ = now; }
  std::optional<ConnectionState> current() const { return current_; }

 private:
  std::optional<ConnectionState> add_state_change(ConnectionState state, sim::Instant now) {
    if (current_ == state) return std::nullopt;
    current_ = state;
    if (state == ConnectionState::kSuspended) suspended_since_ = now;
    const bool negative = state == ConnectionState::kLost || state == ConnectionState::kSuspended;
    if (!negative && !initial_connect_posted_) {
      initial_connect_posted_ = true;
      return ConnectionState::kConnected;
    }
    return state;
  }

  std::optional<ConnectionState> current_;
  sim::Instant suspended_since_{};
  bool initial_connect_posted_ = false;
};

}  // namespace model::curator
