#pragma once
// fabric8's LeaderElector (kubernetes-client 6.x, which Flink 1.18-1.20 ship) over a ConfigMapLock,
// run on one fiber of the contending process.
//  - acquire: tryAcquireOrRenew every retry-period plus jitter (up to 1.2 x retry-period more)
//    until it succeeds. A missing lock is created; a lock held by someone else is taken only when
//    its renewTime + leaseDuration is not after *our own* wall clock (canBecomeLeader): the
//    holder's clock wrote renewTime, ours judges it.
//  - renew: every retry-period; renewBy = our clock + renew-deadline after each success. A renewal
//    that finds another holder ends leading at once; errors (timeouts, conflicts) are retried until
//    our clock passes renewBy.
//  - stop leading: the elector marks itself stopped, for good: tryAcquireOrRenew of a stopped
//    elector answers false forever. Flink must therefore build a fresh elector for the next round
//    (FLINK-34007: reusing the old one never leads again).
//  - callbacks: onStartLeading when the observed holder becomes us, onStopLeading when it stops
//    being us (updateObserved) or when stopLeading finds we still hold it (after a GET, which may
//    itself wait for its timeout), onNewLeader on every holder change.
#include <functional>
#include <optional>
#include <string>

#include "model/kubernetes/api_client.hpp"
#include "model/kubernetes/leader_record.hpp"
#include "model/kubernetes/local_clock.hpp"
#include "sim/prng.hpp"

namespace model::kubernetes {

struct ElectorConfig {
  std::string lock_name;  // "<cluster-id>-cluster-config-map"
  std::string identity;   // the process's lock identity (a UUID per JobManager process)
  sim::Duration lease_duration = sim::seconds(15);
  sim::Duration renew_deadline = sim::seconds(15);
  sim::Duration retry_period = sim::seconds(5);
};

struct ElectorCallbacks {
  std::function<void()> on_start_leading;
  std::function<void()> on_stop_leading;
  std::function<void(const std::string& holder)> on_new_leader;
};

class LeaderElector {
 public:
  // The clock is the process's node clock; it must outlive the elector.
  LeaderElector(ApiClient& api, const LocalClock& clock, sim::Prng& rng, ElectorConfig config, ElectorCallbacks callbacks);
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // From a fiber of the API client's owner: acquire, renew, stop leading; returns once leadership
  // is lost (or never, while it cannot acquire).
  void run();
  bool stopped() const { return stopped_; }
  const std::optional<LeaderRecord>& observed() const { return observed_; }

  enum class Attempt { kSucceeded, kRefused, kError };
  // One tryAcquireOrRenew: kError is a KubernetesClientException (no answer, 404/409 on write).
  Attempt try_acquire_or_renew();

 private:
  void acquire();
  void renew();
  void stop_leading();
  void update_observed(const LeaderRecord& record);
  bool is_leader(const LeaderRecord& record) const { return record.holder_identity == config_.identity; }
  bool can_become_leader(const LeaderRecord& record) const;
  sim::Instant wall_now() const { return clock_.now(api_.sim().now()); }
  sim::Duration jittered_retry();

  ApiClient& api_;
  const LocalClock& clock_;
  sim::Prng& rng_;
  ElectorConfig config_;
  ElectorCallbacks callbacks_;
  std::optional<LeaderRecord> observed_;
  bool stopped_ = false;
};

}  // namespace model::kubernetes
