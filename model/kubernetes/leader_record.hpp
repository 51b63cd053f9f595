#pragma once
// The lock record fabric8's ConfigMapLock keeps in the annotation
// control-plane.alpha.kubernetes.io/leader of the lock ConfigMap (LeaderElectionRecord):
// holderIdentity, leaseDuration, acquireTime, renewTime, leaderTransitions. Times are wall-clock
// instants of the writer's own clock, which is why a skewed clock matters: a candidate compares
// its clock with the holder's renewTime. Encoded as "key=value" pairs joined by ';' (the model's
// stand-in for the JSON fabric8 writes; the fields are the same).
#include <cstdint>
#include <optional>
#include <string>

#include "sim/time.hpp"

namespace model::kubernetes {

inline constexpr const char* kLeaderAnnotation = "control-plane.alpha.kubernetes.io/leader";

struct LeaderRecord {
  std::string holder_identity;  // "" once released
  sim::Duration lease_duration{};
  sim::Instant acquire_time{};
  sim::Instant renew_time{};
  std::int64_t leader_transitions = 0;
  bool operator==(const LeaderRecord&) const = default;
};

std::string encode_leader_record(const LeaderRecord& record);
// nullopt for text that is not a record (a foreign or corrupt annotation).
std::optional<LeaderRecord> decode_leader_record(const std::string& text);

}  // namespace model::kubernetes
