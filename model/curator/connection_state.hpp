#pragma once
// Curator's connection states, and the two error policies Flink chooses between with
// high-availability.zookeeper.client.tolerate-suspended-connections.
#include <string_view>

namespace model::curator {

enum class ConnectionState { kConnected, kSuspended, kReconnected, kLost };

constexpr std::string_view to_string(ConnectionState state) {
  switch (state) {
    case ConnectionState::kConnected: return "CONNECTED";
    case ConnectionState::kSuspended: return "SUSPENDED";
    case ConnectionState::kReconnected: return "RECONNECTED";
    case ConnectionState::kLost: return "LOST";
  }
  return "?";
}

// StandardConnectionStateErrorPolicy treats SUSPENDED and LOST as errors;
// SessionConnectionStateErrorPolicy only LOST.
enum class ErrorPolicy { kStandard, kSession };

constexpr bool is_error_state(ErrorPolicy policy, ConnectionState state) {
  if (state == ConnectionState::kLost) return true;
  return state == ConnectionState::kSuspended && policy == ErrorPolicy::kStandard;
}

}  // namespace model::curator
