#pragma once
// Curator's SharedCount: a 4-byte big-endian integer in one znode, read with its version and
// changed only by compare-and-set on that version (trySetCount). The value is cached as
// SharedValue caches it; a failed compare-and-set re-reads it. `set_without_cas` exists for the
// synthetic mutant only: Flink never sets the checkpoint counter without a version.
#include <cstdint>
#include <optional>
#include <string>

#include "model/curator/curator_framework.hpp"

namespace model::curator {

struct VersionedValue {
  std::int32_t value = 0;
  std::int32_t version = -1;
};

std::string encode_count(std::int32_t value);
std::optional<std::int32_t> decode_count(const zk::Data& data);

class SharedCount {
 public:
  SharedCount(CuratorFramework& client, std::string path, std::int32_t seed_value);

  // Creates the node with the seed value if it is missing, then reads it.
  zk::Code start();
  VersionedValue versioned_value() const { return cached_; }
  // True when the version still matched; false (and a fresh read) when someone else got there.
  // nullopt when the operation itself failed (connection loss past the retries).
  std::optional<bool> try_set_count(const VersionedValue& previous, std::int32_t new_value);
  zk::Code set_without_cas(std::int32_t new_value);
  zk::Code refresh();

 private:
  CuratorFramework& client_;
  std::string path_;
  std::int32_t seed_value_;
  VersionedValue cached_;
};

}  // namespace model::curator
