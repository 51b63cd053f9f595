#include "model/probes.hpp"

#include <algorithm>

#include "sim/assert.hpp"

namespace model {
namespace {

constexpr std::array<ProbeInfo, kProbeCount> kCatalogue{{
    {Probe::kZkFollowerTruncated, "zk.follower-truncated",
     "a follower synced to a new leader by TRUNC: it dropped log entries the quorum never committed"},
    {Probe::kZkQuorumLostDuringCheckpointWrite, "zk.quorum-lost-during-checkpoint-write",
     "the ZooKeeper leader lost its quorum while a proposed, uncommitted multi was creating a checkpoint pointer"},
    {Probe::kZkSessionExpiredWhileDisconnected, "zk.session-expired-while-disconnected",
     "a client reconnected and learned that its session had expired while it was disconnected"},
    {Probe::kZkWriteCommittedAfterClientLeft, "zk.write-committed-after-client-left",
     "a client's write committed after its connection to the server was gone: applied, but the client saw ConnectionLoss"},
    {Probe::kCuratorZombieGrant, "curator.zombie-grant",
     "a LeaderLatch granted leadership on a node of an older ZooKeeper session than its client's (CURATOR-696)"},
    {Probe::kCuratorRetryAcrossSessionChange, "curator.retry-across-session-change",
     "a RetryLoop retried an operation in a different ZooKeeper session than its first attempt's"},
    {Probe::kCuratorReconnectedAfterSuspended, "curator.reconnected-after-suspended",
     "a connection went SUSPENDED and came back RECONNECTED with its session intact (no LOST)"},
    {Probe::kCuratorLostAfterSuspended, "curator.lost-after-suspended",
     "a connection went SUSPENDED and then LOST: its session ended before it reconnected"},
    {Probe::kCuratorInjectedSessionExpiration, "curator.injected-session-expiration",
     "Curator declared the session expired itself after being SUSPENDED for the negotiated timeout"},
    {Probe::kCuratorProtectedCreateFoundOwnNode, "curator.protected-create-found-own-node",
     "a protected create's retry found the node its lost-reply attempt had created, and kept it"},
    {Probe::kCuratorLatchNodeVanished, "curator.latch-node-vanished",
     "a LeaderLatch looked for its own node among the latch children and it was gone; it queued up again"},
    {Probe::kFlinkRevokedWithCheckpointInFlight, "flink.revoked-with-checkpoint-in-flight",
     "a JobMaster was told to stop (leadership revoked) while a checkpoint was triggered and not yet completed"},
    {Probe::kFlinkCheckpointStoredAfterRevoke, "flink.checkpoint-stored-after-revoke",
     "a checkpoint's pointer was added to the store but its JobMaster was revoked meanwhile: stored, never completed"},
    {Probe::kFlinkStandbyGrantedWhileLeaderPaused, "flink.standby-granted-while-leader-paused",
     "a JobManager was granted leadership while another, paused, JobManager still believed it led"},
    {Probe::kFlinkLeaderBelievedPastSessionExpiry, "flink.leader-believed-past-session-expiry",
     "a JobManager's leadership was revoked only after the quorum had closed the ZooKeeper session it was granted in"},
    {Probe::kFlinkAddAndLockCommitEchoed, "flink.add-and-lock-commit-echoed",
     "an addAndLock multi committed with its reply lost (ConnectionLoss); Curator's retry got NodeExists for its own commit"},
    {Probe::kFlinkAddAndLockPossiblyCommitted, "flink.add-and-lock-possibly-committed",
     "an addAndLock failed with a code that may hide a commit; the file is kept and the job restarts"},
    {Probe::kFlinkTaskManagerRejectedOtherLeader, "flink.taskmanager-rejected-other-leader",
     "a TaskManager rejected a fenced call carrying a leader session other than the one it follows for that job"},
    {Probe::kFlinkLeaderInformationCorrected, "flink.leader-information-corrected",
     "a leading JobManager found its published connection_info changed or gone and wrote its own again"},
    {Probe::kFlinkConfirmUnpublished, "flink.confirm-unpublished",
     "a contender's confirm could not publish its leader information (leadership lost or ZooKeeper failed during the write)"},
    {Probe::kFlinkJobRecoveredOnGrant, "flink.job-recovered-on-grant",
     "a newly granted Dispatcher recovered a job graph from the store and runs it"},
    {Probe::kFlinkJobCleanupResumed, "flink.job-cleanup-resumed",
     "a newly granted Dispatcher found a dirty JobResultStore entry and resumed only that job's cleanup"},
    {Probe::kFlinkSubsumptionDiscardFailed, "flink.subsumption-discard-failed",
     "subsuming an old checkpoint could not delete its file; the pointer stays, marked for deletion"},
    {Probe::kFlinkCheckpointStillLocked, "flink.checkpoint-still-locked",
     "removing a checkpoint found another store instance's lock on it (an older term's): pointer and file stay"},
    {Probe::kFlinkLockReleaseFailed, "flink.lock-release-failed",
     "a store could not delete its lock on a pointer; the lock stays until its ZooKeeper session ends"},
    {Probe::kFlinkCheckpointCounterFailed, "flink.checkpoint-counter-failed",
     "the checkpoint id counter refused or failed, so no checkpoint was triggered that interval"},
}};

// The catalogue is indexed by the enum: a probe added to one and not the other fails at once.
constexpr bool catalogue_in_enum_order() {
  for (std::size_t i = 0; i < kCatalogue.size(); i++) {
    if (static_cast<std::size_t>(kCatalogue[i].probe) != i) return false;
  }
  return true;
}
static_assert(catalogue_in_enum_order(), "kCatalogue must list every Probe once, in enum order");

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

const std::array<ProbeInfo, kProbeCount>& probe_catalogue() { return kCatalogue; }

std::string_view probe_name(Probe probe) {
  const auto index = static_cast<std::size_t>(probe);
  SIM_ASSERT(index < kCatalogue.size());
  return kCatalogue[index].name;
}

bool is_checkpoint_pointer_path(std::string_view path) {
  constexpr std::string_view kParent = "/checkpoints/";
  const auto slash = path.rfind('/');
  if (slash == std::string_view::npos || slash + 1 < kParent.size()) return false;
  return path.substr(slash + 1 - kParent.size(), kParent.size()) == kParent && all_digits(path.substr(slash + 1));
}

}  // namespace model
