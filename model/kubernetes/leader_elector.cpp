#include "model/kubernetes/leader_elector.hpp"

#include "sim/assert.hpp"

namespace model::kubernetes {

LeaderElector::LeaderElector(ApiClient& api, const LocalClock& clock, sim::Prng& rng, ElectorConfig config,
                             ElectorCallbacks callbacks)
    : api_(api), clock_(clock), rng_(rng), config_(std::move(config)), callbacks_(std::move(callbacks)) {
  SIM_ASSERT(!config_.lock_name.empty() && !config_.identity.empty());
  SIM_ASSERT(config_.retry_period > sim::Duration{} && config_.lease_duration > sim::Duration{});
}

void LeaderElector::run() {
  acquire();
  renew();
  stop_leading();
}

// LeaderElector.jitter(retryPeriod, 1.2): retryPeriod plus up to 1.2 x retryPeriod, in whole ms.
sim::Duration LeaderElector::jittered_retry() {
  const std::int64_t period_ms = config_.retry_period.to_ms();
  return config_.retry_period + sim::milliseconds(rng_.between(0, period_ms * 12 / 10));
}

void LeaderElector::acquire() {
  // scheduleWithVariableRate with initial delay 0: the first attempt is immediate.
  for (;;) {
    if (try_acquire_or_renew() == Attempt::kSucceeded) return;
    api_.sim().sleep(jittered_retry());
  }
}

void LeaderElector::renew() {
  sim::Instant renew_by = wall_now() + config_.renew_deadline;
  for (;;) {
    if (wall_now() > renew_by) return;  // renew deadline reached
    const Attempt attempt = try_acquire_or_renew();
    if (attempt == Attempt::kSucceeded) {
      renew_by = wall_now() + config_.renew_deadline;
    } else if (attempt == Attempt::kRefused) {
      return;  // renewal failed: someone else holds it
    }
    api_.sim().sleep(config_.retry_period);
  }
}

void LeaderElector::stop_leading() {
  stopped_ = true;
  if (!observed_ || !is_leader(*observed_)) return;  // not leading: updateObserved has told the callbacks
  // fabric8 reads the lock again (to release it when releaseOnCancel is set, which Flink does not
  // set) and calls onStopLeading whatever that read gives, after it answered or timed out.
  (void)api_.get(config_.lock_name);
  if (callbacks_.on_stop_leading) callbacks_.on_stop_leading();
}

bool LeaderElector::can_become_leader(const LeaderRecord& record) const {
  return record.holder_identity.empty() || !(record.renew_time + config_.lease_duration > wall_now());
}

LeaderElector::Attempt LeaderElector::try_acquire_or_renew() {
  if (stopped_) return Attempt::kRefused;
  const sim::Instant now = wall_now();
  const std::optional<ApiResponse> read = api_.get(config_.lock_name);
  if (!read) return Attempt::kError;
  std::optional<LeaderRecord> old_record;
  if (read->status == Status::kOk && read->object) {
    const auto annotation = read->object->annotations.find(kLeaderAnnotation);
    if (annotation != read->object->annotations.end()) old_record = decode_leader_record(annotation->second);
  } else if (read->status != Status::kNotFound) {
    return Attempt::kError;
  }
  if (!read->object || !old_record) {
    // ConfigMapLock.create: a missing ConfigMap is created with the record; an existing one
    // without a record (a ConfigMap some store created first) gets it by update.
    const LeaderRecord record{config_.identity, config_.lease_duration, now, now, 0};
    std::optional<ApiResponse> written;
    if (!read->object) {
      ConfigMap object;
      object.name = config_.lock_name;
      object.annotations[kLeaderAnnotation] = encode_leader_record(record);
      written = api_.create(std::move(object));
      if (!written || written->status != Status::kCreated) return Attempt::kError;
    } else {
      ConfigMap object = *read->object;
      object.annotations[kLeaderAnnotation] = encode_leader_record(record);
      written = api_.update(std::move(object));
      if (!written || written->status != Status::kOk) return Attempt::kError;
    }
    update_observed(record);
    return Attempt::kSucceeded;
  }
  update_observed(*old_record);
  const bool leader = is_leader(*old_record);
  if (!leader && !can_become_leader(*old_record)) return Attempt::kRefused;
  const LeaderRecord record{config_.identity, config_.lease_duration, leader ? old_record->acquire_time : now, now,
                            old_record->leader_transitions + (leader ? 0 : 1)};
  ConfigMap object = *read->object;  // the version read: a write in between makes this a 409
  object.annotations[kLeaderAnnotation] = encode_leader_record(record);
  const std::optional<ApiResponse> written = api_.update(std::move(object));
  if (!written || written->status != Status::kOk) return Attempt::kError;
  update_observed(record);
  return Attempt::kSucceeded;
}

void LeaderElector::update_observed(const LeaderRecord& record) {
  const std::optional<LeaderRecord> previous = observed_;
  observed_ = record;
  if (previous && *previous == record) return;
  const std::string previous_holder = previous ? previous->holder_identity : "";
  if (previous && previous_holder == record.holder_identity) return;
  if (!previous && record.holder_identity.empty()) return;
  if (callbacks_.on_new_leader) callbacks_.on_new_leader(record.holder_identity);
  if (previous_holder == config_.identity) {
    if (callbacks_.on_stop_leading) callbacks_.on_stop_leading();
  } else if (record.holder_identity == config_.identity) {
    if (callbacks_.on_start_leading) callbacks_.on_start_leading();
  }
}

}  // namespace model::kubernetes
