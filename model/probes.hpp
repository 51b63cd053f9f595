#pragma once
// The catalogue of "sometimes" probes (FoundationDB's CodeProbe, Antithesis' sometimes
// assertions): rare HA states the model marks at the exact code point where they occur, so an
// exploration can tell which of them its seeds reached and which it never did. A probe only
// counts (sim::Simulation::probe); it never changes what the model does or what the trace holds.
//
// The enum makes a misspelt probe a compile error; the names are stable (reports and CI key on
// them) and carry the layer that marks them: zk., curator., flink. model/PROBES.md lists each
// with where it is marked.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sim/simulation.hpp"

namespace model {

enum class Probe : std::uint8_t {
  // ZooKeeper
  kZkFollowerTruncated,
  kZkQuorumLostDuringCheckpointWrite,
  kZkSessionExpiredWhileDisconnected,
  kZkWriteCommittedAfterClientLeft,
  // Curator
  kCuratorZombieGrant,
  kCuratorRetryAcrossSessionChange,
  kCuratorReconnectedAfterSuspended,
  kCuratorLostAfterSuspended,
  kCuratorInjectedSessionExpiration,
  kCuratorProtectedCreateFoundOwnNode,
  kCuratorLatchNodeVanished,
  // Flink
  kFlinkRevokedWithCheckpointInFlight,
  kFlinkCheckpointStoredAfterRevoke,
  kFlinkStandbyGrantedWhileLeaderPaused,
  kFlinkLeaderBelievedPastSessionExpiry,
  kFlinkAddAndLockCommitEchoed,
  kFlinkAddAndLockPossiblyCommitted,
  kFlinkTaskManagerRejectedOtherLeader,
  kFlinkLeaderInformationCorrected,
  kFlinkConfirmUnpublished,
  kFlinkJobRecoveredOnGrant,
  kFlinkJobCleanupResumed,
  kFlinkSubsumptionDiscardFailed,
  kFlinkCheckpointStillLocked,
  kFlinkLockReleaseFailed,
  kFlinkCheckpointCounterFailed,
  kCount
};

struct ProbeInfo {
  Probe probe;
  std::string_view name;         // kebab-case with its layer's prefix
  std::string_view description;  // one line: the state, as a reader of a report needs it
};

inline constexpr std::size_t kProbeCount = static_cast<std::size_t>(Probe::kCount);

// Every probe, in enum order.
const std::array<ProbeInfo, kProbeCount>& probe_catalogue();
std::string_view probe_name(Probe probe);

// Marks that the run reached `probe`'s state. Observation only.
inline void probe(sim::Simulation& sim, Probe which) { sim.probe(probe_name(which)); }

// A checkpoint pointer znode of Flink's ZooKeeper layout (<ns>/jobs/<job>/checkpoints/<19 digits>):
// the ZooKeeper layer uses it to tell, for a probe only, that a pending write is a checkpoint's.
bool is_checkpoint_pointer_path(std::string_view path);

}  // namespace model
