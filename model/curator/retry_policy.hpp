#pragma once
// Curator's ExponentialBackoffRetry, which Flink builds from
// high-availability.zookeeper.client.retry-wait (base sleep) and max-retry-attempts:
// retry n (0-based) sleeps base * max(1, random(0 .. 2^(n+1) - 1)), and retries stop after
// max_retries (Curator caps it at 29).
#include <algorithm>
#include <cstdint>

#include "sim/prng.hpp"
#include "sim/time.hpp"

namespace model::curator {

struct ExponentialBackoffRetry {
  sim::Duration base_sleep;
  int max_retries = 3;
  sim::Duration max_sleep = sim::Duration::max();

  bool allow_retry(int retry_count) const { return retry_count < std::min(max_retries, 29); }

  sim::Duration sleep_for(int retry_count, sim::Prng& rng) const {
    SIM_ASSERT(retry_count >= 0 && retry_count < 30);
    const auto spread = std::uint64_t{1} << (retry_count + 1);
    const auto factor = static_cast<std::int64_t>(std::max<std::uint64_t>(1, rng.below(spread)));
    const sim::Duration sleep = base_sleep * factor;
    return sleep < max_sleep ? sleep : max_sleep;
  }
};

}  // namespace model::curator
