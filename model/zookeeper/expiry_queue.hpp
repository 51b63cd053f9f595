#pragma once
// ZooKeeper's ExpiryQueue: elements expire in buckets one expiration interval (tickTime) wide.
// An element touched at `now` with timeout T lands in the bucket (floor((now+T)/interval)+1) *
// interval, so expiry happens at the first tick boundary strictly after now+T, and a whole
// bucket expires at once. Time is passed in: this is pure bookkeeping.
// The grid is laid on Time.currentElapsedTime(), i.e. System.nanoTime(), whose origin is the
// machine's boot: so each server's grid sits at its own `phase` from simulated time 0, and a
// fault at a round instant does not always land at the same point of the bucket.
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "sim/assert.hpp"
#include "sim/time.hpp"

namespace model::zk {

template <typename Key>
class ExpiryQueue {
 public:
  ExpiryQueue(sim::Duration interval, sim::Instant now, sim::Duration phase = sim::Duration{})
      : interval_(interval), phase_(phase), next_expiration_(round_up(now)) {
    SIM_ASSERT(interval.ns > 0);
    SIM_ASSERT(phase.ns >= 0 && phase.ns < interval.ns);
  }

  // Adds or moves `key` to the bucket for now + timeout. Returns that bucket's instant.
  sim::Instant update(const Key& key, sim::Duration timeout, sim::Instant now) {
    SIM_ASSERT(timeout.ns >= 0);
    const sim::Instant expiry = round_up(now + timeout);
    auto found = expiry_of_.find(key);
    if (found != expiry_of_.end()) {
      if (found->second == expiry) return expiry;
      buckets_[found->second].erase(key);
    }
    expiry_of_[key] = expiry;
    buckets_[expiry].insert(key);
    return expiry;
  }

  void remove(const Key& key) {
    auto found = expiry_of_.find(key);
    if (found == expiry_of_.end()) return;
    buckets_[found->second].erase(key);
    expiry_of_.erase(found);
  }

  // The instant at which the next bucket is due; the owner sleeps until then.
  sim::Instant next_expiration() const { return next_expiration_; }

  // Everything whose bucket is due at `now`, in key order. Removes them from the queue.
  std::vector<Key> poll(sim::Instant now) {
    std::vector<Key> expired;
    while (now >= next_expiration_) {
      auto bucket = buckets_.find(next_expiration_);
      if (bucket != buckets_.end()) {
        for (const Key& key : bucket->second) {
          expired.push_back(key);
          expiry_of_.erase(key);
        }
        buckets_.erase(bucket);
      }
      next_expiration_ = next_expiration_ + interval_;
    }
    return expired;
  }

  bool contains(const Key& key) const { return expiry_of_.count(key) != 0; }
  std::size_t size() const { return expiry_of_.size(); }

 private:
  // roundToNextInterval on the server's elapsed-time axis, which is simulated time + phase.
  sim::Instant round_up(sim::Instant time) const {
    const auto elapsed_ns = time.ns + phase_.ns;
    return sim::Instant{(elapsed_ns / interval_.ns + 1) * interval_.ns - phase_.ns};
  }

  sim::Duration interval_;
  sim::Duration phase_;
  sim::Instant next_expiration_;
  std::map<Key, sim::Instant> expiry_of_;
  std::map<sim::Instant, std::set<Key>> buckets_;
};

}  // namespace model::zk
